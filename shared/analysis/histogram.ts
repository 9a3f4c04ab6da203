/**
 * A bounded log-linear latency histogram (the HDR idea, in plain TypeScript so `shared` stays
 * free of WebAssembly/Node concerns and every session costs a few KB, not a sample per token).
 *
 * Values are milliseconds, quantized to 0.1 ms units `u = round(ms × 10)`:
 * - u < 1024 (below 102.4 ms) lands in its own bucket: exact to ±0.05 ms;
 * - above, each power of two is split in 512 buckets: relative error ≤ 1/1024 (≈ 0.1 %).
 * Percentiles use the nearest-rank rule (the value of the ⌈p·n⌉-th smallest sample), reported
 * as the bucket's representative value clamped into the exact [min, max] seen; `max` is exact.
 * Counts live in a Uint32Array grown to the highest bucket used (at most 16,896 buckets; an
 * inter-token gap under 1 s needs ~2,600, i.e. a few KB per histogram, whatever the token count).
 */

const UNITS_PER_MS = 10;
const LINEAR_BUCKETS = 1024; // 2^10
const SUB_BUCKETS = 512; // buckets per power of two above the linear range
const SUB_BITS = 9;
const MAX_UNITS = 2 ** 40; // ~3.5 years; larger values are clamped (and `max` stays exact)

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export class LatencyHistogram {
  private counts: Uint32Array = new Uint32Array(0);
  private total = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = Number.NEGATIVE_INFINITY;
  /** The last summary, until the next sample: a monitor asks every session for it on every tick. */
  private cachedSummary: LatencySummary | null = null;

  get count(): number {
    return this.total;
  }

  record(ms: number): void {
    const value = ms > 0 ? ms : 0;
    if (value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
    const index = bucketOf(value);
    let counts = this.counts;
    if (index >= counts.length) counts = this.grow(index);
    counts[index]!++;
    this.total++;
    this.cachedSummary = null;
  }

  /** Nearest-rank percentile, `p` in (0, 100]; NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i]!;
      if (seen >= rank) return Math.min(this.maxValue, Math.max(this.minValue, representativeOf(i)));
    }
    return this.maxValue;
  }

  /** p50/p95/p99/max in one pass over the buckets; null when empty. */
  summary(): LatencySummary | null {
    if (this.total === 0) return null;
    if (this.cachedSummary) return { ...this.cachedSummary };
    const ranks = [50, 95, 99].map((p) => Math.max(1, Math.ceil((p / 100) * this.total)));
    const values = [this.maxValue, this.maxValue, this.maxValue];
    let next = 0;
    let seen = 0;
    const counts = this.counts;
    for (let i = 0; i < counts.length && next < 3; i++) {
      seen += counts[i]!;
      while (next < 3 && seen >= ranks[next]!) {
        values[next] = Math.min(this.maxValue, Math.max(this.minValue, representativeOf(i)));
        next++;
      }
    }
    this.cachedSummary = { p50: roundMs(values[0]!), p95: roundMs(values[1]!), p99: roundMs(values[2]!), max: roundMs(this.maxValue) };
    return { ...this.cachedSummary };
  }

  /** Bytes held by the counts array (for the memory notes and tests). */
  get footprintBytes(): number {
    return this.counts.byteLength;
  }

  private grow(index: number): Uint32Array {
    let size = Math.max(64, this.counts.length);
    while (size <= index) size *= 2;
    const next = new Uint32Array(size);
    next.set(this.counts);
    this.counts = next;
    return next;
  }
}

function bucketOf(ms: number): number {
  let units = Math.round(ms * UNITS_PER_MS);
  if (units < LINEAR_BUCKETS) return units;
  if (units < 2 ** 31) {
    // Up to 2^31 units (about 2.5 days: any real gap), with integer bit arithmetic instead of log2 and pow.
    const shift = 31 - Math.clz32(units) - SUB_BITS; // ≥ 1
    return LINEAR_BUCKETS + (shift - 1) * SUB_BUCKETS + ((units >>> shift) - SUB_BUCKETS);
  }
  if (units > MAX_UNITS) units = MAX_UNITS;
  let exponent = Math.floor(Math.log2(units)); // ≥ 10
  if (2 ** exponent > units) exponent--; // log2 rounds up just below large powers of two
  const shift = exponent - SUB_BITS; // ≥ 1
  const sub = Math.floor(units / 2 ** shift) - SUB_BUCKETS; // in [0, 512)
  return LINEAR_BUCKETS + (shift - 1) * SUB_BUCKETS + sub;
}

function representativeOf(index: number): number {
  if (index < LINEAR_BUCKETS) return index / UNITS_PER_MS;
  const offset = index - LINEAR_BUCKETS;
  const shift = Math.floor(offset / SUB_BUCKETS) + 1;
  const sub = offset % SUB_BUCKETS;
  const low = (SUB_BUCKETS + sub) * 2 ** shift;
  const width = 2 ** shift;
  return (low + (width - 1) / 2) / UNITS_PER_MS;
}

/**
 * Reported milliseconds are rounded to 0.001 ms: epoch timestamps near 1.7e12 carry ~0.0002 ms
 * of float noise, so a 10 ms gap between two arrival times reads 9.99976 before rounding.
 */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
