import { Analyzer } from '../analyzer';
import type { Anomaly } from '../verdict';
import type { ContractProfile } from '../../contract';
import type { FrameRecord } from '../../journal';
import { downsampleKeepingIndices, type Series } from './downsample';

/**
 * Per-event classification of one session for the timeline. The detection rules are not
 * repeated here: the frames are fed to the shared Analyzer (with no anomaly cap), and each
 * anomaly it reports at an event's arrival time and sequence is attached to that event.
 *
 * A 100k-event session is kept as columns (typed arrays, one entry per frame), not as 100k
 * objects: classification allocates almost nothing per frame, and point objects are built only
 * for what is drawn or shown in the table.
 */

export type PointKind = 'new' | 'duplicate' | 'replay' | 'conflict' | 'out_of_order' | 'after_terminal' | 'violation' | 'terminal';

/** Which kind a point is drawn as when several apply (the most alarming first). */
const PRIORITY: readonly PointKind[] = ['violation', 'replay', 'conflict', 'after_terminal', 'out_of_order', 'duplicate', 'terminal', 'new'];

/** Kind codes of the `kind` column. */
const KIND_CODES: readonly PointKind[] = ['new', 'duplicate', 'replay', 'conflict', 'out_of_order', 'after_terminal', 'violation', 'terminal'];
const KIND_CODE = new Map(KIND_CODES.map((kind, code) => [kind, code]));

const TERMINAL_STATES = new Set(['completed', 'finished', 'truncated', 'errored', 'abandoned']);

/** Bits of the `flags` column. */
export const ANALYZED = 1;
export const FIRST_SEEN = 2;

export interface TimelinePoint {
  /** Position in the frames as received (arrival order). */
  index: number;
  at: number;
  /** Milliseconds since the session's first frame (the chart's x). */
  x: number;
  /** The event's sequence (the chart's y); 0 when the payload has none usable. */
  y: number;
  sequence: number | null;
  /** 1 for the first broadcast, 2 after the first replay restart, … */
  attempt: number;
  kind: PointKind;
  kinds: PointKind[];
  /** First time this sequence was seen (what a correct client keeps). */
  firstSeen: boolean;
  /** False for frames the analyzer ignores (protocol frames, other events on the channel): listed, not drawn. */
  analyzed: boolean;
  chunk: string | null;
  state: string | null;
  emittedAt: number | null;
}

/** A classified session: column `i` of every array describes `frames[i]`. */
export interface SessionTimeline {
  t0: number;
  frames: readonly FrameRecord[];
  /** Arrival times. */
  at: Float64Array;
  /** Usable sequence (integer ≥ 1), 0 when the payload has none. */
  sequence: Float64Array;
  /** The payload's `emitted_at`, NaN when it has none. */
  emittedAt: Float64Array;
  attempt: Uint32Array;
  /** The drawn kind's code (see `kindAt`). */
  kind: Uint8Array;
  /** ANALYZED | FIRST_SEEN. */
  flags: Uint8Array;
  /** Every kind of the frames that have any (anomalies and terminal events); most frames have none. */
  kinds: Map<number, PointKind[]>;
  attempts: number;
  /** Anomalies as the local analysis saw them (complete, not capped), by arrival. */
  anomalies: readonly Anomaly[];
  /** Arrival gaps between consecutive first-seen sequences (x: ms since t0; the verdict's interTokenMs samples). */
  interToken: Series;
  /** `at − emitted_at` of the events that carry it (negative skew as 0). */
  delivery: Series;
  /** Characters of the chunks a correct client shows (first sightings) and a naive one shows (every analyzed chunk). */
  chunkChars: { correct: number; naive: number };
}

export interface ThresholdOptions {
  stallAfterMs?: number;
  orphanAfterMs?: number;
  reorderWindowMs?: number;
  /** The contract profile the monitor uses (default: DESIGN §4). */
  profile?: ContractProfile;
}

/** A frame's payload fields, or undefined when the payload is not an object. */
export function payloadOf(frame: FrameRecord): Record<string, unknown> | undefined {
  const data = frame.data;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : undefined;
}

const pointKey = (at: number, sequence: number | null | undefined) => `${at}|${sequence ?? ''}`;

/** What live analysis already knows of the frames: which it analyzed (1 per frame) and every anomaly it found. */
export interface PriorAnalysis {
  analyzed: Uint8Array;
  anomalies: readonly Anomaly[];
}

/** Runs the shared Analyzer over one session's frames: which frames it took, and its complete anomaly list. */
function analyze(sessionId: string, frames: readonly FrameRecord[], thresholds: ThresholdOptions): PriorAnalysis {
  const n = frames.length;
  const analyzer = new Analyzer({ ...thresholds, maxAnomaliesPerSession: Number.MAX_SAFE_INTEGER, maxGapRanges: 100_000 });
  const keys = new Map<string, number>();
  const analyzed = new Uint8Array(n);
  let lastKey: string | undefined;
  let lastCount = 0;
  for (let index = 0; index < n; index++) {
    const key = analyzer.ingest(frames[index] as FrameRecord);
    if (key === undefined) continue;
    analyzed[index] = 1;
    // Counted in runs: a session's frames nearly all carry the same key.
    if (key === lastKey) lastCount++;
    else {
      if (lastKey !== undefined) keys.set(lastKey, (keys.get(lastKey) ?? 0) + lastCount);
      lastKey = key;
      lastCount = 1;
    }
  }
  if (lastKey !== undefined) keys.set(lastKey, (keys.get(lastKey) ?? 0) + lastCount);
  // The monitor's id for the session, else whichever key took most of these frames.
  let key = sessionId;
  if (!keys.has(key)) key = [...keys.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? sessionId;
  const end = Number.isFinite(analyzer.lastAt) ? analyzer.lastAt : 0;
  const verdict = analyzer.sessionVerdict(key, end, { endOfJournal: true, includeText: false });
  return { analyzed, anomalies: verdict?.anomalies ?? [] };
}

/**
 * Classifies every frame of one session (frames in arrival order, as `sessions.events` returns
 * them). With `prior` (the monitor analyzed these very frames live and kept every anomaly) the
 * analyzer is not run again: a 100k-event session is classified in one pass.
 */
export function buildTimeline(sessionId: string, frames: readonly FrameRecord[], thresholds: ThresholdOptions = {}, prior?: PriorAnalysis): SessionTimeline {
  const n = frames.length;
  const { analyzed, anomalies } = prior && prior.analyzed.length === n ? prior : analyze(sessionId, frames, thresholds);
  const flags = Uint8Array.from(analyzed);
  const firstAnalyzed = analyzed.indexOf(1);

  const byEvent = new Map<string, PointKind[]>();
  // Most events have no anomaly: their arrival time is not here, and no key string is built for them.
  const anomalyTimes = new Set<number>();
  for (const anomaly of anomalies) {
    const kind: PointKind | null =
      anomaly.kind === 'oversize' || anomaly.kind === 'violation'
        ? 'violation'
        : anomaly.kind === 'duplicate' || anomaly.kind === 'replay' || anomaly.kind === 'conflict' || anomaly.kind === 'out_of_order' || anomaly.kind === 'after_terminal'
          ? anomaly.kind
          : null;
    if (kind === null) continue;
    anomalyTimes.add(anomaly.at);
    const k = pointKey(anomaly.at, anomaly.sequence);
    const list = byEvent.get(k);
    if (list) list.push(kind);
    else byEvent.set(k, [kind]);
  }

  // Time zero is the session's first analyzed event (a subscription frame may come before it).
  const t0 = frames[firstAnalyzed]?.at ?? frames[0]?.at ?? 0;
  const at = new Float64Array(n);
  const sequenceColumn = new Float64Array(n);
  const emittedColumn = new Float64Array(n);
  const attemptColumn = new Uint32Array(n);
  const kindColumn = new Uint8Array(n);
  const kindsOf = new Map<number, PointKind[]>();
  // Seen before? Sequences are dense in practice (a typed array beats a Set several times over);
  // an absurd one (a malformed 10⁹) goes to the Set instead of sizing the array.
  const seenDense = new Uint8Array(2 * n + 2);
  const seenSparse = new Set<number>();
  const gapX = new Float64Array(n);
  const gapY = new Float64Array(n);
  const deliveryX = new Float64Array(n);
  const deliveryY = new Float64Array(n);
  let gaps = 0;
  let deliveries = 0;
  let previousFirst = Number.NaN;
  let correctChars = 0;
  let naiveChars = 0;
  let attempt = 1;
  for (let index = 0; index < n; index++) {
    const frame = frames[index] as FrameRecord;
    const payload = payloadOf(frame);
    const rawSequence = payload?.sequence;
    const sequence = typeof rawSequence === 'number' && Number.isInteger(rawSequence) && rawSequence >= 1 ? rawSequence : null;
    const rawState = payload?.state;
    const terminal = typeof rawState === 'string' && TERMINAL_STATES.has(rawState);
    const rawEmitted = payload?.emitted_at;
    at[index] = frame.at;
    sequenceColumn[index] = sequence ?? 0;
    emittedColumn[index] = typeof rawEmitted === 'number' ? rawEmitted : Number.NaN;
    let kinds: PointKind[] | undefined;
    if (anomalyTimes.has(frame.at)) {
      const found = [...(byEvent.get(pointKey(frame.at, sequence)) ?? []), ...(sequence === null ? (byEvent.get(pointKey(frame.at, null)) ?? []) : [])];
      if (found.length > 0) kinds = found;
    }
    const violating = kinds?.includes('violation') ?? false;
    if (kinds?.includes('replay')) attempt++;
    if (!violating && terminal) (kinds ??= []).push('terminal');
    attemptColumn[index] = attempt;
    if ((flags[index] as number) & ANALYZED && !violating && sequence !== null) {
      const dense = sequence < seenDense.length;
      if (dense ? seenDense[sequence] === 0 : !seenSparse.has(sequence)) {
        if (dense) seenDense[sequence] = 1;
        else seenSparse.add(sequence);
        flags[index] = (flags[index] as number) | FIRST_SEEN;
      }
    }
    // The latency series and text lengths, in the same pass (a 100k-event session: each extra pass costs).
    const isFirst = ((flags[index] as number) & FIRST_SEEN) !== 0;
    if (isFirst) {
      if (!Number.isNaN(previousFirst)) {
        gapX[gaps] = frame.at - t0;
        gapY[gaps++] = frame.at - previousFirst;
      }
      previousFirst = frame.at;
    }
    if (typeof rawEmitted === 'number' && !violating) {
      deliveryX[deliveries] = frame.at - t0;
      deliveryY[deliveries++] = Math.max(0, frame.at - rawEmitted);
    }
    const chunk = payload?.chunk;
    if (typeof chunk === 'string' && (flags[index] as number) & ANALYZED && !violating) {
      naiveChars += chunk.length;
      if (isFirst) correctChars += chunk.length;
    }
    if (kinds) {
      kindsOf.set(index, kinds);
      const drawn = PRIORITY.find((candidate) => kinds.includes(candidate)) ?? 'new';
      kindColumn[index] = KIND_CODE.get(drawn) ?? 0;
    }
  }
  return {
    t0,
    frames,
    at,
    sequence: sequenceColumn,
    emittedAt: emittedColumn,
    attempt: attemptColumn,
    kind: kindColumn,
    flags,
    kinds: kindsOf,
    attempts: attempt,
    anomalies,
    interToken: { x: gapX.subarray(0, gaps), y: gapY.subarray(0, gaps) },
    delivery: { x: deliveryX.subarray(0, deliveries), y: deliveryY.subarray(0, deliveries) },
    chunkChars: { correct: correctChars, naive: naiveChars },
  };
}

/** The drawn kind of frame `index`. */
export function kindAt(timeline: SessionTimeline, index: number): PointKind {
  return KIND_CODES[timeline.kind[index] as number] ?? 'new';
}

/** Frame `index` as a point (what the charts, the table and anomaly lookups receive). */
export function pointAt(timeline: SessionTimeline, index: number): TimelinePoint {
  const frame = timeline.frames[index] as FrameRecord;
  const payload = payloadOf(frame);
  const sequence = timeline.sequence[index] as number;
  const flags = timeline.flags[index] as number;
  const chunk = payload?.chunk;
  const state = payload?.state;
  const emittedAt = timeline.emittedAt[index] as number;
  return {
    index,
    at: frame.at,
    x: frame.at - timeline.t0,
    y: sequence,
    sequence: sequence === 0 ? null : sequence,
    attempt: timeline.attempt[index] as number,
    kind: kindAt(timeline, index),
    kinds: timeline.kinds.get(index)?.slice() ?? [],
    firstSeen: (flags & FIRST_SEEN) !== 0,
    analyzed: (flags & ANALYZED) !== 0,
    chunk: typeof chunk === 'string' ? chunk : null,
    state: typeof state === 'string' ? state : null,
    emittedAt: Number.isNaN(emittedAt) ? null : emittedAt,
  };
}

/** Every frame as a point (tests and small sessions; the views take what they draw). */
export function timelinePoints(timeline: SessionTimeline): TimelinePoint[] {
  return Array.from({ length: timeline.frames.length }, (_, index) => pointAt(timeline, index));
}

/** Points drawn as their own anomaly marker (never downsampled away). */
export function isMarked(point: TimelinePoint): boolean {
  return point.kind !== 'new';
}

export interface TimelineSeries {
  /** Events per broadcast attempt (attempt 1 is the stream, 2+ are replays, re-sent duplicates included). */
  attempts: { attempt: number; points: TimelinePoint[] }[];
  /** Anomaly markers by kind (every one of them, whatever the budget). */
  markers: Partial<Record<Exclude<PointKind, 'new'>, TimelinePoint[]>>;
  /** Points drawn in total, and how many the session has. */
  drawn: number;
  total: number;
}

/** Splits a timeline into drawable series within about `budget` points, keeping every anomaly. */
export function timelineSeries(timeline: SessionTimeline, budget = 2000): TimelineSeries {
  const drawable: number[] = [];
  for (let i = 0; i < timeline.flags.length; i++) if ((timeline.flags[i] as number) & ANALYZED) drawable.push(i);
  const xs = new Float64Array(drawable.length);
  const ys = new Float64Array(drawable.length);
  drawable.forEach((index, j) => {
    xs[j] = (timeline.at[index] as number) - timeline.t0;
    ys[j] = timeline.sequence[index] as number;
  });
  const sampled = downsampleKeepingIndices(xs, ys, budget, (j) => timeline.kind[drawable[j] as number] !== 0);
  const attempts = new Map<number, TimelinePoint[]>();
  const markers: TimelineSeries['markers'] = {};
  for (const j of sampled) {
    const point = pointAt(timeline, drawable[j] as number);
    // A replay's re-sent tokens are duplicates by definition: they belong to their attempt's series.
    if (point.kind === 'new' || (point.kind === 'duplicate' && point.attempt > 1)) {
      const list = attempts.get(point.attempt);
      if (list) list.push(point);
      else attempts.set(point.attempt, [point]);
    } else {
      (markers[point.kind] ??= []).push(point);
    }
  }
  return {
    attempts: [...attempts.entries()].sort((a, b) => a[0] - b[0]).map(([attempt, points]) => ({ attempt, points })),
    markers,
    drawn: sampled.length,
    total: drawable.length,
  };
}
