import { connect } from 'node:net';
import Pusher from 'pusher';
import type { Profile } from '../../shared/api';

/**
 * Why `watch` could not do its job, in words a user can act on: what the server (or the
 * network) actually answered, and a hint. Each probe asks the server itself, so the message
 * shows the server's own answer rather than what a client library made of it.
 */

/** What a TCP connect to the server's port says: refused (nothing listens), unknown host, silence, or a listener. */
export async function probePort(host: string, port: number, timeoutMs = 2000): Promise<{ listening: boolean; message: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: { listening: boolean; message: string }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ listening: false, message: `no answer from ${host}:${port} within ${timeoutMs / 1000}s (a firewall, or the wrong host?)` }), timeoutMs);
    socket.once('connect', () => done({ listening: true, message: `${host}:${port} accepts TCP connections` }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') done({ listening: false, message: `connection refused: nothing listens on ${host}:${port}` });
      else if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') done({ listening: false, message: `host not found: ${host}` });
      else done({ listening: false, message: `cannot reach ${host}:${port}: ${error.code ?? error.message}` });
    });
  });
}

/** Where the server is, for messages. */
export function serverName(profile: Profile): string {
  return profile.kind === 'pusher' ? `Pusher cluster ${profile.cluster ?? 'mt1'}` : `${profile.host}:${profile.port}`;
}

/** Why a connection did not come up within the timeout: the port probe, and what the client last saw. */
export async function explainNoConnection(profile: Profile, timeoutMs: number, lastError: string | undefined): Promise<string> {
  const seconds = `${timeoutMs / 1000}s`;
  const head = `no connection to ${serverName(profile)} within ${seconds}`;
  if (profile.kind === 'pusher') return `${head}${lastError ? `: ${lastError}` : ''}`;
  const port = await probePort(profile.host, profile.port);
  if (!port.listening) return `${head}: ${port.message}${lastError ? ` (client: ${lastError})` : ''}. Is the server running? Check --url.`;
  const protocol = profile.kind === 'socketio' ? 'Socket.IO handshake (laravel-echo-server)' : 'Pusher handshake (pusher:connection_established)';
  const other = profile.kind === 'socketio' ? 'a Pusher-protocol server (Reverb, soketi): drop --kind socketio' : 'laravel-echo-server: add --kind socketio';
  return `${head}: ${port.message} but gave no ${protocol}${lastError ? ` (client: ${lastError})` : ''}. Is --url the server's WebSocket port? For ${other}.`;
}

/** A hint for a close code that ended the connection for good. */
export function closeCodeHint(code: number | undefined): string {
  switch (code) {
    case 4001:
      return 'check --key: it must be the app key the server knows (REVERB_APP_KEY, PUSHER_APP_KEY, SOKETI_DEFAULT_APP_KEY)';
    case 4003:
      return 'the app is disabled on the server';
    case 4004:
      return 'the app has too many connections: close some, or raise its limit';
    case 4009:
      return 'the server refused this connection: check the app key and its allowed origins';
    default:
      return 'see the server log';
  }
}

/** The signed discovery request `watch --discover` makes, and the server's answer when it is not a channel list. */
export interface DiscoveryProbe {
  /** The server answered, and not with channels: asking again will not help. */
  fatal: boolean;
  message: string;
}

/**
 * Makes the discovery request itself (`GET /apps/{id}/channels?filter_by_prefix=`, signed with the
 * app secret) and describes a failure with the server's status and body. soketi answers a bad
 * signature as HTTP 200 with `{"error": …, "code": 401}` in the body: that counts as the error it names.
 */
export async function probeDiscovery(profile: Profile, prefix: string): Promise<DiscoveryProbe | null> {
  if (profile.auth.mode !== 'secret' || !profile.appId) return { fatal: true, message: 'discovery needs --app-id and --secret' };
  const sdk =
    profile.kind === 'pusher'
      ? new Pusher({ appId: profile.appId, key: profile.key, secret: profile.auth.secret, cluster: profile.cluster ?? 'mt1', useTLS: true, timeout: 5000 })
      : new Pusher({ appId: profile.appId, key: profile.key, secret: profile.auth.secret, host: profile.host, port: String(profile.port), useTLS: profile.tls, timeout: 5000 });
  const where = `GET ${profile.kind === 'pusher' ? `api-${profile.cluster ?? 'mt1'}.pusher.com` : `${profile.tls ? 'https' : 'http'}://${profile.host}:${profile.port}`}/apps/${profile.appId}/channels`;
  let status: number;
  let body: string;
  try {
    const response = await sdk.get({ path: '/channels', params: { filter_by_prefix: prefix } });
    status = response.status;
    body = await response.text();
  } catch (error) {
    const failed = error as { status?: unknown; body?: unknown; message?: unknown; error?: unknown };
    if (typeof failed.status !== 'number') {
      const cause = failed.error instanceof Error ? failed.error.message : typeof failed.message === 'string' ? failed.message : String(error);
      return { fatal: false, message: `discovery failed: ${where}: ${cause}` };
    }
    status = failed.status;
    body = typeof failed.body === 'string' ? failed.body : '';
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  if (status < 300 && typeof fields.channels === 'object' && fields.channels !== null) return null;
  // soketi: HTTP 200 whose body carries the error and its real status.
  const code = status < 300 && typeof fields.code === 'number' ? fields.code : status;
  const shown = body.trim().length > 0 ? body.trim().slice(0, 300) : '(empty body)';
  const answered = status === code ? `HTTP ${status}` : `HTTP ${status} with error code ${code} in the body`;
  return { fatal: code >= 400 && code < 500, message: `discovery failed: ${where} answered ${answered}: ${shown}. Hint: ${discoveryHint(code, profile)}` };
}

function discoveryHint(code: number, profile: Profile): string {
  if (code === 401 || code === 403) {
    return `--secret must be the app secret the server knows (REVERB_APP_SECRET, PUSHER_APP_SECRET, SOKETI_DEFAULT_APP_SECRET) and --app-id its id (${profile.appId ?? 'none given'})`;
  }
  if (code === 404) return `no app ${profile.appId ?? ''} there, or no channels API at this address: check --app-id and --url`;
  if (code === 413 || code === 429) return 'the server limits its HTTP API: raise --poll-interval';
  return 'the server could not list its channels: give --channel names instead, or see the server log';
}

/**
 * Why a channel subscription failed, with a hint that depends on who authorized it: the local
 * signature (--secret), the app's auth endpoint (--auth-endpoint), or — on laravel-echo-server —
 * the server's own call to its `authHost`.
 */
export function subscriptionHint(profile: Profile, code: number | undefined): string {
  if (profile.kind === 'socketio') {
    if (code === undefined || code === 0) {
      return 'laravel-echo-server could not reach its authHost (the Laravel app that authorizes channels): check authHost and authEndpoint in laravel-echo-server.json, and that the app is running';
    }
    return `the app's auth endpoint, called by laravel-echo-server, answered HTTP ${code}: check --auth-header (bearer token, session cookie)`;
  }
  if (profile.auth.mode === 'secret') return 'the server rejected the locally signed subscription: check --secret (and --key)';
  if (profile.auth.mode === 'endpoint') return `check --auth-endpoint and --auth-header (the endpoint must authorize this channel for that user)`;
  return 'private and presence channels need --secret or --auth-endpoint';
}
