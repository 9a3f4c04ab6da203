import { z } from 'zod';
import { ApiErrorSchema } from '../api/result';
import type { CapturedBatch } from './captured';
import { checkRecord } from './guards';
import type { JournalRecord } from './records';

/**
 * Messages between Electron main and the hidden journal window (DESIGN §2), over a
 * MessageChannelMain port. Main sends requests, the window answers each `id` once with a
 * Result (errors as data, STYLE §4); an export also streams `chunk`s before its result, paced
 * by the client's `exportPull`s (EXPORT_WINDOW).
 */

export { JOURNAL_PORT_CHANNEL, JOURNAL_PORT_MESSAGE } from './window-port';

/** Records are checked with the hand-written guard: a zod object parse per record would cost more than the write. */
export const JournalRecordsSchema = z.array(z.custom<JournalRecord>((value) => checkRecord(value).ok, 'not a journal record'));

/**
 * An append: records, or Pusher frames as their wire text (captured.ts). Decoded and checked when
 * it is answered (window-server.ts), into the batch the journal stores — and, for a server that
 * analyzes what it journals, into the records as well, in one decode.
 */
export const CapturedBatchSchema = z.custom<CapturedBatch>();

export const JournalQuerySchema = z.strictObject({
  sessionKey: z.string().optional(),
  channel: z.string().optional(),
  connection: z.string().optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  limit: z.number().int().nonnegative().optional(),
});

export const RetentionPolicySchema = z.strictObject({
  maxAgeMs: z.number().nonnegative().optional(),
  maxBytes: z.number().int().nonnegative().optional(),
});

const Id = z.number().int().nonnegative();

/**
 * Chunks of an export sent ahead of the client's pulls. The export's side waits beyond it, so a
 * slow reader (a download, a disk) holds the journal's reading instead of queueing the journal
 * in the client's memory: at most this many chunks (~1 MiB each) are in flight.
 */
export const EXPORT_WINDOW = 4;

export const JournalWindowRequestSchema = z.discriminatedUnion('op', [
  z.object({ id: Id, op: z.literal('append'), batch: CapturedBatchSchema, tag: z.object({ writer: z.string().min(1), id: z.number().int().positive() }).optional() }),
  z.object({ id: Id, op: z.literal('import'), records: JournalRecordsSchema }),
  z.object({ id: Id, op: z.literal('query'), query: JournalQuerySchema }),
  z.object({ id: Id, op: z.literal('count') }),
  z.object({ id: Id, op: z.literal('stats') }),
  z.object({ id: Id, op: z.literal('channels') }),
  z.object({ id: Id, op: z.literal('sessions') }),
  /** Streams `chunk`s: at most EXPORT_WINDOW ahead of the `exportPull`s the client sent (one per chunk it took). */
  z.object({ id: Id, op: z.literal('export'), createdAt: z.string(), query: JournalQuerySchema.optional() }),
  /** The client took one chunk of export `export`: one more may come. */
  z.object({ id: Id, op: z.literal('exportPull'), export: Id }),
  /** The client wants no more of export `export` (its reader stopped): the export ends early. */
  z.object({ id: Id, op: z.literal('exportCancel'), export: Id }),
  z.object({ id: Id, op: z.literal('prune'), policy: RetentionPolicySchema, nowMs: z.number() }),
]);
/** A request as sent; {@link ParsedJournalWindowRequest} as checked at the server. */
export type JournalWindowRequest = z.input<typeof JournalWindowRequestSchema>;
export type ParsedJournalWindowRequest = z.output<typeof JournalWindowRequestSchema>;
export type JournalWindowOp = JournalWindowRequest['op'];

const StatsSchema = z.object({ records: z.number(), bytes: z.number(), blocks: z.number(), oldestAt: z.number().nullable(), newestAt: z.number().nullable() });
const ChannelSummarySchema = z.object({ connection: z.string(), channel: z.string(), records: z.number(), bytes: z.number(), firstAt: z.number(), lastAt: z.number() });
const SessionSummarySchema = z.object({
  sessionKey: z.string(),
  channels: z.array(z.string()),
  connections: z.array(z.string()),
  records: z.number(),
  bytes: z.number(),
  firstAt: z.number(),
  lastAt: z.number(),
});
const PruneResultSchema = z.object({ records: z.number(), bytes: z.number(), blocks: z.number() });

/** What each request's successful result carries. */
export const JournalWindowValueSchemas = {
  append: z.null(),
  import: z.number(),
  query: JournalRecordsSchema,
  count: z.number(),
  stats: StatsSchema,
  channels: z.array(ChannelSummarySchema),
  sessions: z.array(SessionSummarySchema),
  export: z.number(),
  exportPull: z.null(),
  exportCancel: z.null(),
  prune: PruneResultSchema,
} satisfies Record<JournalWindowOp, z.ZodType>;
export type JournalWindowValue<Op extends JournalWindowOp> = z.infer<(typeof JournalWindowValueSchemas)[Op]>;

export const JournalWindowMessageSchema = z.discriminatedUnion('kind', [
  /** The store is open (or could not be: `error`). Sent once. */
  z.object({ kind: z.literal('ready'), error: ApiErrorSchema.optional() }),
  z.object({
    kind: z.literal('result'),
    id: Id,
    result: z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: ApiErrorSchema })]),
  }),
  /** A piece of an export (whole NDJSON lines), before its result. */
  z.object({ kind: z.literal('chunk'), id: Id, text: z.string() }),
]);
export type JournalWindowMessage = z.infer<typeof JournalWindowMessageSchema>;
