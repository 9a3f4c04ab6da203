import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256Hex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

export function md5Hex(body: string | Buffer): string {
  return createHash('md5').update(body).digest('hex');
}

/** Compares two strings without leaking, through timing, where they first differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Compare against self when lengths differ so the time spent does not depend on the content.
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** The string a private/presence subscription signs: `socket_id:channel[:channel_data]`. */
export function channelAuthString(socketId: string, channel: string, channelData?: string): string {
  return channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
}

/** `key:hex(hmac)` as clients send it in `pusher:subscribe`. */
export function signChannel(key: string, secret: string, socketId: string, channel: string, channelData?: string): string {
  return `${key}:${hmacSha256Hex(secret, channelAuthString(socketId, channel, channelData))}`;
}

/** `key:hex(hmac)` for `pusher:signin` (user authentication). */
export function signUser(key: string, secret: string, socketId: string, userData: string): string {
  return `${key}:${hmacSha256Hex(secret, `${socketId}::user::${userData}`)}`;
}

/** Checks a `key:signature` auth token against the expected HMAC, in constant time. */
export function verifyAuthToken(auth: unknown, key: string, secret: string, signed: string): boolean {
  if (typeof auth !== 'string') return false;
  const colon = auth.indexOf(':');
  if (colon < 0) return false;
  const expected = hmacSha256Hex(secret, signed);
  const keyOk = constantTimeEqual(auth.slice(0, colon), key);
  const signatureOk = constantTimeEqual(auth.slice(colon + 1), expected);
  return keyOk && signatureOk;
}

/**
 * The string a signed Pusher HTTP request signs: `METHOD\nPATH\nsorted query` where the
 * query holds every parameter except `auth_signature`, keys lowercased, values unencoded.
 */
export function httpRequestSigningString(method: string, path: string, query: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [key, value] of query) {
    if (key === 'auth_signature') continue;
    pairs.push([key.toLowerCase(), value]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return [method.toUpperCase(), path, pairs.map(([k, v]) => `${k}=${v}`).join('&')].join('\n');
}

export function signHttpRequest(secret: string, method: string, path: string, query: URLSearchParams): string {
  return hmacSha256Hex(secret, httpRequestSigningString(method, path, query));
}
