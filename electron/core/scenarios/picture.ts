import { buildTimeline, timelineView, type SessionTimes, type SessionVerdict, type ThresholdOptions, type TimelinePoint } from '../../../shared/analysis';
import type { FrameRecord } from '../../../shared/journal';
import type { PictureFrame, SessionPicture } from './report';

/**
 * A failing or anomalous session as the HTML report draws it: the frames EchoScope received,
 * projected by the shared timeline (shared/analysis/timeline: the analyzer's own per-frame
 * classification, read through the session's contract) exactly as the app's session detail
 * gets them, plus the marked frames' payloads for the report's expandable rows.
 */

/** Points per timeline in the report (the app's detail asks for about as many). */
export const PICTURE_POINTS = 1500;
/** Marked frames listed per session; the chart keeps every one of them. */
export const MAX_PICTURE_FRAMES = 200;
/** Characters of a payload kept for its expandable row (an oversized payload is 12,000). */
export const MAX_PAYLOAD_CHARS = 4000;

export function sessionPicture(
  frames: readonly FrameRecord[],
  verdict: SessionVerdict,
  times: SessionTimes | undefined,
  thresholds: ThresholdOptions & { stallAfterMs: number },
): SessionPicture {
  const timeline = buildTimeline(verdict.sessionId, frames, thresholds);
  const terminalAt = times === undefined || Number.isNaN(times.terminalAt) ? null : times.terminalAt;
  const view = timelineView(
    timeline,
    {
      gaps: verdict.gaps,
      anomalies: verdict.anomalies,
      terminalAt,
      terminalState: verdict.terminalStates[0] ?? null,
      interTokenP99: verdict.interTokenMs?.p99 ?? null,
      stallAfterMs: thresholds.stallAfterMs,
    },
    PICTURE_POINTS,
  );
  const marked: TimelinePoint[] = [];
  for (const points of Object.values(view.markers)) if (points) marked.push(...points);
  marked.sort((a, b) => a.index - b.index);
  return {
    view,
    frames: marked.slice(0, MAX_PICTURE_FRAMES).map((point) => pictureFrame(point, frames[point.index] as FrameRecord)),
    framesOmitted: Math.max(0, marked.length - MAX_PICTURE_FRAMES),
  };
}

function pictureFrame(point: TimelinePoint, frame: FrameRecord): PictureFrame {
  const text = payloadText(frame.data);
  return {
    x: point.x,
    sequence: point.sequence,
    attempt: point.attempt,
    kinds: point.kinds,
    event: frame.event,
    payload: text.length > MAX_PAYLOAD_CHARS ? text.slice(0, MAX_PAYLOAD_CHARS) : text,
    payloadChars: text.length,
  };
}

/** A payload as text: a raw string (broken JSON) as it came, anything else as indented JSON. */
export function payloadText(data: unknown): string {
  if (typeof data === 'string') return data;
  try {
    return JSON.stringify(data, null, 2) ?? String(data);
  } catch {
    return String(data);
  }
}
