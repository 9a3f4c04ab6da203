import type { FrameRecord } from '../../journal';
import type { GapRange } from '../verdict';
import { pointAt, timelineSeries, type PointKind, type SessionTimeline, type TimelinePoint } from './classify';
import { deliverySeries, drawableLatency, histogram, interTokenSeries, type HistogramBin, type LatencyPoint } from './latency';
import { correctTextSegments, naiveTextSegments, type TextSegment } from './text-segments';

/**
 * What the session detail draws, prepared where the frames are (the host): a 100k-event
 * session becomes a few thousand points, so the renderer never moves or classifies every frame.
 */

/** Points per latency line: the chart is half the page wide (a point per pixel or so). */
const LATENCY_POINTS = 800;

/**
 * Characters of each text sent with the view: what the session page shows at first (laying out
 * 20,000 cost ~150 ms); `sessions.text` has all of it.
 */
export const VIEW_TEXT_CHARS = 4_000;

export type MarkerKind = Exclude<PointKind, 'new'>;

export interface TimelineView {
  t0: number;
  /** Frames of the session (the raw table's rows), analyzed or not. */
  frames: number;
  /** Analyzed events (what the timeline could draw) and how many of them are drawn. */
  total: number;
  drawn: number;
  /** x of the last frame. */
  maxX: number;
  /**
   * A session without a terminal event (streaming, stalled, orphaned): the silence from its last
   * frame (x1) to the host's clock when the view was made (x2), so the time axis reaches now and
   * a dead stream's quiet shows. Null for an ended session (its axis ends at its terminal).
   */
  silence: { x1: number; x2: number; ms: number } | null;
  attempts: { attempt: number; points: TimelinePoint[] }[];
  markers: Partial<Record<MarkerKind, TimelinePoint[]>>;
  /** Shading and reference lines, in chart coordinates. */
  gaps: GapRange[];
  stalls: { x1: number; x2: number; at: number }[];
  disconnects: { x: number; at: number; code: number | null }[];
  terminal: { x: number; state: string } | null;
  latency: {
    /** Inter-token gaps sampled (the histogram counts all of them); the series below are downsampled. */
    samples: number;
    interToken: LatencyPoint[];
    delivery: LatencyPoint[];
    histogram: HistogramBin[];
  };
  /** The texts' first `maxTextChars` characters as segments, and each text's full length. */
  text: { correct: TextSegment[]; naive: TextSegment[]; correctChars: number; naiveChars: number } | null;
}

/** What the monitor knows of the session beyond its frames (its verdict): the reference marks come from there. */
export interface TimelineReference {
  gaps: readonly GapRange[];
  anomalies: readonly { kind: string; at: number; silentMs?: unknown; code?: unknown }[];
  terminalAt: number | null;
  terminalState: string | null;
  stallAfterMs: number;
  /** The verdict's inter-token p99, when it has one (the histogram's last regular bin ends there). */
  interTokenP99?: number | null;
  /**
   * The host's clock (epoch ms, like the frames' `at`), for a session that may still be heard from:
   * without a terminal event, the view's silence runs from the last frame to it. Omitted for a
   * recording (an imported file ended when the file did).
   */
  now?: number | null;
}

/** The silence after a session's last frame up to `now`, when it has no terminal event and `now` is past that frame. */
export function silenceOf(maxX: number, t0: number, reference: Pick<TimelineReference, 'terminalAt' | 'now'>): TimelineView['silence'] {
  if (reference.terminalAt !== null || reference.now === undefined || reference.now === null) return null;
  const x2 = reference.now - t0;
  return x2 > maxX ? { x1: maxX, x2, ms: x2 - maxX } : null;
}

/** The chart-ready view of a classified session: downsampled to about `maxPoints`, every anomaly point kept. */
export function timelineView(timeline: SessionTimeline, reference: TimelineReference, maxPoints = 2000, maxTextChars = VIEW_TEXT_CHARS): TimelineView {
  const series = timelineSeries(timeline, maxPoints);
  const t0 = timeline.t0;
  const frames = timeline.frames.length;
  const maxX = Math.max(1, frames > 0 ? (timeline.at[frames - 1] as number) - t0 : 1);
  const stalls = reference.anomalies
    .filter((a) => a.kind === 'stall')
    .map((stall) => {
      const start = stall.at - reference.stallAfterMs - t0;
      const silent = typeof stall.silentMs === 'number' ? stall.silentMs : reference.stallAfterMs;
      return { x1: Math.max(0, start), x2: Math.min(maxX * 1.02, start + silent), at: stall.at };
    });
  const disconnects = reference.anomalies.filter((a) => a.kind === 'disconnect').map((d) => ({ x: d.at - t0, at: d.at, code: typeof d.code === 'number' ? d.code : null }));
  const parts = partsOf(timeline);
  const gapsKey = reference.gaps.map((gap) => `${gap.from}-${gap.to}`).join(',');
  const p99 = reference.interTokenP99 ?? undefined;
  if (!parts.latency || parts.latency.p99 !== p99) parts.latency = { p99, value: latencyView(timeline, p99) };
  if (frames > 0 && (!parts.text || parts.text.maxChars !== maxTextChars || parts.text.gapsKey !== gapsKey))
    parts.text = { maxChars: maxTextChars, gapsKey, value: viewText(timeline, reference.gaps, maxTextChars) };
  return {
    t0,
    frames,
    total: series.total,
    drawn: series.drawn,
    maxX,
    silence: frames > 0 ? silenceOf(maxX, t0, reference) : null,
    attempts: series.attempts,
    markers: series.markers,
    gaps: reference.gaps.map((gap) => ({ from: gap.from, to: gap.to })),
    stalls,
    disconnects,
    terminal: reference.terminalAt === null ? null : { x: reference.terminalAt - t0, state: reference.terminalState ?? 'completed' },
    latency: parts.latency.value,
    text: frames > 0 && parts.text ? parts.text.value : null,
  };
}

/**
 * The parts of a view that do not depend on the point budget, kept with their timeline: the
 * page asks again on every refresh, and a long session's latency lines, histogram and texts are
 * the same each time (100k events: ~50 ms of the view, cold).
 */
interface ViewParts {
  latency?: { p99: number | undefined; value: TimelineView['latency'] };
  text?: { maxChars: number; gapsKey: string; value: NonNullable<TimelineView['text']> };
}
const viewParts = new WeakMap<SessionTimeline, ViewParts>();

function partsOf(timeline: SessionTimeline): ViewParts {
  let parts = viewParts.get(timeline);
  if (!parts) {
    parts = {};
    viewParts.set(timeline, parts);
  }
  return parts;
}

function latencyView(timeline: SessionTimeline, p99: number | undefined): TimelineView['latency'] {
  const gaps = interTokenSeries(timeline);
  const delivery = deliverySeries(timeline);
  return { samples: gaps.x.length, interToken: drawableLatency(gaps, LATENCY_POINTS), delivery: drawableLatency(delivery, LATENCY_POINTS), histogram: histogram(gaps.y, 24, p99) };
}

function viewText(timeline: SessionTimeline, gaps: readonly GapRange[], maxChars: number): NonNullable<TimelineView['text']> {
  const correct = correctTextSegments(timeline, gaps, maxChars);
  const naive = naiveTextSegments(timeline, maxChars);
  return { correct: correct.segments, naive: naive.segments, correctChars: correct.chars, naiveChars: naive.chars };
}

/** Both texts of a session in full, as segments (`sessions.text`: the "show all" of the page). */
export function timelineText(timeline: SessionTimeline, gaps: readonly GapRange[]): { correct: TextSegment[]; naive: TextSegment[] } {
  return { correct: correctTextSegments(timeline, gaps).segments, naive: naiveTextSegments(timeline).segments };
}

/** One row of the raw frames table: the frame as received and how it was classified. */
export interface FrameRow {
  frame: FrameRecord;
  point: TimelinePoint;
}

/** A window of the raw frames, in arrival order (the table is virtualized: it asks only for what is in view). */
export function frameRows(timeline: SessionTimeline, offset: number, limit: number): FrameRow[] {
  const out: FrameRow[] = [];
  const end = Math.min(timeline.frames.length, offset + limit);
  for (let i = Math.max(0, offset); i < end; i++) out.push({ frame: timeline.frames[i] as FrameRecord, point: pointAt(timeline, i) });
  return out;
}

/**
 * The frame that showed an anomaly: same arrival and sequence when there is one, else the
 * nearest in time. Undefined for a session without frames.
 */
export function nearestPoint(timeline: SessionTimeline, at: number, sequence?: number): TimelinePoint | undefined {
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let i = 0; i < timeline.at.length; i++) {
    const score = Math.abs((timeline.at[i] as number) - at) + (sequence !== undefined && timeline.sequence[i] !== sequence ? 0.5 : 0);
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best < 0 ? undefined : pointAt(timeline, best);
}
