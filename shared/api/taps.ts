import { z } from 'zod';

/**
 * A server-side tap (issue 20): EchoScope reads what the server side was given from Redis, as a
 * vantage of its own next to the client connections (electron/core/taps, docs/taps.md).
 * - `laravel`: Laravel's `redis` broadcaster — `PSUBSCRIBE {prefix}*`, each message
 *   `{event, data, socket}` on `{prefix}{channel}` (what laravel-echo-server subscribes to);
 * - `reverb`: Reverb's horizontal scaling channel — `SUBSCRIBE {channel}`, each message
 *   `{type: 'message', application, payload: {event, channels, data}, socket_id}`.
 */
export const TAP_FORMATS = ['laravel', 'reverb'] as const;
export type TapFormat = (typeof TAP_FORMATS)[number];

/** Laravel 8–12's default Redis key prefix (`APP_NAME=laravel`); Laravel 13 writes `laravel-database-`. */
export const DEFAULT_LARAVEL_PREFIX = 'laravel_database_';
/** `REVERB_SCALING_CHANNEL`'s default. */
export const DEFAULT_REVERB_CHANNEL = 'reverb';

const RedisUrl = z
  .string()
  .max(500)
  .regex(/^rediss?:\/\/([^\s@/]*@)?(\[[0-9A-Fa-f:.]+\]|[^\s@/:[\]]+)(:\d{1,5})?(\/\d{0,2})?$/, 'not a Redis URL: use redis://[user:password@]host[:port][/db] (rediss:// for TLS)');

export const TapSettingsSchema = z.object({
  /** Where the app's Redis is: `redis://[user:password@]host[:port][/db]`, `rediss://` for TLS. */
  url: RedisUrl,
  format: z.enum(TAP_FORMATS).default('laravel'),
  /**
   * `laravel`: the app's Redis key prefix, which Laravel puts before every broadcast channel
   * (`database.redis.options.prefix`, `REDIS_PREFIX`); '' when the app sets none.
   */
  prefix: z.string().max(200).regex(/^\S*$/, 'the prefix has whitespace').default(DEFAULT_LARAVEL_PREFIX),
  /** `reverb`: the scaling channel (`REVERB_SCALING_CHANNEL`). */
  channel: z.string().min(1).max(200).regex(/^\S+$/, 'the channel has whitespace').default(DEFAULT_REVERB_CHANNEL),
  /** `reverb`: only this Reverb app's messages (a scaling channel carries every app's); default all. */
  appId: z.string().min(1).max(200).optional(),
});
export type TapSettingsInput = z.input<typeof TapSettingsSchema>;
export type TapSettings = z.output<typeof TapSettingsSchema>;

/** What the renderer sees of a tap: the URL without its password. */
export const TapViewSchema = TapSettingsSchema.extend({ url: z.string() });
export type TapView = z.infer<typeof TapViewSchema>;

/** The URL with its password (if any) replaced by `***`. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*)@/, (_all, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return colon < 0 ? `${scheme}${auth}@` : `${scheme}${auth.slice(0, colon)}:***@`;
  });
}

export function redactTap(settings: TapSettings): TapView {
  return { ...settings, url: redactRedisUrl(settings.url) };
}

/** A tap's state, shown with its profile's connection status. */
export const TapStatusSchema = z.object({
  /** The vantage's connection id in the journal (`{profileId}:tap`). */
  connection: z.string(),
  format: z.enum(TAP_FORMATS),
  url: z.string(),
  /** What it asked Redis for, in Redis's words: `PSUBSCRIBE laravel_database_*`, `SUBSCRIBE reverb`. */
  watching: z.string(),
  state: z.enum(['connecting', 'connected', 'unavailable', 'disconnected']),
  since: z.number(),
  /** Events read and journaled (one per channel a message named). */
  events: z.number(),
  /** Messages that were not a broadcast (another Reverb app, Reverb's metrics, unreadable text): counted, not journaled. */
  ignored: z.number(),
  /** Why the first ignored message was. */
  firstIgnored: z.string().optional(),
  /** The last connection error in words, cleared once subscribed again. */
  error: z.string().optional(),
});
export type TapStatus = z.infer<typeof TapStatusSchema>;

/** The journal's connection id of a profile's tap: never a profile id (`:` is not allowed in one). */
export function tapConnectionId(profileId: string): string {
  return `${profileId}:tap`;
}

/** The profile a connection id belongs to: itself, or the profile whose tap it is. */
export function profileOfConnection(connection: string): string {
  return connection.endsWith(':tap') ? connection.slice(0, -':tap'.length) : connection;
}
