import type { TerminalState } from '../contract';
import type { SessionStatus } from '../contract/states';
import type { LatencySummary } from './histogram';

/** The verdict JSON of DESIGN §5 (`echoscope analyze --json`, `watch --json`, reports). */

export const ANOMALY_KINDS = [
  'duplicate',
  'conflict',
  'replay',
  'out_of_order',
  'gap',
  'stall',
  'after_terminal',
  'terminal_conflict',
  'violation',
  'oversize',
  'disconnect',
  'delivery_loss',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export type { SessionStatus };

/**
 * Where a session was seen from. A live connection is its profile id; an imported file adds its
 * `source` (the file name) so two files that both call their connection `c1` stay apart.
 */
export interface Vantage {
  connection: string;
  source?: string;
  /** Set for a server-side tap (its format, `laravel` or `reverb`): the vantage of what was published. */
  tap?: string;
}

/**
 * Published versus delivered (issue 20): a client observation of a session a tap saw too, compared
 * with what the tap saw published. Ranges are sequences (an event stream's positions), each list cut
 * to `maxGapRanges`; the counts are exact.
 */
export interface PublishedVsDelivered {
  /** The tap vantages compared with (their events together are "published"). */
  taps: string[];
  /** Published, within this observation's coverage, and never received: the loss between the server and this client. */
  notDelivered: GapRange[];
  notDeliveredCount: number;
  /** Received, within the taps' coverage, and never published through the tapped path (another path, or a fake). */
  notPublished: GapRange[];
  notPublishedCount: number;
  /**
   * From the tap's arrival of each event (its publish, as read from Redis) to this observation's
   * arrival of it; both are stamped by this process's clock. An event the client got before the tap
   * read it counts 0 ms. Null before any event was both published and received.
   */
  publishToArrivalMs: LatencySummary | null;
  /** A tap dropped while the session was open: what it missed then may show as not published. */
  tapInterrupted: boolean;
  /**
   * Published leaving this client's socket out (Laravel's `toOthers()`, Reverb's `socket_id`: the
   * socket ids its connection records name) and not received: not its to get, so neither not
   * delivered nor delivery loss.
   */
  leftOut: number;
}

/** Where a known start of the job came from (what `ttftMs` is measured from). */
export type TtftFrom = 'start_event' | 'record' | 'run';

/** Why `ttftMs` is null. */
export type TtftNote = 'joined_late' | 'no_known_start' | 'no_token';

/** When the job began, as something other than the stream told EchoScope. */
export interface KnownStart {
  at: number;
  from: TtftFrom;
  /**
   * How coarse `at` is: the job began in [at, at + precisionMs). 0 (the default) for a start
   * measured here; 1000 for a record timestamp saved to the second (Laravel's `initiated_at`).
   */
  precisionMs?: number;
}

export interface Anomaly {
  kind: AnomalyKind;
  /** Arrival time of the event that showed it (for `stall`: when the silence reached stallAfterMs). */
  at: number;
  sequence?: number;
  /** gap, delivery_loss: last missing sequence of the range (`sequence` is the first). */
  to?: number;
  /** gap, delivery_loss: how many sequences the range holds. */
  count?: number;
  /** conflict: the differing chunk and the first one seen (each cut to 80 characters). */
  chunk?: string;
  firstChunk?: string;
  /** replay: highest sequence reached before the restart. */
  restartedAfter?: number;
  /** out_of_order: the highest sequence when it arrived. */
  max?: number;
  /** terminal_conflict: the new terminal state and the one it contradicts. */
  state?: string;
  previous?: string;
  /** stall: length of the silence; `ongoing` when no event has resumed it yet. */
  silentMs?: number;
  ongoing?: boolean;
  /** violation / oversize: what is wrong. */
  reason?: string;
  /** disconnect: the connection and the state it went to. */
  connection?: string;
  code?: number;
}

export interface GapRange {
  from: number;
  to: number;
}

/** One observation's verdict: a session as one vantage saw it. */
/** What a contract lets EchoScope check (see `SessionVerdict.checks`). */
export interface SessionChecks {
  /** Holes in the stream (`missing`, `gaps`): needs a sequence number. */
  gaps: boolean;
  /** Order within an attempt (`outOfOrder`): needs a sequence number, or ids that sort in generation order. */
  order: boolean;
  /** Redelivered events (`duplicates`, `conflicts`): needs a sequence number or an id per event. */
  duplicates: boolean;
}

/** Every check possible: a sequenced contract (DESIGN §4). */
export const ALL_CHECKS: SessionChecks = Object.freeze({ gaps: true, order: true, duplicates: true });

/**
 * How a channel's contract was chosen: `given` (`--contract`, Settings), or detected from its
 * first frames with `high` confidence (they fit that contract alone) or `low` (they fit several).
 */
export interface ContractChoice {
  name: string;
  confidence: 'given' | 'high' | 'low';
  reason: string;
}

/** Placeholder until the analyzer says which contract a session was read with. */
export const UNSTATED_CHOICE: ContractChoice = Object.freeze({ name: 'echoscope', confidence: 'given', reason: '' });

/** A channel that sent frames no contract read: listed, never silently dropped. */
export interface UnrecognisedChannel {
  channel: string;
  /** The connection that first got a frame on it. */
  connection: string;
  /** Frames that were not read (Pusher's own frames not counted). */
  frames: number;
  firstAt: number;
  /** Distinct event names seen, at most 8. */
  events: string[];
  /** The first unread frame, its data cut to 300 characters. */
  sample: { event: string; data: string };
  /** The contract the channel is read with when one was given; null when none fits. */
  contract: string | null;
}

export interface SessionVerdict {
  sessionId: string;
  channel: string;
  /** The vantage: the connection (profile id, or the connection id inside an imported file)… */
  connection: string;
  /** …and the imported file it came from, when it did. */
  source?: string;
  /** Set when the vantage is a server-side tap (its format): this observation is what was published. */
  tap?: string;
  /** A client observation of a session a tap saw: what was published and not delivered, and the other way round. */
  published?: PublishedVsDelivered;
  status: SessionStatus;
  terminalStates: TerminalState[];
  terminationCode: string | null;
  /** What the contract said went wrong, when it said (an event stream's error message). */
  terminationDetail?: string;
  events: number;
  uniqueSequences: number;
  maxSequence: number;
  duplicates: number;
  conflicts: number;
  replays: number;
  outOfOrder: number;
  afterTerminal: number;
  missing: number;
  gaps: GapRange[];
  stalls: number;
  violations: number;
  disconnects: number;
  /** Events another observation of the session received, within this one's coverage, that this one did not. */
  deliveryLoss: number;
  /** 1 + restarts seen (a crash + one retry = 2). */
  attempts: number;
  /** The last attempt's lowest and highest sequence: what the app's record (`last_seq`) describes. Null before any event. */
  lastAttempt: { attempt: number; from: number; to: number } | null;
  /** The observation began after the stream had: the unseen head is neither missing nor a gap. */
  joinedLate: boolean;
  /**
   * Which detections the session's contract makes possible. A stream without sequence numbers
   * (an event-stream contract: the Laravel AI SDK's, Prism's) has no counter to find a gap with and
   * no order but arrival: its `missing`, `gaps` and `outOfOrder` are 0 because nothing can be known,
   * not because nothing went wrong.
   */
  checks: SessionChecks;
  /** The contract the session's channel was read with, and why. */
  contract: ContractChoice;
  coverage: {
    /** When the vantage's subscription was confirmed (null when the journal does not say). */
    subscribedAt: number | null;
    /** First sequence this observation answers for: 1, or the one it joined at (null before any event). */
    fromSequence: number | null;
  };
  ttftMs: number | null;
  /** What `ttftMs` was measured from; null when it is null. */
  ttftFrom: TtftFrom | null;
  /** Why `ttftMs` is null, when it is. */
  ttftNote?: TtftNote;
  durationMs: number | null;
  interTokenMs: LatencySummary | null;
  deliveryMs: LatencySummary | null;
  text: string;
  naiveText: string;
  /** Set only when a text hit the per-session cap (AnalyzerOptions.maxTextChars). */
  textTruncated?: true;
  naiveTextTruncated?: true;
  anomalies: Anomaly[];
  /** Set only when the per-session anomaly cap dropped some (counters stay exact). */
  anomaliesDropped?: number;
}

/** One observation's part in a comparison of a session seen from several vantages. */
export interface ObservationComparison {
  connection: string;
  source?: string;
  /** A server-side tap (its format): what was published. */
  tap?: string;
  /** A client observation when a tap saw the session too (see `SessionVerdict.published`). */
  published?: PublishedVsDelivered;
  events: number;
  /** Sequences received, as ranges (at most `maxGapRanges`). */
  received: GapRange[];
  /** Sequences others (taps included) got within this one's coverage and this one did not; none for a tap. */
  lost: GapRange[];
  deliveryLoss: number;
  /** Events it was the first vantage to receive. */
  firstArrivals: number;
  /** How far behind the first vantage to receive each event it got later (ms), null when never behind. */
  lagMs: LatencySummary | null;
}

/** A session seen by two or more vantages: who got what. */
export interface SessionComparison {
  sessionId: string;
  channel: string;
  observations: ObservationComparison[];
}

export interface VerdictSummary {
  /** Distinct sessions (a session seen from two connections counts once). */
  sessions: number;
  /** Observations: one per session and vantage (the entries of `Verdict.sessions`). */
  observations: number;
  byStatus: Partial<Record<SessionStatus, number>>;
  events: number;
  duplicates: number;
  conflicts: number;
  replays: number;
  outOfOrder: number;
  afterTerminal: number;
  missing: number;
  stalls: number;
  violations: number;
  disconnects: number;
  deliveryLoss: number;
  /** Frames that are not the profile's event on a profile channel (protocol frames, other events). */
  ignoredFrames: number;
}

export interface Verdict {
  version: 1;
  /** One entry per observation (session × vantage). */
  sessions: SessionVerdict[];
  /** Sessions seen from two or more vantages. */
  comparisons: SessionComparison[];
  /** Channels whose frames fit no contract (or none of which the given contract read). */
  unrecognised: UnrecognisedChannel[];
  summary: VerdictSummary;
}

/**
 * A session as one row, from all its observations: the fullest observation (most events; the
 * first seen on a tie) gives status, times, latencies and texts; anomaly counters are the worst
 * any observation saw, and the anomalies are all of them — so a fault seen by one client only
 * still shows. A tap (what was published) gives the row only when no client saw the session:
 * the row says what a client got.
 */
export function combineObservations(observations: readonly SessionVerdict[]): SessionVerdict & { observations: number } {
  let primary = observations[0]!;
  for (const o of observations) {
    const clientFirst = (o.tap === undefined) !== (primary.tap === undefined);
    if (clientFirst ? o.tap === undefined : o.events > primary.events) primary = o;
  }
  if (observations.length === 1) return { ...primary, observations: 1 };
  const worst = (pick: (v: SessionVerdict) => number) => Math.max(...observations.map(pick));
  const anomalies = observations.flatMap((o) => o.anomalies).sort((a, b) => a.at - b.at);
  return {
    ...primary,
    duplicates: worst((v) => v.duplicates),
    conflicts: worst((v) => v.conflicts),
    replays: worst((v) => v.replays),
    outOfOrder: worst((v) => v.outOfOrder),
    afterTerminal: worst((v) => v.afterTerminal),
    missing: worst((v) => v.missing),
    stalls: worst((v) => v.stalls),
    violations: worst((v) => v.violations),
    disconnects: worst((v) => v.disconnects),
    deliveryLoss: worst((v) => v.deliveryLoss),
    anomalies,
    observations: observations.length,
  };
}

/** Fleet counts: statuses and counters per session (observations combined), plus the number of observations. */
export function summarize(sessions: readonly SessionVerdict[], ignoredFrames: number): VerdictSummary {
  const bySession = new Map<string, SessionVerdict[]>();
  for (const s of sessions) {
    const list = bySession.get(s.sessionId);
    if (list) list.push(s);
    else bySession.set(s.sessionId, [s]);
  }
  const summary: VerdictSummary = {
    sessions: bySession.size,
    observations: sessions.length,
    byStatus: {},
    events: 0,
    duplicates: 0,
    conflicts: 0,
    replays: 0,
    outOfOrder: 0,
    afterTerminal: 0,
    missing: 0,
    stalls: 0,
    violations: 0,
    disconnects: 0,
    deliveryLoss: 0,
    ignoredFrames,
  };
  for (const list of bySession.values()) {
    const s = list.length === 1 ? list[0]! : combineObservations(list);
    summary.byStatus[s.status] = (summary.byStatus[s.status] ?? 0) + 1;
    summary.events += s.events;
    summary.duplicates += s.duplicates;
    summary.conflicts += s.conflicts;
    summary.replays += s.replays;
    summary.outOfOrder += s.outOfOrder;
    summary.afterTerminal += s.afterTerminal;
    summary.missing += s.missing;
    summary.stalls += s.stalls;
    summary.violations += s.violations;
    summary.disconnects += s.disconnects;
    summary.deliveryLoss += s.deliveryLoss;
  }
  return summary;
}
