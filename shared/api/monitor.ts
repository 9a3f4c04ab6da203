import { z } from 'zod';
import { RECONCILE_TRIGGERS } from '../analysis/reconcile';
import { ANOMALY_KINDS } from '../analysis/verdict';
import { SessionStatusSchema } from '../contract/states';
import { FrameRecordSchema } from '../journal/records';

/** Wire schemas of the Monitor's part of the App API: session rows, one session's detail, fleet buckets. */

export { SessionStatusSchema };
export const AnomalyKindSchema = z.enum([...ANOMALY_KINDS, 'reconcile_mismatch']);

const Latency = z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() }).nullable();

export const AnomalySchema = z.looseObject({ kind: AnomalyKindSchema, at: z.number(), sequence: z.number().optional() });

export const ContractChoiceSchema = z.object({ name: z.string(), confidence: z.enum(['given', 'high', 'low']), reason: z.string() });

/** A channel whose frames no contract read (the analyzer's `Verdict.unrecognised`). */
export const UnrecognisedChannelSchema = z.object({
  channel: z.string(),
  connection: z.string(),
  frames: z.number(),
  firstAt: z.number(),
  events: z.array(z.string()),
  sample: z.object({ event: z.string(), data: z.string() }),
  contract: z.string().nullable(),
});
export type UnrecognisedChannel = z.infer<typeof UnrecognisedChannelSchema>;

const Ranges = z.array(z.object({ from: z.number(), to: z.number() }));

/** A client observation compared with what a server-side tap saw published (the analyzer's `PublishedVsDelivered`). */
export const PublishedVsDeliveredSchema = z.object({
  taps: z.array(z.string()),
  notDelivered: Ranges,
  notDeliveredCount: z.number(),
  notPublished: Ranges,
  notPublishedCount: z.number(),
  publishToArrivalMs: Latency,
  tapInterrupted: z.boolean(),
  leftOut: z.number(),
});
export type PublishedVsDeliveredView = z.infer<typeof PublishedVsDeliveredSchema>;

/** A session as the Live list shows it: the verdict's counters without the texts, plus arrival times. */
export const SessionRowSchema = z.looseObject({
  sessionId: z.string(),
  channel: z.string(),
  status: SessionStatusSchema,
  terminalStates: z.array(z.string()),
  terminationCode: z.string().nullable(),
  events: z.number(),
  uniqueSequences: z.number(),
  maxSequence: z.number(),
  duplicates: z.number(),
  conflicts: z.number(),
  replays: z.number(),
  outOfOrder: z.number(),
  afterTerminal: z.number(),
  missing: z.number(),
  stalls: z.number(),
  violations: z.number(),
  disconnects: z.number(),
  /** Events another vantage received (within this one's coverage) that this one did not. */
  deliveryLoss: z.number(),
  attempts: z.number(),
  lastAttempt: z.object({ attempt: z.number(), from: z.number(), to: z.number() }).nullable(),
  /** Began watching after the stream had: the head before `coverage.fromSequence` is unobserved, not lost. */
  joinedLate: z.boolean(),
  coverage: z.object({ subscribedAt: z.number().nullable(), fromSequence: z.number().nullable() }),
  /** Which detections the contract makes possible: an event stream (no sequence numbers) cannot find gaps; its ids may tell order and redeliveries. */
  checks: z.object({ gaps: z.boolean(), order: z.boolean(), duplicates: z.boolean() }),
  /** The contract the session's channel is read with: given, or detected from its first frames with a confidence and the reason. */
  contract: ContractChoiceSchema,
  terminationDetail: z.string().optional(),
  ttftMs: z.number().nullable(),
  ttftFrom: z.enum(['start_event', 'record', 'run']).nullable(),
  ttftNote: z.enum(['joined_late', 'no_known_start', 'no_token']).optional(),
  durationMs: z.number().nullable(),
  interTokenMs: Latency,
  deliveryMs: Latency,
  /** The vantage of the observation the row's status and texts come from (the fullest one). */
  connection: z.string(),
  source: z.string().optional(),
  /** The observation is a server-side tap's (its format): what was published. */
  tap: z.string().optional(),
  /** A client observation of a session a tap saw: published versus delivered. */
  published: PublishedVsDeliveredSchema.optional(),
  /** How many vantages saw the session (connections, imported files). */
  observations: z.number(),
  /** Kinds present among the session's anomalies, for filtering and icons. */
  anomalyKinds: z.array(AnomalyKindSchema),
  firstAt: z.number().nullable(),
  lastAt: z.number().nullable(),
  terminalAt: z.number().nullable(),
});
export type SessionRow = z.infer<typeof SessionRowSchema>;

const ReconcileMismatchSchema = z.object({
  field: z.string(),
  expected: z.unknown(),
  received: z.unknown(),
  /** For a text mismatch: the first character where the texts differ (`expected`/`received` are excerpts around it). */
  at: z.number().optional(),
  detail: z.string(),
});
const ReconcileTriggerSchema = z.enum(RECONCILE_TRIGGERS);

/** One comparison with the app's record. */
const ReconcileCheckSchema = z.object({
  checkedAt: z.number(),
  trigger: ReconcileTriggerSchema.optional(),
  ok: z.boolean(),
  error: z.string().optional(),
  /** Which version of the record was compared (a hash of its fields), and its `last_save_at`. */
  recordVersion: z.string().optional(),
  savedAt: z.unknown().optional(),
  mismatches: z.array(ReconcileMismatchSchema),
});

/**
 * A session's reconciliation: the latest comparison (its fields), every comparison kept
 * (`history`, oldest first) and the mismatches a later comparison no longer found (`resolved`).
 * The record is compared again after every later terminal or after-terminal activity, once the
 * session has been quiet for the settle window, after a reconnect, and on `sessions.reconcile`.
 */
export const ReconcileResultSchema = ReconcileCheckSchema.extend({
  url: z.string(),
  /** Set when the record could not be fetched (the last known mismatches then stand). */
  error: z.string().optional(),
  record: z.record(z.string(), z.unknown()).optional(),
  history: z.array(ReconcileCheckSchema).optional(),
  resolved: z.array(z.object({ field: z.string(), detail: z.string(), firstSeenAt: z.number(), resolvedAt: z.number(), recordVersion: z.string().optional() })).optional(),
});
export type ReconcileResult = z.infer<typeof ReconcileResultSchema>;

/** One observation of a session (a vantage's own counters), for the detail's "who got what". */
export const ObservationRowSchema = SessionRowSchema.extend({
  /** Opaque key of the vantage: pass it as `vantage` to the session commands to see this observation. */
  vantage: z.string(),
});
export type ObservationRow = z.infer<typeof ObservationRowSchema>;

const RangeList = z.array(z.object({ from: z.number(), to: z.number() }));

export const SessionComparisonSchema = z.object({
  sessionId: z.string(),
  channel: z.string(),
  observations: z.array(
    z.object({
      connection: z.string(),
      source: z.string().optional(),
      tap: z.string().optional(),
      published: PublishedVsDeliveredSchema.optional(),
      events: z.number(),
      received: RangeList,
      lost: RangeList,
      deliveryLoss: z.number(),
      firstArrivals: z.number(),
      lagMs: Latency,
    }),
  ),
});
export type SessionComparisonView = z.infer<typeof SessionComparisonSchema>;

export const SessionDetailSchema = z.object({
  row: SessionRowSchema,
  /** The observation `gaps`, `text`, `naiveText` and `anomalies` are of. */
  vantage: z.string(),
  /** Every observation of the session (one entry when a single vantage saw it). */
  observations: z.array(ObservationRowSchema),
  /** Who got what, when two or more vantages saw the session. */
  comparison: SessionComparisonSchema.nullable(),
  gaps: z.array(z.object({ from: z.number(), to: z.number() })),
  text: z.string(),
  naiveText: z.string(),
  anomalies: z.array(AnomalySchema),
  anomaliesDropped: z.number().optional(),
  reconcile: ReconcileResultSchema.nullable(),
  /** Set when `text`/`naiveText` were cut (`maxTextChars`): their full lengths. */
  textLength: z.number().optional(),
  naiveTextLength: z.number().optional(),
});
export type SessionDetail = z.infer<typeof SessionDetailSchema>;

const PointKindSchema = z.enum(['new', 'duplicate', 'replay', 'conflict', 'out_of_order', 'after_terminal', 'violation', 'terminal']);

/** One classified event (see shared/analysis/timeline). Only drawn points and the raw table's window cross the wire. */
export const TimelinePointSchema = z.object({
  index: z.number(),
  at: z.number(),
  x: z.number(),
  y: z.number(),
  sequence: z.number().nullable(),
  attempt: z.number(),
  kind: PointKindSchema,
  kinds: z.array(PointKindSchema),
  firstSeen: z.boolean(),
  analyzed: z.boolean(),
  chunk: z.string().nullable(),
  state: z.string().nullable(),
  emittedAt: z.number().nullable(),
});

const LatencyPointSchema = z.object({ x: z.number(), y: z.number() });
const TextSegmentSchema = z.object({ kind: z.enum(['text', 'duplicate', 'missing', 'late', 'after_terminal']), text: z.string(), sequence: z.number().nullable() });
const Points = z.array(TimelinePointSchema);

/** A session's charts, classified and downsampled on the host: a few thousand points whatever the session's length. */
export const SessionTimelineSchema = z.object({
  t0: z.number(),
  frames: z.number(),
  total: z.number(),
  drawn: z.number(),
  maxX: z.number(),
  /** No terminal event: the silence from the last frame to the host's clock (the time axis reaches it). */
  silence: z.object({ x1: z.number(), x2: z.number(), ms: z.number() }).nullable(),
  attempts: z.array(z.object({ attempt: z.number(), points: Points })),
  markers: z.object({
    replay: Points.optional(),
    duplicate: Points.optional(),
    conflict: Points.optional(),
    out_of_order: Points.optional(),
    after_terminal: Points.optional(),
    violation: Points.optional(),
    terminal: Points.optional(),
  }),
  gaps: z.array(z.object({ from: z.number(), to: z.number() })),
  stalls: z.array(z.object({ x1: z.number(), x2: z.number(), at: z.number() })),
  disconnects: z.array(z.object({ x: z.number(), at: z.number(), code: z.number().nullable() })),
  terminal: z.object({ x: z.number(), state: z.string() }).nullable(),
  latency: z.object({
    samples: z.number(),
    interToken: z.array(LatencyPointSchema),
    delivery: z.array(LatencyPointSchema),
    histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number(), label: z.string() })),
  }),
  /** The first `maxTextChars` characters of each text, and each text's full length (`sessions.text` sends all of it). */
  text: z.object({ correct: z.array(TextSegmentSchema), naive: z.array(TextSegmentSchema), correctChars: z.number(), naiveChars: z.number() }).nullable(),
});
export type SessionTimelineView = z.infer<typeof SessionTimelineSchema>;

export const FrameRowSchema = z.object({ frame: FrameRecordSchema, point: TimelinePointSchema });
export type FrameRowView = z.infer<typeof FrameRowSchema>;

/** A session, and optionally which of its observations (a `vantage` from the detail); default: the fullest. */
const SessionRef = { sessionId: z.string().min(1), vantage: z.string().min(1).max(2000).optional() };

export const SessionFilterSchema = z
  .object({
    status: z.array(SessionStatusSchema).optional(),
    anomaly: AnomalyKindSchema.optional(),
    /** Substring of the channel or session id. */
    text: z.string().max(200).optional(),
    from: z.number().optional(),
    to: z.number().optional(),
    limit: z.number().int().min(1).max(50_000).default(5000),
  })
  .strict();
export type SessionFilter = z.input<typeof SessionFilterSchema>;

export const FleetBucketSchema = z.object({
  start: z.number(),
  /** Sessions that ended (first terminal) in this bucket, by final status; open ones counted where last heard from. */
  byStatus: z.record(z.string(), z.number()),
  sessions: z.number(),
  events: z.number(),
  duplicates: z.number(),
  missing: z.number(),
  ttftP95: z.number().nullable(),
  interTokenP95: z.number().nullable(),
});
export type FleetBucket = z.infer<typeof FleetBucketSchema>;

/**
 * Delivery loss of one client vantage in one time bucket (sessions seen from two or more vantages,
 * placed where they ended, else where last heard from): `lost` of `expected` (received + lost).
 * Taps are the reference (what was published) and are not listed.
 */
export const VantageLossBucketSchema = z.object({
  start: z.number(),
  /** The vantage in words (connection, or file · connection). */
  vantage: z.string(),
  sessions: z.number(),
  expected: z.number(),
  lost: z.number(),
});
export type VantageLossBucket = z.infer<typeof VantageLossBucketSchema>;

export const MonitorSettingsSchema = z
  .object({
    stallAfterMs: z.number().int().min(100).max(3_600_000),
    orphanAfterMs: z.number().int().min(1000).max(86_400_000),
    reorderWindowMs: z.number().int().min(0).max(600_000),
  })
  .strict();
export type MonitorSettings = z.infer<typeof MonitorSettingsSchema>;

export const SummarySchema = z.looseObject({ sessions: z.number(), byStatus: z.record(z.string(), z.number()) });

/** A problem with a draft contract, as the host's validation names it: `path` is the field (`fields.sequence`, `stream.events.text`; `profile` for the whole). */
export const ContractIssueSchema = z.object({ path: z.string(), message: z.string() });
export type ContractIssue = z.infer<typeof ContractIssueSchema>;

/** One session a draft contract found in the recorded frames (observations combined). */
export const PreviewSessionSchema = z.object({
  sessionId: z.string(),
  channel: z.string(),
  status: SessionStatusSchema,
  terminationCode: z.string().nullable(),
  events: z.number(),
  duplicates: z.number(),
  replays: z.number(),
  violations: z.number(),
});
export type PreviewSession = z.infer<typeof PreviewSessionSchema>;

/**
 * What a draft contract makes of the most recent recorded frames (`contracts.preview`), read by a
 * fresh analyzer: live analysis is not changed. Lists are samples (`…Total` says how many in all).
 */
export const ContractPreviewSchema = z.discriminatedUnion('valid', [
  /** The draft cannot work: the host's validation message (`parseContractProfile`'s) and each issue with the field it names. */
  z.object({ valid: z.literal(false), error: z.string(), issues: z.array(ContractIssueSchema) }),
  z.object({
    valid: z.literal(true),
    /** The contract's name; null for automatic detection (a null draft). */
    contract: z.string().nullable(),
    kind: z.enum(['automatic', 'sequenced', 'stream']),
    /** Records read (frames, connection and subscription records), the newest the monitor retains. */
    records: z.number(),
    frames: z.number(),
    /** Frames the draft read as events of a session (or as violations of it). */
    framesRead: z.number(),
    channels: z.number(),
    /** Channels with at least one frame read, and every frame on them. */
    channelsRead: z.number(),
    framesOnChannelsRead: z.number(),
    sessions: z.array(PreviewSessionSchema),
    sessionsTotal: z.number(),
    summary: SummarySchema,
    violations: z.array(z.object({ sessionId: z.string(), channel: z.string(), at: z.number(), kind: z.string(), sequence: z.number().optional(), reason: z.string() })),
    violationsTotal: z.number(),
    /** Channels none of whose frames the draft read (with a sample), and event names it did not read on any channel. */
    unrecognised: z.array(UnrecognisedChannelSchema),
    unrecognisedTotal: z.number(),
    unreadEvents: z.array(z.object({ event: z.string(), frames: z.number(), channel: z.string() })),
  }),
]);
export type ContractPreview = z.infer<typeof ContractPreviewSchema>;

/** Records `contracts.preview` reads at most (the newest the monitor retains). */
export const PREVIEW_MAX_RECORDS = 20_000;

/** The sessions live analysis verdicted: their rows, details, charts, frames and the fleet over them (SessionsService on the host). */
export const sessionCommands = {
  'sessions.list': { request: SessionFilterSchema, response: z.object({ total: z.number(), rows: z.array(SessionRowSchema) }) },
  /**
   * One session's verdict. `maxTextChars` cuts `text` and `naiveText` (a 100k-token session's texts
   * are megabytes the page does not show at once); `textLength`/`naiveTextLength` are then set to the full lengths.
   */
  'sessions.get': { request: z.object({ ...SessionRef, maxTextChars: z.number().int().min(0).optional() }).strict(), response: SessionDetailSchema },
  'sessions.events': {
    request: z.object({ sessionId: z.string().min(1), limit: z.number().int().min(1).max(200_000).default(10_000) }).strict(),
    response: z.array(FrameRecordSchema),
  },
  /** The detail's charts, prepared on the host (classified with the monitor's settings and contract, downsampled, every anomaly kept). */
  'sessions.timeline': {
    request: z.object({ ...SessionRef, maxPoints: z.number().int().min(100).max(20_000).default(2000), maxTextChars: z.number().int().min(0).default(20_000) }).strict(),
    response: SessionTimelineSchema,
  },
  /** Both texts of a session in full, as segments (what the detail's "show all" asks for). */
  'sessions.text': {
    request: z.object(SessionRef).strict(),
    response: z.object({ correct: z.array(TextSegmentSchema), naive: z.array(TextSegmentSchema) }),
  },
  /** A window of the raw frames with their classification, for the virtualized table; `total` frames in all. */
  'sessions.frames': {
    request: z.object({ ...SessionRef, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    response: z.object({ total: z.number(), t0: z.number(), rows: z.array(FrameRowSchema) }),
  },
  /** The frame that showed an anomaly (same arrival and sequence, else the nearest in time); null without frames. */
  'sessions.locate': {
    request: z.object({ ...SessionRef, at: z.number(), sequence: z.number().optional() }).strict(),
    response: TimelinePointSchema.nullable(),
  },
  'fleet.summary': {
    request: z.object({ bucketMs: z.number().int().min(100).max(86_400_000).default(10_000), from: z.number().optional(), to: z.number().optional() }).strict(),
    response: z.object({ bucketMs: z.number(), buckets: z.array(FleetBucketSchema), summary: SummarySchema, lossByVantage: z.array(VantageLossBucketSchema) }),
  },
  /** Fetches the session's generation record again now and compares (the profile's `reconcile` settings). */
  'sessions.reconcile': { request: z.object(SessionRef).strict(), response: ReconcileResultSchema },
} as const;

/** How live analysis reads channels: its thresholds, its contract, a draft contract's preview, what no contract read (ContractsService on the host). */
export const contractCommands = {
  'monitor.settings': { request: MonitorSettingsSchema.partial().strict(), response: MonitorSettingsSchema },
  /**
   * The contract live analysis reads channels with (DESIGN §4, issue 18): `{}` reads it,
   * `{profile}` gives one for every channel (validated: a profile that cannot work is refused
   * naming the wrong field), `{profile: null}` goes back to the default — each channel's contract
   * detected from its first frames among the built-in ones (`automatic`). What was seen so far is
   * analyzed again.
   */
  'monitor.profile': {
    request: z.object({ profile: z.unknown().optional() }).strict(),
    response: z.object({ profile: z.record(z.string(), z.unknown()).nullable(), automatic: z.boolean() }),
  },
  /**
   * What a draft contract (Settings' form) makes of the most recent recorded frames — up to
   * `limit` records — read by a fresh analyzer with the monitor's thresholds; live analysis is
   * not changed. `profile: null` previews automatic detection. An invalid draft is an answer
   * (`valid: false` with the fields named), not an error.
   */
  'contracts.preview': {
    request: z.object({ profile: z.unknown(), limit: z.number().int().min(1).max(PREVIEW_MAX_RECORDS).default(PREVIEW_MAX_RECORDS) }).strict(),
    response: ContractPreviewSchema,
  },
  /** Channels whose frames no contract read: listed with a sample, never silently dropped. */
  'channels.unrecognised': {
    request: z.object({}).strict(),
    response: z.object({ items: z.array(UnrecognisedChannelSchema) }),
  },
} as const;

/** The Monitor's commands, both groups. */
export const monitorCommands = { ...sessionCommands, ...contractCommands } as const;
