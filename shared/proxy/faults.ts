import { z } from 'zod';

/**
 * The fault proxy's rules (issue 20, item 3): broadcast-layer faults injected on the Pusher
 * frames a real server sends to a client, chosen by channel pattern, event name and position or
 * probability. One rule list drives `echoscope proxy --fault/--faults`, a scenario's `target:
 * proxy` and the rules changed at run time, so all three read the same schema.
 *
 * - A rule matches a client's channel events (never the protocol's `pusher:*` /
 *   `pusher_internal:*` frames): `channel` and `event` are patterns where `*` stands for any run
 *   of characters (default: every channel, every event).
 * - `nth` lists positions counted per client socket, per channel, among the events the rule
 *   matches (1 = the first such event on that channel); `probability` draws each matching event
 *   with the rule set's seed instead — the same seed, client order and stream give the same draws.
 *   Without either the rule applies to every matching event (moment faults: to the first).
 * - `clients` limits a rule to some proxied sockets, numbered 1, 2, … in the order they connected.
 */

export const PROXY_FAULT_KINDS = ['drop', 'duplicate', 'reorder', 'delay', 'malformed', 'disconnect', 'ping-silence'] as const;
export const ProxyFaultKindSchema = z.enum(PROXY_FAULT_KINDS);
export type ProxyFaultKind = z.infer<typeof ProxyFaultKindSchema>;

const Pattern = z.string().min(1).max(200);
const Positions = z.array(z.number().int().min(1)).min(1).max(10_000);

const Selection = {
  channel: Pattern.optional(),
  event: Pattern.optional(),
  nth: Positions.optional(),
  probability: z.number().min(0).max(1).optional(),
  clients: Positions.optional(),
};

const DropSchema = z.strictObject({ kind: z.literal('drop'), ...Selection });
const DuplicateSchema = z.strictObject({ kind: z.literal('duplicate'), ...Selection, copies: z.number().int().min(1).max(100).default(1) });
const ReorderSchema = z.strictObject({
  kind: z.literal('reorder'),
  ...Selection,
  /** Later events of the channel that go out before the held one. */
  window: z.number().int().min(1).max(1000).default(2),
  /** The held event goes out after this long even when fewer later events came (the stream ended). */
  maxHoldMs: z.number().int().min(1).max(600_000).default(2000),
});
const DelaySchema = z.strictObject({
  kind: z.literal('delay'),
  ...Selection,
  /** The event and everything after it on the socket wait this long (a latency spike holds the stream, as TCP does). */
  delayMs: z.number().int().min(1).max(600_000),
});
const MalformedSchema = z.strictObject({
  kind: z.literal('malformed'),
  ...Selection,
  /** The event's data cut mid-JSON; then the intact event unless `resend: false` (then it is lost). */
  resend: z.boolean().default(true),
});
const DisconnectSchema = z.strictObject({
  kind: z.literal('disconnect'),
  ...Selection,
  /** Close code the client gets after the chosen event (Pusher: 4000–4099 do not reconnect, 4100–4199 later, 4200–4299 at once). */
  code: z.number().int().min(4000).max(4999).default(4200),
  reason: z.string().max(120).default('closed by the EchoScope fault proxy'),
});
const PingSilenceSchema = z.strictObject({
  kind: z.literal('ping-silence'),
  ...Selection,
  /** From the chosen event on, no ping or pong passes either way for this long. */
  durationMs: z.number().int().min(1).max(600_000),
});

export const ProxyFaultSchema = z
  .discriminatedUnion('kind', [DropSchema, DuplicateSchema, ReorderSchema, DelaySchema, MalformedSchema, DisconnectSchema, PingSilenceSchema])
  .refine((rule) => rule.nth === undefined || rule.probability === undefined, { message: 'choose events by nth or by probability, not both' });
export type ProxyFault = z.infer<typeof ProxyFaultSchema>;
export type ProxyFaultInput = z.input<typeof ProxyFaultSchema>;

export const ProxyFaultsSchema = z.strictObject({
  seed: z.number().int().min(0).max(0xffff_ffff).default(1),
  faults: z.array(ProxyFaultSchema).max(100).default([]),
});
export type ProxyFaults = z.infer<typeof ProxyFaultsSchema>;
export type ProxyFaultsInput = z.input<typeof ProxyFaultsSchema>;

/** Moment faults act once, after the event they are given; delivery faults act on each chosen event. */
export function isMomentFault(kind: ProxyFaultKind): boolean {
  return kind === 'disconnect' || kind === 'ping-silence';
}

/** A pattern with `*` wildcards as an anchored regular expression (everything else literal). */
export function patternRegExp(pattern: string): RegExp {
  const literal = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('.*')}$`, 's');
}

/** A protocol frame (connection, subscription, ping) — never a fault's target. */
export function isProtocolEvent(event: string): boolean {
  return event.startsWith('pusher:') || event.startsWith('pusher_internal:');
}

const NUMBER_FIELDS = new Set(['probability', 'copies', 'window', 'maxHoldMs', 'delayMs', 'code', 'durationMs']);
const LIST_FIELDS = new Set(['nth', 'clients']);

/**
 * One rule from the command line: `KIND key=value …`, lists comma-separated, e.g.
 * `drop nth=3,7`, `duplicate event=chunk.delivered probability=0.1 copies=2`,
 * `disconnect channel=private-ai.* nth=20 code=4200`. The result still goes through the schema.
 */
export function parseFaultSpec(spec: string): { ok: true; rule: unknown } | { ok: false; message: string } {
  const [kind, ...pairs] = spec.trim().split(/\s+/);
  if (kind === undefined || kind === '') return { ok: false, message: `empty fault: give KIND key=value …, KIND one of ${PROXY_FAULT_KINDS.join(', ')}` };
  const rule: Record<string, unknown> = { kind };
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) return { ok: false, message: `"${pair}": expected key=value` };
    const key = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    if (LIST_FIELDS.has(key)) rule[key] = value.split(',').map((n) => (n.trim() === '' ? Number.NaN : Number(n)));
    else if (NUMBER_FIELDS.has(key)) rule[key] = value.trim() === '' ? Number.NaN : Number(value);
    else if (key === 'resend') rule[key] = value === 'true' ? true : value === 'false' ? false : value;
    else rule[key] = value;
  }
  return { ok: true, rule };
}
