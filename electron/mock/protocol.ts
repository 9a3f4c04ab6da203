/** Pusher protocol 7: close codes, frame shapes, channel kinds. */
import { TOO_DEEP_MESSAGE, tooDeep } from './inbound-json';

export const PROTOCOL_VERSION = 7;

/**
 * Close codes and their protocol meanings. pusher-js reacts by range:
 * 4000–4099 do not reconnect, 4100–4199 reconnect after a back-off, 4200–4299 reconnect at once.
 */
export const CLOSE = {
  sslOnly: 4000,
  appNotFound: 4001,
  appDisabled: 4003,
  overConnectionQuota: 4004,
  pathNotFound: 4005,
  invalidVersionFormat: 4006,
  unsupportedProtocol: 4007,
  noProtocolVersion: 4008,
  unauthorized: 4009,
  overCapacity: 4100,
  reconnectNow: 4200,
  pongTimeout: 4201,
  closedAfterInactivity: 4202,
  clientEventRateLimit: 4301,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

export const CLOSE_REASON: Record<number, string> = {
  4000: 'Application only accepts SSL connections, reconnect using wss://',
  4001: 'Application does not exist',
  4003: 'Application disabled',
  4004: 'Application is over connection quota',
  4005: 'Path not found',
  4006: 'Invalid version string format',
  4007: 'Unsupported protocol version',
  4008: 'No protocol version supplied',
  4009: 'Connection is unauthorized',
  4100: 'Over capacity',
  4200: 'Generic reconnect immediately',
  4201: 'Pong reply not received: ping was sent to the client, but no reply was received',
  4202: 'Closed after inactivity',
  4301: 'Client event rejected due to rate limit',
};

/** An inbound frame after JSON parsing; `data` is an object for pusher:* events and anything for client events. */
export interface InboundFrame {
  event: string;
  channel?: string;
  data?: unknown;
}

/** Parses one client frame; returns a reason string when it is not a Pusher frame. */
export function parseInboundFrame(text: string): InboundFrame | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'Invalid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'A frame must be a JSON object';
  if (tooDeep(value)) return `The frame ${TOO_DEEP_MESSAGE}`;
  const record = value as Record<string, unknown>;
  if (typeof record.event !== 'string' || record.event.length === 0) return 'A frame needs a string "event"';
  if (record.channel !== undefined && typeof record.channel !== 'string') return '"channel" must be a string';
  const frame: InboundFrame = { event: record.event, data: record.data };
  if (typeof record.channel === 'string') frame.channel = record.channel;
  // pusher-js sends object data; some clients send it JSON-encoded. Accept both for pusher:* events.
  if (record.event.startsWith('pusher:') && typeof record.data === 'string') {
    try {
      const decoded: unknown = JSON.parse(record.data);
      if (tooDeep(decoded)) return `The frame's data ${TOO_DEEP_MESSAGE}`;
      frame.data = decoded;
    } catch {
      /* leave as the string; handlers reject what they cannot use */
    }
  }
  return frame;
}

/** Serializes a server→client frame. `data` is JSON-encoded into a string as protocol 7 requires. */
export function encodeFrame(event: string, data: unknown, channel?: string, extra?: Record<string, unknown>): string {
  const frame: Record<string, unknown> = { event };
  if (channel !== undefined) frame.channel = channel;
  if (data !== undefined) frame.data = typeof data === 'string' ? data : JSON.stringify(data);
  if (extra) Object.assign(frame, extra);
  return JSON.stringify(frame);
}

/** A WebSocket close reason holds at most 123 bytes of UTF-8; ws throws (RangeError) beyond. */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * `text` cut to fit a close frame, on a character boundary. Reasons quote client input (an app
 * key from the path, a user id): 120 characters of `€` are 360 bytes, and the throw in accept()
 * would end the process.
 */
export function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= MAX_CLOSE_REASON_BYTES) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > MAX_CLOSE_REASON_BYTES - 3) break;
    out += char;
    bytes += size;
  }
  return `${out}…`;
}

/** `pusher:error` frames carry an object, not a string, in `data` (pusher-js reads data.code). */
export function encodeError(code: number | null, message: string): string {
  return JSON.stringify({ event: 'pusher:error', data: { code, message } });
}

export type ChannelKind = 'public' | 'private' | 'presence' | 'private-encrypted' | 'user';

export interface ChannelTraits {
  kind: ChannelKind;
  /** `cache-`, `private-cache-`, `private-encrypted-cache-`, `presence-cache-`. */
  cached: boolean;
  requiresAuth: boolean;
  allowsClientEvents: boolean;
}

export function channelTraits(name: string): ChannelTraits {
  if (name.startsWith('#server-to-user-')) return { kind: 'user', cached: false, requiresAuth: true, allowsClientEvents: false };
  if (name.startsWith('presence-')) {
    return { kind: 'presence', cached: name.startsWith('presence-cache-'), requiresAuth: true, allowsClientEvents: true };
  }
  if (name.startsWith('private-encrypted-')) {
    // End-to-end encrypted: the server never sees plaintext, so client events would be opaque too; Pusher forbids them.
    return { kind: 'private-encrypted', cached: name.startsWith('private-encrypted-cache-'), requiresAuth: true, allowsClientEvents: false };
  }
  if (name.startsWith('private-')) {
    return { kind: 'private', cached: name.startsWith('private-cache-'), requiresAuth: true, allowsClientEvents: true };
  }
  return { kind: 'public', cached: name.startsWith('cache-'), requiresAuth: false, allowsClientEvents: false };
}

const CHANNEL_NAME = /^[A-Za-z0-9_\-=@,.;]+$/;
export const MAX_CHANNEL_NAME_LENGTH = 200;
export const MAX_EVENT_NAME_LENGTH = 200;

/** Pusher's channel-name rules: 1–200 characters from `A-Za-z0-9_-=@,.;` (`#server-to-user-` is internal). */
export function channelNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'channel name must be a non-empty string';
  if (name.length > MAX_CHANNEL_NAME_LENGTH) return `channel name longer than ${MAX_CHANNEL_NAME_LENGTH} characters`;
  if (!CHANNEL_NAME.test(name)) return `channel name "${name}" has characters outside A-Za-z0-9_-=@,.;`;
  return null;
}
