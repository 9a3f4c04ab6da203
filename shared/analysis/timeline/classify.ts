import { Analyzer } from '../analyzer';
import { detectProfile } from '../contract-detection';
import { classificationAttempt, classificationFlags, FrameFlag } from '../classification';
import { createStreamRead, readStreamFrame, StreamReadKind } from '../stream-positions';

/** Reused by every read of an event-stream frame here (its attempt and id are not needed: the positions are the analyzer's). */
const streamRead = createStreamRead();
import { compileProfile, createEventScratch, decodePayload, type CompiledProfile, type ContractEventScratch, type ContractProfile } from '../../contract';
import type { FrameRecord } from '../../journal';
import { downsampleKeepingIndices, type Series } from './downsample';

/**
 * Per-event classification of one session for the timeline — a projection of the analyzer's
 * own per-frame classification (shared/analysis/classification.ts), never a second judgement:
 * the monitor hands over what live analysis made of each frame, or the frames are fed to the
 * shared Analyzer here. Payload fields (sequence, chunk, state, emitted_at) are read only
 * through the compiled contract, so a custom profile's fields draw where they belong.
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
  /** The contract the frames were read with (the only reader of their payloads). */
  contract: CompiledProfile;
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
  /** The contract profile the monitor uses; default (undefined or null): detected from the frames, as the analyzer detects it. */
  profile?: ContractProfile | null;
}

/** What live analysis already made of the frames: their classification, packed (classification.ts), one per frame. */
export interface PriorAnalysis {
  classes: Uint32Array;
  /** Each frame's position as live analysis gave it (`Analyzer.position`); needed for event-stream contracts, whose positions no payload holds. */
  positions?: Float64Array;
}

/** Runs the shared Analyzer over one observation's frames: what it made of each (0: ignored). */
function classifyFrames(frames: readonly FrameRecord[], thresholds: ThresholdOptions): Required<PriorAnalysis> {
  const analyzer = new Analyzer({ ...thresholds, maxAnomaliesPerSession: 0, maxGapRanges: 0 });
  const classes = new Uint32Array(frames.length);
  const positions = new Float64Array(frames.length);
  for (let index = 0; index < frames.length; index++) {
    analyzer.ingest(frames[index] as FrameRecord);
    classes[index] = analyzer.classification;
    positions[index] = analyzer.position;
  }
  return { classes, positions };
}

/** The kinds a classification shows, most of them none (then undefined). */
function kindsOf(flags: number): PointKind[] | undefined {
  if ((flags & (FrameFlag.Violation | FrameFlag.Duplicate | FrameFlag.Restart | FrameFlag.OutOfOrder | FrameFlag.AfterTerminal | FrameFlag.Terminal)) === 0) return undefined;
  if (flags & FrameFlag.Violation) return ['violation'];
  const kinds: PointKind[] = [];
  if (flags & FrameFlag.Duplicate) kinds.push('duplicate');
  if (flags & FrameFlag.Conflict) kinds.push('conflict');
  if (flags & FrameFlag.Restart) kinds.push('replay');
  if (flags & FrameFlag.OutOfOrder) kinds.push('out_of_order');
  if (flags & FrameFlag.AfterTerminal) kinds.push('after_terminal');
  if (flags & FrameFlag.Terminal) kinds.push('terminal');
  return kinds;
}

/**
 * Decodes frame `index` through the contract into `scratch`; returns false for a frame that is
 * not a valid event (ignored or violating), whose sequence — when the violation could read one —
 * is left in `scratch.sequence`.
 */
function decode(timeline: { frames: readonly FrameRecord[]; contract: CompiledProfile; sequence: Float64Array }, index: number, scratch: ContractEventScratch): boolean {
  const frame = timeline.frames[index] as FrameRecord;
  const stream = timeline.contract.stream;
  if (stream !== null) {
    // An event stream: the payload gives the chunk and state; the position is the analyzer's.
    const kind = readStreamFrame(timeline.contract, stream, frame.event, frame.data, '', scratch, streamRead);
    scratch.sequence = timeline.sequence[index] as number;
    if (kind === StreamReadKind.Event) return true;
    scratch.chunk = '';
    scratch.emittedAt = Number.NaN;
    return false;
  }
  const violation = decodePayload(timeline.contract, frame.data, frame.channel, scratch);
  if (violation === null) return true;
  scratch.sequence = violation.sequence ?? 0;
  scratch.chunk = '';
  scratch.emittedAt = Number.NaN;
  return false;
}

/**
 * Classifies every frame of one observation of a session (frames in arrival order, one
 * vantage). With `prior` (the monitor's live classification of these very frames) the analyzer
 * is not run again: a 100k-event session is projected in one pass.
 */
export function buildTimeline(_sessionId: string, frames: readonly FrameRecord[], thresholds: ThresholdOptions = {}, prior?: PriorAnalysis): SessionTimeline {
  const n = frames.length;
  const known = prior && prior.classes.length === n && (prior.positions === undefined || prior.positions.length === n) ? prior : undefined;
  const classified = known?.positions === undefined ? classifyFrames(frames, thresholds) : undefined;
  const classes = known?.classes ?? classified!.classes;
  const positions = known?.positions ?? classified!.positions;
  const contract = compileProfile(thresholds.profile ?? detectProfile(frames));
  const flags = new Uint8Array(n);
  let firstAnalyzed = -1;
  for (let index = 0; index < n; index++) {
    const f = classificationFlags(classes[index] as number);
    if (f & FrameFlag.Analyzed) {
      flags[index] = ANALYZED | (f & FrameFlag.FirstSeen ? FIRST_SEEN : 0);
      if (firstAnalyzed < 0) firstAnalyzed = index;
    }
  }

  // Time zero is the session's first analyzed event (a subscription frame may come before it).
  const t0 = frames[firstAnalyzed]?.at ?? frames[0]?.at ?? 0;
  const at = new Float64Array(n);
  const sequenceColumn = new Float64Array(n);
  const emittedColumn = new Float64Array(n);
  const attemptColumn = new Uint32Array(n);
  const kindColumn = new Uint8Array(n);
  const kindsByFrame = new Map<number, PointKind[]>();
  const gapX = new Float64Array(n);
  const gapY = new Float64Array(n);
  const deliveryX = new Float64Array(n);
  const deliveryY = new Float64Array(n);
  let gaps = 0;
  let deliveries = 0;
  let previousFirst = Number.NaN;
  let correctChars = 0;
  let naiveChars = 0;
  let attempts = 1;
  let attempt = 1;
  const scratch = createEventScratch();
  const view = { frames, contract, sequence: positions };
  for (let index = 0; index < n; index++) {
    const frame = frames[index] as FrameRecord;
    at[index] = frame.at;
    emittedColumn[index] = Number.NaN;
    const packed = classes[index] as number;
    const f = classificationFlags(packed);
    if ((f & FrameFlag.Analyzed) === 0) {
      attemptColumn[index] = attempt;
      continue;
    }
    attempt = classificationAttempt(packed) || attempt;
    if (attempt > attempts) attempts = attempt;
    attemptColumn[index] = attempt;
    const valid = decode(view, index, scratch);
    sequenceColumn[index] = scratch.sequence;
    const kinds = kindsOf(f);
    if (kinds) {
      kindsByFrame.set(index, kinds);
      const drawn = PRIORITY.find((candidate) => kinds.includes(candidate)) ?? 'new';
      kindColumn[index] = KIND_CODE.get(drawn) ?? 0;
    }
    if (!valid) continue;
    // The latency series and text lengths, in the same pass (a 100k-event session: each extra pass costs).
    const isFirst = (f & FrameFlag.FirstSeen) !== 0;
    if (isFirst) {
      if (!Number.isNaN(previousFirst)) {
        gapX[gaps] = frame.at - t0;
        gapY[gaps++] = frame.at - previousFirst;
      }
      previousFirst = frame.at;
    }
    if (!Number.isNaN(scratch.emittedAt)) {
      emittedColumn[index] = scratch.emittedAt;
      deliveryX[deliveries] = frame.at - t0;
      deliveryY[deliveries++] = Math.max(0, frame.at - scratch.emittedAt);
    }
    naiveChars += scratch.chunk.length;
    if (isFirst) correctChars += scratch.chunk.length;
  }
  return {
    t0,
    frames,
    contract,
    at,
    sequence: sequenceColumn,
    emittedAt: emittedColumn,
    attempt: attemptColumn,
    kind: kindColumn,
    flags,
    kinds: kindsByFrame,
    attempts,
    interToken: { x: gapX.subarray(0, gaps), y: gapY.subarray(0, gaps) },
    delivery: { x: deliveryX.subarray(0, deliveries), y: deliveryY.subarray(0, deliveries) },
    chunkChars: { correct: correctChars, naive: naiveChars },
  };
}

/** The chunk and state of frame `index` as the contract reads them (null for what is not a valid event). */
export function eventAt(timeline: SessionTimeline, index: number, scratch: ContractEventScratch = createEventScratch()): { chunk: string | null; state: string | null } {
  if (((timeline.flags[index] as number) & ANALYZED) === 0) return { chunk: null, state: null };
  return decode(timeline, index, scratch) ? { chunk: scratch.chunk, state: scratch.state } : { chunk: null, state: null };
}

/** The drawn kind of frame `index`. */
export function kindAt(timeline: SessionTimeline, index: number): PointKind {
  return KIND_CODES[timeline.kind[index] as number] ?? 'new';
}

/** Frame `index` as a point (what the charts, the table and anomaly lookups receive). */
export function pointAt(timeline: SessionTimeline, index: number): TimelinePoint {
  const frame = timeline.frames[index] as FrameRecord;
  const sequence = timeline.sequence[index] as number;
  const flags = timeline.flags[index] as number;
  const { chunk, state } = eventAt(timeline, index);
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
    chunk,
    state,
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
