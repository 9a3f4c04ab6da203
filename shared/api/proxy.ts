import { z } from 'zod';
import { ProxyFaultKindSchema, ProxyFaultsSchema } from '../proxy/faults';
import { ProxyProtocolSchema } from '../proxy/protocol';

/**
 * The fault proxy in the app (issue 20, item 3): one proxy at a time, started in front of a real
 * server, its rules changed while it runs; its client sockets are observations like connections
 * (`proxy:1`, … — `proxy-2:1`, … for a second proxy of the same run), so Live, the session detail
 * and the journal show what each proxied client was given.
 */

const WsUrl = z
  .string()
  .max(500)
  .regex(/^wss?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, "the server's WebSocket address: ws://host:port or wss://host:port");

export const ProxyStartRequestSchema = z
  .object({
    upstream: WsUrl,
    /** The server's wire: the Pusher protocol (Reverb, soketi, Pusher) or Socket.IO (laravel-echo-server). */
    protocol: ProxyProtocolSchema.default('pusher'),
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65_535).default(0),
    faults: ProxyFaultsSchema.default({ seed: 1, faults: [] }),
  })
  .strict();

export const ProxyStatusSchema = z.object({
  /** Where clients connect instead of the server. */
  url: z.string(),
  upstream: z.string(),
  protocol: ProxyProtocolSchema,
  /** The journal's connection names of this proxy's clients start with it (`proxy`, `proxy-2`, …). */
  connectionPrefix: z.string(),
  startedAt: z.number(),
  clients: z.number(),
  open: z.number(),
  unreadable: z.number(),
  faults: ProxyFaultsSchema,
  /** Faults applied so far, per kind (over every rule set). */
  applied: z.record(ProxyFaultKindSchema, z.number()),
});
export type ProxyStatusView = z.infer<typeof ProxyStatusSchema>;

export const proxyCommands = {
  /** The running proxy, or null. */
  'proxy.status': { request: z.object({}).strict(), response: ProxyStatusSchema.nullable() },
  /** Starts the proxy (a running one is refused: stop it first). */
  'proxy.start': { request: ProxyStartRequestSchema, response: ProxyStatusSchema },
  /** Replaces the running proxy's rules at once. */
  'proxy.faults': { request: ProxyFaultsSchema, response: ProxyStatusSchema },
  /** Stops the proxy (its clients are closed with 1001); its ground truth is returned. */
  'proxy.stop': { request: z.object({}).strict(), response: z.object({ stopped: z.boolean(), truth: z.unknown().nullable() }) },
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;
