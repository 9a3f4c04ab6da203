/**
 * The set S of sequences one observation has seen, stored as `min`, `max` and the holes between
 * them. A healthy stream has no holes, so memory is O(holes), never O(events); a hole remembers
 * when it became visible (the arrival that skipped over it) for the live reorder window.
 *
 * Nothing below the lowest sequence seen is a hole here: whether `1..min−1` is loss or simply
 * what happened before the observation began is the session's call (coverage, see session.ts).
 */

export interface Hole {
  from: number;
  to: number;
  /** Arrival time of the event that revealed the hole. */
  revealedAt: number;
}

/** What adding a sequence to S meant. */
export const Arrival = {
  /** Above every sequence seen so far (or the first one). */
  Ahead: 0,
  /** New, between `min` and `max`: it fills (part of) a hole. */
  Late: 1,
  /** Already in S. */
  Duplicate: 2,
  /** New and below every sequence seen so far. */
  Below: 3,
} as const;
export type Arrival = (typeof Arrival)[keyof typeof Arrival];

export class SequenceLedger {
  max = 0;
  unique = 0;
  min = Number.POSITIVE_INFINITY;
  /** When the first sequence arrived: a lead `1..min−1` counted as lost was revealed then. */
  firstAt = Number.NaN;
  /** Sorted by `from`, disjoint, all within min..max. */
  readonly holes: Hole[] = [];

  add(sequence: number, at: number): Arrival {
    if (this.unique === 0) {
      this.min = sequence;
      this.max = sequence;
      this.unique = 1;
      this.firstAt = at;
      return Arrival.Ahead;
    }
    if (sequence > this.max) {
      if (sequence > this.max + 1) this.holes.push({ from: this.max + 1, to: sequence - 1, revealedAt: at });
      this.max = sequence;
      this.unique++;
      return Arrival.Ahead;
    }
    if (sequence < this.min) {
      if (sequence < this.min - 1) this.holes.unshift({ from: sequence + 1, to: this.min - 1, revealedAt: at });
      this.min = sequence;
      this.unique++;
      return Arrival.Below;
    }
    const holes = this.holes;
    if (holes.length === 0) return Arrival.Duplicate;
    const index = findHole(holes, sequence);
    if (index < 0) return Arrival.Duplicate;
    const hole = holes[index]!;
    if (hole.from === hole.to) holes.splice(index, 1);
    else if (sequence === hole.from) hole.from++;
    else if (sequence === hole.to) hole.to--;
    else {
      holes.splice(index + 1, 0, { from: sequence + 1, to: hole.to, revealedAt: hole.revealedAt });
      hole.to = sequence - 1;
    }
    this.unique++;
    return Arrival.Late;
  }

  has(sequence: number): boolean {
    return this.unique > 0 && sequence >= this.min && sequence <= this.max && findHole(this.holes, sequence) < 0;
  }

  /** S as sorted, disjoint, inclusive ranges. */
  ranges(): SequenceRange[] {
    if (this.unique === 0) return [];
    const out: SequenceRange[] = [];
    let from = this.min;
    for (const hole of this.holes) {
      out.push({ from, to: hole.from - 1 });
      from = hole.to + 1;
    }
    out.push({ from, to: this.max });
    return out;
  }
}

/** An inclusive range of sequences. */
export interface SequenceRange {
  from: number;
  to: number;
}

/** Index of the hole containing `sequence`, or -1 (binary search on the sorted holes). */
function findHole(holes: readonly Hole[], sequence: number): number {
  let low = 0;
  let high = holes.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const hole = holes[mid]!;
    if (sequence < hole.from) high = mid - 1;
    else if (sequence > hole.to) low = mid + 1;
    else return mid;
  }
  return -1;
}
