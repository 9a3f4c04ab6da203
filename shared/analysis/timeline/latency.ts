import type { SessionTimeline } from './classify';
import { minMaxIndices, type Series } from './downsample';

/** Latency chart data: inter-token gaps over time, their histogram, and delivery latency. */

export interface LatencyPoint {
  x: number;
  y: number;
}

/** The inter-token gaps of a classified session (collected while classifying). */
export function interTokenSeries(timeline: SessionTimeline): Series {
  return timeline.interToken;
}

/** The delivery latencies of a classified session (collected while classifying). */
export function deliverySeries(timeline: SessionTimeline): Series {
  return timeline.delivery;
}

/** Downsampled for drawing to about `budget` points: each slice's lowest and highest sample, so every spike stays. */
export function drawableLatency(series: Series, budget = 1500): LatencyPoint[] {
  return minMaxIndices(series, Math.max(1, Math.floor(budget / 2) - 1)).map((i) => ({ x: series.x[i] as number, y: series.y[i] as number }));
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
export function histogram(values: ArrayLike<number>, bins = 24, knownP99?: number): HistogramBin[] {
  const n = values.length;
  if (n === 0) return [];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const value = values[i] as number;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  // The 99th percentile (the verdict's, when given), else by selection, not by sorting every sample.
  const p99 = knownP99 !== undefined && knownP99 >= min && knownP99 <= max ? knownP99 : select(Float64Array.from(values), Math.min(n - 1, Math.ceil(0.99 * n) - 1));
  const top = p99 > min ? p99 : max;
  const width = top > min ? (top - min) / bins : 1;
  const out: HistogramBin[] = [];
  for (let i = 0; i < bins; i++) {
    const from = min + i * width;
    const to = from + width;
    out.push({ from, to, count: 0, label: `${formatBound(from)}–${formatBound(to)}` });
  }
  const overflow: HistogramBin = { from: top, to: max, count: 0, label: `>${formatBound(top)}` };
  for (let i = 0; i < n; i++) {
    const value = values[i] as number;
    if (value > top) overflow.count++;
    else {
      const index = Math.min(bins - 1, Math.floor((value - min) / width));
      (out[index] as HistogramBin).count++;
    }
  }
  if (overflow.count > 0) out.push(overflow);
  return out;
}

/** The k-th smallest value (0-based) of `values`, which it reorders: Hoare's selection, O(n) on average. */
export function select(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (left < right) {
    const pivot = values[(left + right) >>> 1] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return values[k] as number;
  }
  return values[k] as number;
}
