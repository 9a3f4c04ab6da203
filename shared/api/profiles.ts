import { z } from 'zod';

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
});

export const ProfileInputSchema = ProfileFields.superRefine((profile, context) => {
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
export const ProfileViewSchema = ProfileFields.omit({ auth: true }).extend({
  auth: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('none') }),
    z.object({ mode: z.literal('secret'), hasSecret: z.boolean() }),
    z.object({ mode: z.literal('endpoint'), url: z.string(), headerNames: z.array(z.string()) }),
  ]),
});
export type ProfileView = z.infer<typeof ProfileViewSchema>;

export function redactProfile(profile: Profile): ProfileView {
  const { auth, ...rest } = profile;
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
