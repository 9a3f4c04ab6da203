import { formatMs } from './format';

/**
 * How far the timeline's time axis runs: past the last frame by 2 %, and for a session without a
 * terminal event to the host's clock, so a dead stream's silence is on the chart (issue 21).
 */
export function timelineXMax(view: { maxX: number; silence: { x2: number } | null }): number {
  return Math.ceil(Math.max(view.maxX, view.silence?.x2 ?? 0) * 1.02);
}

/** The silent stretch's label: `silent for 42 s`. */
export function silenceLabel(ms: number): string {
  return `silent for ${formatMs(ms)}`;
}
