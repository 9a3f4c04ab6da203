import { downsampleKeeping } from './downsample';
import type { TimelinePoint } from './classify';

/** Latency chart data: inter-token gaps over time, their histogram, and delivery latency. */

export interface LatencyPoint {
  x: number;
  y: number;
}

/** Arrival gaps between consecutive first-seen sequences (the same samples as the verdict's interTokenMs). */
export function interTokenSeries(points: readonly TimelinePoint[]): LatencyPoint[] {
  const out: LatencyPoint[] = [];
  let previous: number | null = null;
  for (const point of points) {
    if (!point.firstSeen) continue;
    if (previous !== null) out.push({ x: point.x, y: point.at - previous });
    previous = point.at;
  }
  return out;
}

/** `at − emitted_at` for events that carry the server's send time (negative skew shown as 0). */
export function deliverySeries(points: readonly TimelinePoint[]): LatencyPoint[] {
  const out: LatencyPoint[] = [];
  for (const point of points) {
    if (point.emittedAt !== null && !point.kinds.includes('violation')) out.push({ x: point.x, y: Math.max(0, point.at - point.emittedAt) });
  }
  return out;
}

/** Downsampled for drawing, keeping the slowest gaps (a spike is the point of the chart). */
export function drawableLatency(series: readonly LatencyPoint[], budget = 1500, spikes = 50): LatencyPoint[] {
  if (series.length <= budget) return series.slice();
  // The `spikes` largest values by position, not by threshold: a flat series has thousands of ties
  // (the earlier point wins a tie). One pass keeping the best few, not a sort of the whole series.
  const top: LatencyPoint[] = [];
  for (const point of series) {
    if (top.length === spikes && point.y <= (top[top.length - 1] as LatencyPoint).y) continue;
    let at = top.length;
    while (at > 0 && (top[at - 1] as LatencyPoint).y < point.y) at--;
    top.splice(at, 0, point);
    if (top.length > spikes) top.pop();
  }
  const keep = new Set(top);
  return downsampleKeeping(series, budget, (p) => keep.has(p));
}

export interface HistogramBin {
  from: number;
  to: number;
  count: number;
  label: string;
}

const formatBound = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)}s` : `${ms >= 10 ? Math.round(ms) : ms.toFixed(1)}`);

/**
 * Equal-width bins up to the 99th percentile (so one backoff of 5 s does not squash every
 * other bar into the first bin) and one overflow bin for the rest. Every sample is counted once.
 */
export function histogram(values: readonly number[], bins = 24): HistogramBin[] {
  if (values.length === 0) return [];
  // A typed array sorts numerically without a comparator call per pair (100k samples: a few ms).
  const sorted = Float64Array.from(values).sort();
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] as number;
  const top = p99 > min ? p99 : max;
  const width = top > min ? (top - min) / bins : 1;
  const out: HistogramBin[] = [];
  for (let i = 0; i < bins; i++) {
    const from = min + i * width;
    const to = from + width;
    out.push({ from, to, count: 0, label: `${formatBound(from)}–${formatBound(to)}` });
  }
  const overflow: HistogramBin = { from: top, to: max, count: 0, label: `>${formatBound(top)}` };
  for (const value of sorted) {
    if (value > top) overflow.count++;
    else {
      const index = Math.min(bins - 1, Math.floor((value - min) / width));
      (out[index] as HistogramBin).count++;
    }
  }
  if (overflow.count > 0) out.push(overflow);
  return out;
}
