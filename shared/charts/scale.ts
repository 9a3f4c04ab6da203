/**
 * Linear scales and "nice" ticks of the session charts (pure: no DOM, no React): the app's
 * session detail (renderer/src/charts) and the HTML report's static SVG draw on the same ones.
 * The detail draws a 100k-event session in a few milliseconds of SVG instead of through a
 * charting library's per-chart store (docs/ui.md, "Session detail").
 */

export interface LinearScale {
  (value: number): number;
  /** The value at a position in the range (hover readouts). */
  invert(position: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

/** Maps [d0, d1] onto [r0, r1]; a flat domain maps everything to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const k = span === 0 ? 0 : (r1 - r0) / span;
  const scale = ((value: number) => (span === 0 ? (r0 + r1) / 2 : r0 + (value - d0) * k)) as LinearScale;
  scale.invert = (position: number) => (k === 0 ? d0 : d0 + (position - r0) / k);
  Object.defineProperty(scale, 'domain', { value: [d0, d1] as const });
  Object.defineProperty(scale, 'range', { value: [r0, r1] as const });
  return scale;
}

/** A round step (1, 2 or 5 × 10ⁿ) giving about `count` ticks over `span`. */
export function tickStep(span: number, count: number): number {
  if (!(span > 0) || count < 1) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const factor = error >= 7.07 ? 10 : error >= 3.16 ? 5 : error >= 1.41 ? 2 : 1;
  return factor * power;
}

/** Round tick values inside [min, max], about `count` of them (multiples of the step). */
export function niceTicks(min: number, max: number, count: number, integers = false): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  let step = tickStep(max - min, count);
  if (integers) step = Math.max(1, Math.round(step));
  const first = Math.ceil(min / step);
  const last = Math.floor(max / step);
  const out: number[] = [];
  // Multiplied, not accumulated: 0.1 + 0.2 drift would print 0.30000000000000004.
  for (let i = first; i <= last; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

/** The domain [min, max] widened to the next round values around it (the y axis of a latency chart). */
export function niceDomain(min: number, max: number, count: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max === min) return min === 0 ? [0, 1] : [Math.min(0, min), Math.max(0, max) * 1.1 || 1];
  const step = tickStep(max - min, count);
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

/** The index of the value nearest `target` in an ascending array (binary search), -1 when empty. */
export function nearestIndex(sorted: ArrayLike<number>, target: number): number {
  const n = sorted.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs((sorted[lo - 1] as number) - target) <= Math.abs((sorted[lo] as number) - target)) return lo - 1;
  return lo;
}
