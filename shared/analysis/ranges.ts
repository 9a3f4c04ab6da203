import type { SequenceRange } from './ledger';

/**
 * Set algebra on sorted, disjoint, inclusive sequence ranges — what coverage and the comparison
 * of observations are computed with. Every function takes and returns normalized lists.
 */

/** Sorts and merges overlapping or adjacent ranges. */
export function normalizeRanges(ranges: readonly SequenceRange[]): SequenceRange[] {
  const sorted = ranges.filter((r) => r.to >= r.from).sort((a, b) => a.from - b.from);
  const out: SequenceRange[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && range.from <= last.to + 1) {
      if (range.to > last.to) last.to = range.to;
    } else out.push({ from: range.from, to: range.to });
  }
  return out;
}

export function unionRanges(a: readonly SequenceRange[], b: readonly SequenceRange[]): SequenceRange[] {
  return normalizeRanges([...a, ...b]);
}

export function intersectRanges(a: readonly SequenceRange[], b: readonly SequenceRange[]): SequenceRange[] {
  const out: SequenceRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const from = Math.max(x.from, y.from);
    const to = Math.min(x.to, y.to);
    if (from <= to) out.push({ from, to });
    if (x.to < y.to) i++;
    else j++;
  }
  return out;
}

/** `a` without `b`. */
export function subtractRanges(a: readonly SequenceRange[], b: readonly SequenceRange[]): SequenceRange[] {
  const out: SequenceRange[] = [];
  let j = 0;
  for (const range of a) {
    let from = range.from;
    while (j < b.length && b[j]!.to < from) j++;
    let k = j;
    while (k < b.length && b[k]!.from <= range.to) {
      const cut = b[k]!;
      if (cut.from > from) out.push({ from, to: cut.from - 1 });
      from = Math.max(from, cut.to + 1);
      k++;
    }
    if (from <= range.to) out.push({ from, to: range.to });
  }
  return out;
}

export function countRanges(ranges: readonly SequenceRange[]): number {
  let n = 0;
  for (const r of ranges) n += r.to - r.from + 1;
  return n;
}
