import { z } from 'zod';
import { redactTap, TapSettingsSchema, TapViewSchema } from './taps';

/**
 * How private and presence channels are authorized:
 * - `secret`: EchoScope signs locally with the app secret (HMAC-SHA256);
 * - `endpoint`: EchoScope calls the app's auth endpoint (e.g. Laravel `/broadcasting/auth`) with custom headers;
 * - `none`: public channels only.
 */
export const AuthInputSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }),
  z.object({ mode: z.literal('secret'), secret: z.string().min(1, 'the app secret is empty') }),
  z.object({
    mode: z.literal('endpoint'),
    url: z.url({ protocol: /^https?$/, message: 'the auth endpoint must be an http(s) URL' }),
    headers: z.record(z.string(), z.string()).default({}),
  }),
]);
export type AuthInput = z.infer<typeof AuthInputSchema>;

const ProfileId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore');

const ChannelName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_\-=@,.;]+$/, 'not a valid Pusher channel name');

const ProfileFields = z.object({
  id: ProfileId,
  name: z.string().min(1).max(100),
  /**
   * `reverb`: Reverb, soketi, sockudo or the mock provider — the Pusher protocol on a host/port;
   * `pusher`: Pusher Channels (cluster); `socketio`: laravel-echo-server (Socket.IO 2).
   */
  kind: z.enum(['reverb', 'pusher', 'socketio']),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(8080),
  tls: z.boolean().default(false),
  cluster: z.string().optional(),
  appId: z.string().optional(),
  key: z.string().min(1, 'the app key is empty'),
  auth: AuthInputSchema.default({ mode: 'none' }),
  /** Channels subscribed on connect. */
  channels: z.array(ChannelName).default([]),
  /**
   * How channel names without a `private-`/`presence-` prefix are read, as Laravel writes them
   * (`routes/channels.php`, `Echo.private('ai.x1')`): `private` makes `ai.x1` `private-ai.x1`,
   * `presence` makes it `presence-ai.x1`; `public` (the default) takes names as given. Applies to
   * `channels`, subscriptions made later and the discovery prefix.
   */
  channelType: z.enum(['public', 'private', 'presence']).default('public'),
  /**
   * A public channel that receives no event this long after its subscription gets a warning
   * naming the private channel Laravel most likely broadcasts on; 0 turns it off.
   */
  quietChannelWarnMs: z.number().int().min(0).max(86_400_000).default(15_000),
  /**
   * Channel discovery: poll the server's HTTP API (`GET /apps/{id}/channels?filter_by_prefix=`) and
   * follow new session channels. Needs `appId` and the app secret (auth mode `secret`); on
   * laravel-echo-server (`socketio`), `appId` and `apiKey`, one of its config's `clients`.
   * `leave` (on by default): unsubscribe once a session ended (its first terminal, then `graceMs`
   * without events on its channel) or its channel is vacated by everyone else, so EchoScope does not
   * keep channels occupied; the journal keeps everything received.
   */
  discover: z
    .object({
      prefix: z.string().min(1).max(200).default('private-ai.'),
      intervalMs: z.number().int().min(250).max(600_000).default(2000),
      apiKey: z.string().min(1).optional(),
      leave: z.boolean().default(true),
      graceMs: z.number().int().min(0).max(3_600_000).default(10_000),
    })
    .optional(),
  /**
   * Reconciliation (opt-in): after a session ends or a reconnect, fetch the app's generation record
   * and compare it with what was received. `{sessionId}` is replaced in the URL.
   */
  reconcile: z
    .object({
      url: z
        .string()
        .min(1)
        .refine((url) => url.includes('{sessionId}'), 'the URL template needs a {sessionId} placeholder'),
      headers: z.record(z.string(), z.string()).default({}),
      /** Quiet time after a session's last activity before the record is compared once more (default 5000 ms). */
      settleMs: z.number().int().min(0).max(3_600_000).optional(),
    })
    .optional(),
  /**
   * pusher-js's keep-alive (Pusher-protocol kinds): ping after `activityTimeoutMs` without a
   * message from the server (the server's `activity_timeout` caps it), give the socket up and
   * reconnect when no pong comes within `pongTimeoutMs`. pusher-js's defaults (120 s, 30 s) when
   * absent; `check` shortens them for scenarios whose proxy silences pings.
   */
  keepAlive: z
    .object({
      activityTimeoutMs: z.number().int().min(50).max(3_600_000).optional(),
      pongTimeoutMs: z.number().int().min(50).max(600_000).optional(),
    })
    .optional(),
  /**
   * A server-side tap on the app's Redis (docs/taps.md): started and stopped with the connection,
   * journaled as its own vantage (`{id}:tap`), so each session is compared with what was published.
   */
  tap: TapSettingsSchema.optional(),
});

export const ProfileInputSchema = ProfileFields.superRefine((profile, context) => {
  if (profile.discover && profile.kind === 'socketio' && (!profile.discover.apiKey || !profile.appId)) {
    context.addIssue({
      code: 'custom',
      path: ['discover'],
      message: 'channel discovery on laravel-echo-server needs appId and apiKey: one of the clients in its laravel-echo-server.json (laravel-echo-server client:add)',
    });
  } else if (profile.discover && profile.kind !== 'socketio' && (profile.auth.mode !== 'secret' || !profile.appId)) {
    context.addIssue({ code: 'custom', path: ['discover'], message: 'channel discovery signs HTTP API requests: it needs appId and the app secret (auth mode "secret")' });
  }
  if (profile.kind === 'socketio' && profile.auth.mode === 'secret') {
    context.addIssue({
      code: 'custom',
      path: ['auth', 'mode'],
      message: 'laravel-echo-server authorizes private channels itself through your app: use an auth endpoint (its headers are forwarded) or none',
    });
  }
});
export type ProfileInput = z.input<typeof ProfileInputSchema>;
export type Profile = z.output<typeof ProfileInputSchema>;

/** What the renderer sees of a profile: never the secret, never auth header values. */
export const ProfileViewSchema = ProfileFields.omit({ auth: true, reconcile: true, discover: true, tap: true }).extend({
  tap: TapViewSchema.optional(),
  discover: z.object({ prefix: z.string(), intervalMs: z.number(), leave: z.boolean(), graceMs: z.number(), hasApiKey: z.boolean() }).optional(),
  reconcile: z.object({ url: z.string(), headerNames: z.array(z.string()), settleMs: z.number().optional() }).optional(),
  auth: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('none') }),
    z.object({ mode: z.literal('secret'), hasSecret: z.boolean() }),
    z.object({ mode: z.literal('endpoint'), url: z.string(), headerNames: z.array(z.string()) }),
  ]),
});
export type ProfileView = z.infer<typeof ProfileViewSchema>;

export function redactProfile(profile: Profile): ProfileView {
  const { auth, reconcile, discover, tap, ...rest0 } = profile;
  const plain = tap === undefined ? rest0 : { ...rest0, tap: redactTap(tap) };
  const fields = discover
    ? {
        ...plain,
        discover: { prefix: discover.prefix, intervalMs: discover.intervalMs, leave: discover.leave, graceMs: discover.graceMs, hasApiKey: discover.apiKey !== undefined },
      }
    : plain;
  const rest = reconcile
    ? { ...fields, reconcile: { url: reconcile.url, headerNames: Object.keys(reconcile.headers), ...(reconcile.settleMs === undefined ? {} : { settleMs: reconcile.settleMs }) } }
    : fields;
  switch (auth.mode) {
    case 'none':
      return { ...rest, auth };
    case 'secret':
      return { ...rest, auth: { mode: 'secret', hasSecret: auth.secret.length > 0 } };
    case 'endpoint':
      return { ...rest, auth: { mode: 'endpoint', url: auth.url, headerNames: Object.keys(auth.headers) } };
  }
}

export { ChannelName as ChannelNameSchema, ProfileId as ProfileIdSchema };
