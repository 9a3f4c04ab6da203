import { z } from 'zod';

/**
 * Faults (DESIGN §7): declarative, seeded, combinable per session. Three shapes:
 * - attempt faults end an attempt of the queue job (`crash`, `error`) and may be retried;
 * - ending faults decide how the final attempt ends (`truncate`, `silent-death`, `abandon`);
 * - moment faults happen once, after a token count (`stall`, `disconnect`, `ping-silence`);
 * - delivery faults shape single events, chosen by `sequences` or `probability`
 *   (`reorder`, `drop`, `duplicate`, `malformed`, `oversize`, `latency-spike`), applied the
 *   first time that sequence is sent in the session;
 * - `after-terminal` sends tokens after the final terminal event.
 */

const Count = z.number().int().min(1);
const Ms = z.number().min(0);

/** Which events a delivery fault hits: listed sequences, or each token with a probability. */
const Selection = {
  sequences: z.array(Count).min(1).optional(),
  probability: z.number().min(0).max(1).optional(),
};

function needsSelection(fault: { sequences?: number[] | undefined; probability?: number | undefined }, context: z.RefinementCtx): void {
  if ((fault.sequences === undefined) === (fault.probability === undefined)) {
    context.addIssue({ code: 'custom', path: ['sequences'], message: 'give either sequences: [..] or probability: 0..1 (exactly one)' });
  }
}

export const RetrySchema = z.strictObject({
  /** Laravel's `$tries`: total attempts, the first included. */
  tries: z.number().int().min(2, "tries counts every attempt, the first included (Laravel's $tries): 2 is the first run and one retry").default(3),
  /** Delay before the queue runs the next attempt. */
  backoffMs: Ms.default(100),
  /** The job skips `sequence <= last_seq` of the stored record (the recommended guard). */
  idempotent: z.boolean().default(false),
});

export const CrashFaultSchema = z.strictObject({
  kind: z.literal('crash'),
  /** Tokens broadcast before the worker dies (no terminal). */
  afterTokens: Count,
  /** How many attempts crash in a row. */
  times: Count.default(1),
  /** Without retry the job is never run again: the record stays active until swept. */
  retry: RetrySchema.optional(),
});

export const ErrorFaultSchema = z.strictObject({
  kind: z.literal('error'),
  afterTokens: z.number().int().min(0),
  /** The job catches the exception, broadcasts `errored`/`exception`, and (with retry) is run again. */
  retry: z.strictObject({ backoffMs: Ms.default(100) }).optional(),
});

export const TruncateFaultSchema = z.strictObject({
  kind: z.literal('truncate'),
  afterTokens: Count,
  code: z.enum(['max_tokens', 'stop_sequence']).default('max_tokens'),
  /** `completed` reproduces the "no clear signal" case: the state says done, only the code says cut. */
  state: z.enum(['truncated', 'completed']).default('truncated'),
});

export const SilentDeathFaultSchema = z.strictObject({ kind: z.literal('silent-death'), afterTokens: Count });

export const AbandonFaultSchema = z.strictObject({ kind: z.literal('abandon'), afterTokens: z.number().int().min(0) });

export const StallFaultSchema = z.strictObject({ kind: z.literal('stall'), afterTokens: Count, durationMs: Ms });

export const DisconnectFaultSchema = z.strictObject({
  kind: z.literal('disconnect'),
  afterTokens: Count,
  /** Pusher close code: 4200 reconnect now, 4100 back off, 4000–4099 fatal (no reconnect). */
  code: z.number().int().min(4000).max(4399).default(4200),
  reason: z.string().optional(),
  /** Hold the stream until the channel has a subscriber again (no tokens lost to nobody). */
  waitForResubscribe: z.boolean().default(true),
});

export const PingSilenceFaultSchema = z.strictObject({
  kind: z.literal('ping-silence'),
  afterTokens: Count,
  /** The server neither answers nor sends pings on the session's sockets for this long. */
  durationMs: Ms,
});

export const ReorderFaultSchema = z
  .strictObject({
    kind: z.literal('reorder'),
    ...Selection,
    /** The chosen event is delivered after this many later events. */
    window: Count.default(2),
  })
  .superRefine(needsSelection);

export const DropFaultSchema = z.strictObject({ kind: z.literal('drop'), ...Selection }).superRefine(needsSelection);

export const DuplicateFaultSchema = z.strictObject({ kind: z.literal('duplicate'), ...Selection, copies: Count.default(1) }).superRefine(needsSelection);

export const MALFORMED_VARIANTS = ['string-sequence', 'missing-state', 'unknown-state', 'broken-json'] as const;
export type MalformedVariant = (typeof MALFORMED_VARIANTS)[number];

export const MalformedFaultSchema = z
  .strictObject({
    kind: z.literal('malformed'),
    variant: z.enum(MALFORMED_VARIANTS),
    ...Selection,
    /** Send the correct event right after (like a client-visible hiccup); without it the sequence is a gap. */
    resend: z.boolean().default(true),
  })
  .superRefine(needsSelection);

export const OversizeFaultSchema = z
  .strictObject({
    kind: z.literal('oversize'),
    ...Selection,
    /** Approximate payload size; over the contract's 10,240 bytes (10 KB) by default. */
    bytes: z.number().int().min(1).default(12_000),
    resend: z.boolean().default(true),
  })
  .superRefine(needsSelection);

export const LatencySpikeFaultSchema = z.strictObject({ kind: z.literal('latency-spike'), ...Selection, delayMs: Ms }).superRefine(needsSelection);

export const AfterTerminalFaultSchema = z.strictObject({ kind: z.literal('after-terminal'), tokens: Count.default(1) });

export const FaultSchema = z.discriminatedUnion('kind', [
  CrashFaultSchema,
  ErrorFaultSchema,
  TruncateFaultSchema,
  SilentDeathFaultSchema,
  AbandonFaultSchema,
  StallFaultSchema,
  DisconnectFaultSchema,
  PingSilenceFaultSchema,
  ReorderFaultSchema,
  DropFaultSchema,
  DuplicateFaultSchema,
  MalformedFaultSchema,
  OversizeFaultSchema,
  LatencySpikeFaultSchema,
  AfterTerminalFaultSchema,
]);
export type FaultInput = z.input<typeof FaultSchema>;
export type Fault = z.output<typeof FaultSchema>;
export type FaultKind = Fault['kind'];
export type FaultOf<K extends FaultKind> = Extract<Fault, { kind: K }>;

export const FAULT_KINDS: readonly FaultKind[] = [
  'crash',
  'error',
  'truncate',
  'silent-death',
  'abandon',
  'stall',
  'disconnect',
  'ping-silence',
  'reorder',
  'drop',
  'duplicate',
  'malformed',
  'oversize',
  'latency-spike',
  'after-terminal',
];

/**
 * Session faults the server itself performs: the embedded mock closes the session's sockets or
 * stops answering their pings. A real server (Reverb, soketi, Pusher) cannot be told to, so
 * `check --url` sets aside the scenarios that use them (the fault proxy's rules of the same
 * kinds act on the wire instead).
 */
export const SERVER_FAULTS: readonly FaultKind[] = ['disconnect', 'ping-silence'];

/** Faults that decide how the final attempt ends; a session may have at most one. */
export const ENDING_FAULTS: readonly FaultKind[] = ['truncate', 'silent-death', 'abandon'];

/** One line per fault, for `--help`, docs and the UI's scenario runner. */
export const FAULT_SUMMARIES: Record<FaultKind, string> = {
  crash: 'worker dies after N tokens (no terminal); with retry the queue replays from sequence 1 (or resumes after last_seq with idempotent: true)',
  error: 'the job broadcasts errored/exception after N tokens; with retry a new attempt streams from 1 and completes',
  truncate: 'the provider stops at max_tokens or stop_sequence: truncated (or completed with the code as the only signal)',
  'silent-death': 'the worker is killed: no terminal ever; the record stays active until the orphan sweeper marks it orphaned',
  abandon: 'the client cancels: abandoned / client_cancelled',
  stall: 'no event for durationMs after N tokens, then the stream resumes',
  disconnect: 'the server closes the session subscribers’ sockets with a Pusher close code after N tokens',
  'ping-silence': 'the server stops answering (and sending) pings on the session’s sockets for durationMs',
  reorder: 'an event is delivered `window` events late',
  drop: 'events are never sent (gaps)',
  duplicate: 'events are delivered again (copies)',
  malformed: 'a broken payload: string sequence, missing state, unknown state or broken JSON (optionally resent correctly)',
  oversize: 'a payload over 10,240 bytes (optionally resent correctly)',
  'latency-spike': 'extra delay before chosen events',
  'after-terminal': 'tokens keep coming after the terminal event',
};
