/**
 * Largest-Triangle-Three-Buckets downsampling that never drops a point the caller marks as
 * kept (an anomaly): a long session is drawn with a few thousand points, but a duplicate,
 * a replay restart or a violation is always on screen. Points are given as columns (x and y
 * arrays of the same length), so a 100k-point series needs no object per point.
 */

/** A series as columns (one entry per sample): 100k samples without 100k objects. */
export interface Series {
  x: Float64Array;
  y: Float64Array;
}

/**
 * Indices of the lowest and highest sample of each of `buckets` equal slices of x (plus the
 * first and last sample), ascending: a line drawn through them has every spike and every dip of
 * the full series, whatever its length. One pass; x must be ascending.
 */
export function minMaxIndices(series: Series, buckets: number): number[] {
  const n = series.x.length;
  if (n <= 2 * buckets + 2) return Array.from({ length: n }, (_, i) => i);
  const x0 = series.x[0] as number;
  const span = (series.x[n - 1] as number) - x0 || 1;
  const out: number[] = [0];
  let bucket = -1;
  let low = -1;
  let high = -1;
  const flush = () => {
    if (low < 0) return;
    if (low === high) out.push(low);
    else out.push(Math.min(low, high), Math.max(low, high));
  };
  for (let i = 1; i < n - 1; i++) {
    const b = Math.min(buckets - 1, Math.floor((((series.x[i] as number) - x0) / span) * buckets));
    if (b !== bucket) {
      flush();
      bucket = b;
      low = i;
      high = i;
      continue;
    }
    const y = series.y[i] as number;
    if (y < (series.y[low] as number)) low = i;
    if (y > (series.y[high] as number)) high = i;
  }
  flush();
  out.push(n - 1);
  return out;
}

/**
 * Plain LTTB over points sorted by x: keeps the first and last point and, per bucket, the point
 * forming the largest triangle with the previous pick and the next bucket's average.
 * Returns the indices of the points picked, ascending.
 */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): number[] {
  const n = x.length;
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const picked: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    const nextStart = Math.floor((bucket + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((bucket + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    const span = Math.max(1, nextEnd - nextStart);
    for (let i = nextStart; i < nextEnd; i++) {
      avgX += x[i] as number;
      avgY += y[i] as number;
    }
    avgX /= span;
    avgY /= span;
    const start = Math.floor(bucket * every) + 1;
    const end = Math.floor((bucket + 1) * every) + 1;
    const ax = x[a] as number;
    const ay = y[a] as number;
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const px = x[i] as number;
      const py = y[i] as number;
      const area = Math.abs((ax - avgX) * (py - ay) - (ax - px) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    picked.push(best);
    a = best;
  }
  picked.push(n - 1);
  return picked;
}

/**
 * Indices of about `budget` points plus every point `keep` accepts, ascending. Points must be
 * sorted by x. Kept points do not count against the budget: hiding an anomaly to save a few
 * SVG nodes would defeat the chart's purpose.
 */
export function downsampleKeepingIndices(x: ArrayLike<number>, y: ArrayLike<number>, budget: number, keep: (index: number) => boolean): number[] {
  const n = x.length;
  if (n <= budget) return Array.from({ length: n }, (_, i) => i);
  const chosen = new Uint8Array(n);
  for (const index of lttbIndices(x, y, budget)) chosen[index] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (chosen[i] === 1 || keep(i)) out.push(i);
  return out;
}
