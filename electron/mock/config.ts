import { DEFAULT_MAX_PAYLOAD_BYTES } from '../../shared/contract/profile';
import { DEFAULT_REVERB_CHANNEL, TapSettingsSchema } from '../../shared/api/taps';
/** One Pusher application served by the mock provider (Pusher's app id / key / secret triple). */
export interface MockApp {
  id: string;
  key: string;
  secret: string;
}

/** Who may subscribe to private and presence channels through `POST /broadcasting/auth`. */
export type AuthPolicy =
  | { kind: 'allow-all' }
  | { kind: 'deny' }
  /** Channel names or `*`-suffixed prefixes (`private-ai.*`). */
  | { kind: 'allow-list'; channels: string[] };

export interface MockLimits {
  /** Concurrent WebSocket connections per app; further connections are closed with 4004. */
  maxConnections: number;
  /** Largest inbound WebSocket message and largest event `data` over HTTP, in bytes. */
  maxMessageSize: number;
  /** Client events (`client-…`) per connection per second; more are rejected with error 4301. */
  clientEventRate: number;
  /** Channels one connection may be subscribed to at once. */
  maxChannelsPerConnection: number;
  /** Largest HTTP request body, in bytes (batches and multi-channel events are bigger than one event). */
  maxHttpBodySize: number;
  /** Events per batch in `POST /apps/{id}/batch_events`. */
  maxBatchSize: number;
  /** Channels per `POST /apps/{id}/events`. */
  maxChannelsPerEvent: number;
  /**
   * Bytes queued for one socket (ws `bufferedAmount`) beyond which a client that reads too slowly
   * is disconnected with 4100 (over capacity), as Pusher does, instead of buffering without bound.
   */
  maxSendBufferBytes: number;
  /** HTTP requests being read or answered at once; more are answered 503 at once, unread. */
  maxConcurrentHttpRequests: number;
}

export interface MockServerOptions {
  /** Interface to bind; default 127.0.0.1 (the mock is a local tool). */
  host?: string;
  /** 0 picks a free port; read it back from `MockServer.port`. */
  port?: number;
  /** Default: one app, id `echoscope`, key `echoscope-key`, secret `echoscope-secret`. */
  apps?: MockApp[];
  limits?: Partial<MockLimits>;
  /** Seconds of silence after which the server pings a client (sent in connection_established). Default 120. */
  activityTimeoutSec?: number;
  /** Seconds to wait for a pong after a server ping before closing with 4201. Default 30. */
  pongTimeoutSec?: number;
  /** Policy for `POST /broadcasting/auth`. Default allow-all. */
  authPolicy?: AuthPolicy;
  /** Seconds a cache channel remembers its last event. Default 1800 (Pusher's 30 minutes). */
  cacheTtlSec?: number;
  /** Accepted skew of `auth_timestamp` on signed HTTP requests, in seconds. Default 600. */
  timestampToleranceSec?: number;
  /** Base64 32-byte master key; lets `/broadcasting/auth` hand out `shared_secret` for `private-encrypted-` channels. */
  encryptionMasterKeyBase64?: string;
  /**
   * Reverb's horizontal scaling: publish every broadcast on this Redis channel instead of
   * delivering it, and deliver what the channel carries (so several nodes serve one fleet).
   */
  scaling?: { url: string; channel?: string };
  /** Clock, injectable for tests of timestamp checks. Default Date.now. */
  now?: () => number;
}

export const DEFAULT_APP: MockApp = { id: 'echoscope', key: 'echoscope-key', secret: 'echoscope-secret' };

export const DEFAULT_LIMITS: MockLimits = {
  maxConnections: 10_000,
  maxMessageSize: DEFAULT_MAX_PAYLOAD_BYTES,
  clientEventRate: 10,
  maxChannelsPerConnection: 1_000,
  maxHttpBodySize: 1024 * 1024,
  maxBatchSize: 10,
  maxChannelsPerEvent: 100,
  maxSendBufferBytes: 8 * 1024 * 1024,
  maxConcurrentHttpRequests: 256,
};

export interface ResolvedConfig {
  host: string;
  port: number;
  apps: MockApp[];
  limits: MockLimits;
  activityTimeoutSec: number;
  pongTimeoutSec: number;
  authPolicy: AuthPolicy;
  cacheTtlSec: number;
  timestampToleranceSec: number;
  encryptionMasterKeyBase64: string | undefined;
  scaling: { url: string; channel: string } | undefined;
  now: () => number;
}

export function resolveConfig(options: MockServerOptions = {}): ResolvedConfig {
  const apps = options.apps && options.apps.length > 0 ? options.apps.map((app) => ({ ...app })) : [{ ...DEFAULT_APP }];
  assertDistinct(
    apps.map((a) => a.id),
    'app id',
  );
  assertDistinct(
    apps.map((a) => a.key),
    'app key',
  );
  for (const app of apps) {
    if (!app.id || !app.key || !app.secret) throw new Error('every app needs a non-empty id, key and secret');
  }
  const limits = { ...DEFAULT_LIMITS, ...definedOnly(options.limits ?? {}) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`limit ${name} must be a positive number, got ${String(value)}`);
  }
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    apps,
    limits,
    activityTimeoutSec: options.activityTimeoutSec ?? 120,
    pongTimeoutSec: options.pongTimeoutSec ?? 30,
    authPolicy: options.authPolicy ?? { kind: 'allow-all' },
    cacheTtlSec: options.cacheTtlSec ?? 1800,
    timestampToleranceSec: options.timestampToleranceSec ?? 600,
    encryptionMasterKeyBase64: options.encryptionMasterKeyBase64,
    scaling: options.scaling === undefined ? undefined : resolveScaling(options.scaling),
    now: options.now ?? Date.now,
  };
}

/** The scaling settings checked (a Redis URL, a channel without whitespace), the channel defaulted; throws saying what is wrong. */
export function resolveScaling(scaling: { url: string; channel?: string }): { url: string; channel: string } {
  const url = TapSettingsSchema.shape.url.safeParse(scaling.url);
  if (!url.success) throw new Error(`scaling: ${url.error.issues[0]!.message}, got "${scaling.url}"`);
  const channel = TapSettingsSchema.shape.channel.safeParse(scaling.channel ?? DEFAULT_REVERB_CHANNEL);
  if (!channel.success) throw new Error(`scaling channel: ${channel.error.issues[0]!.message}`);
  return { url: url.data, channel: channel.data };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function assertDistinct(values: string[], what: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new Error(`duplicate ${what} "${value}"`);
    seen.add(value);
  }
}

/** Parses the `--auth-policy` spelling: `allow-all`, `deny`, or `allow-list:private-a,presence-b.*`. */
export function parseAuthPolicy(text: string): AuthPolicy {
  if (text === 'allow-all') return { kind: 'allow-all' };
  if (text === 'deny') return { kind: 'deny' };
  if (text.startsWith('allow-list:')) {
    const channels = text
      .slice('allow-list:'.length)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return { kind: 'allow-list', channels };
  }
  throw new Error(`auth policy must be allow-all, deny or allow-list:<channel,prefix.*>, got "${text}"`);
}

export function authPolicyAllows(policy: AuthPolicy, channel: string): boolean {
  switch (policy.kind) {
    case 'allow-all':
      return true;
    case 'deny':
      return false;
    case 'allow-list':
      return policy.channels.some((pattern) => (pattern.endsWith('*') ? channel.startsWith(pattern.slice(0, -1)) : channel === pattern));
  }
}
