/**
 * Largest-Triangle-Three-Buckets downsampling that never drops a point the caller marks as
 * kept (an anomaly): a long session is drawn with a few thousand points, but a duplicate,
 * a replay restart or a violation is always on screen.
 */

export interface XY {
  x: number;
  y: number;
}

/**
 * Plain LTTB over points sorted by x: keeps the first and last point and, per bucket, the point
 * forming the largest triangle with the previous pick and the next bucket's average.
 * Returns the indices of the points picked, ascending.
 */
export function lttbIndices(points: readonly XY[], threshold: number): number[] {
  const n = points.length;
  if (threshold >= n || threshold < 3) return points.map((_, i) => i);
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
      const p = points[i] as XY;
      avgX += p.x;
      avgY += p.y;
    }
    avgX /= span;
    avgY /= span;
    const start = Math.floor(bucket * every) + 1;
    const end = Math.floor((bucket + 1) * every) + 1;
    const pa = points[a] as XY;
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const p = points[i] as XY;
      const area = Math.abs((pa.x - avgX) * (p.y - pa.y) - (pa.x - p.x) * (avgY - pa.y));
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
 * Downsamples to about `budget` points plus every point `keep` accepts, in the input order.
 * Points must be sorted by x. Kept points do not count against the budget: hiding an anomaly
 * to save a few SVG nodes would defeat the chart's purpose.
 */
export function downsampleKeeping<T extends XY>(points: readonly T[], budget: number, keep: (point: T) => boolean): T[] {
  if (points.length <= budget) return points.slice();
  const chosen = new Uint8Array(points.length);
  for (const index of lttbIndices(points, budget)) chosen[index] = 1;
  const out: T[] = [];
  for (let i = 0; i < points.length; i++) {
    const point = points[i] as T;
    if (chosen[i] === 1 || keep(point)) out.push(point);
  }
  return out;
}
