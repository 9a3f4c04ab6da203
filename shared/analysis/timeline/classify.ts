import { Analyzer } from '../analyzer';
import type { Anomaly } from '../verdict';
import type { ContractProfile } from '../../contract';
import type { FrameRecord } from '../../journal';
import { downsampleKeeping } from './downsample';

/**
 * Per-event classification of one session for the timeline. The detection rules are not
 * repeated here: the frames are fed to the shared Analyzer (with no anomaly cap), and each
 * anomaly it reports at an event's arrival time and sequence is attached to that event.
 */

export type PointKind = 'new' | 'duplicate' | 'replay' | 'conflict' | 'out_of_order' | 'after_terminal' | 'violation' | 'terminal';

/** Which kind a point is drawn as when several apply (the most alarming first). */
const PRIORITY: readonly PointKind[] = ['violation', 'replay', 'conflict', 'after_terminal', 'out_of_order', 'duplicate', 'terminal', 'new'];

const TERMINAL_STATES = new Set(['completed', 'finished', 'truncated', 'errored', 'abandoned']);

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

export interface SessionTimeline {
  t0: number;
  points: TimelinePoint[];
  attempts: number;
  /** Anomalies as the local analysis saw them (complete, not capped), by arrival. */
  anomalies: Anomaly[];
}

export interface ThresholdOptions {
  stallAfterMs?: number;
  orphanAfterMs?: number;
  reorderWindowMs?: number;
  /** The contract profile the monitor uses (default: DESIGN §4). */
  profile?: ContractProfile;
}

function payloadField(data: unknown, field: string): unknown {
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[field] : undefined;
}

const pointKey = (at: number, sequence: number | null | undefined) => `${at}|${sequence ?? ''}`;

/** Classifies every frame of one session (frames in arrival order, as `sessions.events` returns them). */
export function buildTimeline(sessionId: string, frames: readonly FrameRecord[], thresholds: ThresholdOptions = {}): SessionTimeline {
  const analyzer = new Analyzer({ ...thresholds, maxAnomaliesPerSession: Number.MAX_SAFE_INTEGER, maxGapRanges: 100_000 });
  const keys = new Map<string, number>();
  const analyzed = new Uint8Array(frames.length);
  frames.forEach((frame, index) => {
    const key = analyzer.ingest(frame);
    if (key === undefined) return;
    analyzed[index] = 1;
    keys.set(key, (keys.get(key) ?? 0) + 1);
  });
  // The monitor's id for the session, else whichever key took most of these frames.
  let key = sessionId;
  if (!keys.has(key)) key = [...keys.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? sessionId;
  const end = Number.isFinite(analyzer.lastAt) ? analyzer.lastAt : 0;
  const verdict = analyzer.sessionVerdict(key, end, { endOfJournal: true, includeText: false });
  const anomalies = verdict?.anomalies ?? [];

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
  const t0 = frames[analyzed.indexOf(1)]?.at ?? frames[0]?.at ?? 0;
  const seen = new Set<number>();
  const points: TimelinePoint[] = [];
  let attempt = 1;
  frames.forEach((frame, index) => {
    const rawSequence = payloadField(frame.data, 'sequence');
    const sequence = typeof rawSequence === 'number' && Number.isInteger(rawSequence) && rawSequence >= 1 ? rawSequence : null;
    const rawState = payloadField(frame.data, 'state');
    const state = typeof rawState === 'string' ? rawState : null;
    const rawChunk = payloadField(frame.data, 'chunk');
    const rawEmitted = payloadField(frame.data, 'emitted_at');
    const kinds: PointKind[] = anomalyTimes.has(frame.at)
      ? [...(byEvent.get(pointKey(frame.at, sequence)) ?? []), ...(sequence === null ? (byEvent.get(pointKey(frame.at, null)) ?? []) : [])]
      : [];
    const violating = kinds.includes('violation');
    if (kinds.includes('replay')) attempt++;
    if (!violating && state !== null && TERMINAL_STATES.has(state)) kinds.push('terminal');
    const firstSeen = analyzed[index] === 1 && !violating && sequence !== null && !seen.has(sequence);
    if (firstSeen) seen.add(sequence);
    const kind = kinds.length === 0 ? 'new' : (PRIORITY.find((candidate) => kinds.includes(candidate)) ?? 'new');
    const isAnalyzed = analyzed[index] === 1;
    points.push({
      index,
      at: frame.at,
      x: frame.at - t0,
      y: sequence ?? 0,
      sequence,
      attempt,
      kind,
      kinds,
      firstSeen: firstSeen && isAnalyzed,
      analyzed: isAnalyzed,
      chunk: typeof rawChunk === 'string' ? rawChunk : null,
      state,
      emittedAt: typeof rawEmitted === 'number' ? rawEmitted : null,
    });
  });
  return { t0, points, attempts: attempt, anomalies };
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
  const drawable = timeline.points.filter((point) => point.analyzed);
  const sampled = downsampleKeeping(drawable, budget, isMarked);
  const attempts = new Map<number, TimelinePoint[]>();
  const markers: TimelineSeries['markers'] = {};
  for (const point of sampled) {
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
