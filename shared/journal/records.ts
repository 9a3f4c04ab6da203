import { z } from 'zod';

/** Connection states recorded in the journal (DESIGN §6). */
export const ConnectionStateSchema = z.enum(['connecting', 'connected', 'unavailable', 'disconnected', 'failed']);
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

export const SubscriptionStatusSchema = z.enum(['subscribed', 'failed', 'unsubscribed']);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatusSchema>;

/** Arrival time: epoch ms with sub-millisecond fraction. */
const At = z.number().finite();

export const HeaderRecordSchema = z.looseObject({
  type: z.literal('header'),
  format: z.literal('echoscope-journal'),
  version: z.number().int(),
  createdAt: z.string(),
});
export type HeaderRecord = z.infer<typeof HeaderRecordSchema>;

/**
 * `reason` of the `disconnected` record EchoScope writes when it closes a connection itself
 * (end of a watch, a user's Disconnect). It marks the journal's end; it is not a drop, so the
 * analyzer does not count it as a `disconnect` anomaly.
 */
export const CLIENT_CLOSE_REASON = 'closed by EchoScope';

/**
 * `source` is set on records imported from a file (its name): with `connection` it names the
 * vantage the record was seen from, so two imported recordings of one session stay two
 * observations even when both call their connection `c1`.
 */
const Source = z.string().min(1).optional();

/**
 * `tap` is set on the records of a server-side tap (electron/core/taps): what the server side was
 * given, read from Redis — `laravel` (Laravel's redis broadcaster) or `reverb` (Reverb's scaling
 * channel). Such a vantage sees every published event without subscribing; the analyzer compares
 * the clients' observations of a session with it (published versus delivered).
 */
const Tap = z.string().min(1).optional();

export const ConnectionRecordSchema = z.looseObject({
  type: z.literal('connection'),
  at: At,
  connection: z.string().min(1),
  source: Source,
  tap: Tap,
  state: ConnectionStateSchema,
  socketId: z.string().optional(),
  /** WebSocket close code or Pusher error code when the state change came with one. */
  code: z.number().int().optional(),
  reason: z.string().optional(),
});
export type ConnectionRecord = z.infer<typeof ConnectionRecordSchema>;

export const SubscriptionRecordSchema = z.looseObject({
  type: z.literal('subscription'),
  at: At,
  connection: z.string().min(1),
  source: Source,
  channel: z.string().min(1),
  status: SubscriptionStatusSchema,
  /** HTTP status or Pusher error code of a failed subscription. */
  code: z.number().int().optional(),
  error: z.string().optional(),
});
export type SubscriptionRecord = z.infer<typeof SubscriptionRecordSchema>;

export const FrameRecordSchema = z.looseObject({
  type: z.literal('frame'),
  at: At,
  connection: z.string().min(1),
  source: Source,
  tap: Tap,
  /** A tap's frame: the socket id the publisher asked to leave out (Laravel's `toOthers()`, Reverb's `socket_id`). */
  exceptSocketId: z.string().optional(),
  /** Absent for connection-level protocol frames (`pusher:ping`, `pusher:error`, …). */
  channel: z.string().optional(),
  event: z.string(),
  /**
   * Parsed payload, or the raw string when it is not JSON; absent for a message that had none
   * (soketi's `pusher_internal:subscription_succeeded`): such a frame is written without `data`.
   */
  data: z.unknown().optional(),
});
export type FrameRecord = z.infer<typeof FrameRecordSchema>;

export const JournalRecordSchema = z.discriminatedUnion('type', [ConnectionRecordSchema, SubscriptionRecordSchema, FrameRecordSchema]);
export type JournalRecord = z.infer<typeof JournalRecordSchema>;
