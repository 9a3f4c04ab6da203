/**
 * The set S of sequences seen in one session, stored as `max` plus the holes below it.
 * A healthy stream has no holes, so memory is O(holes), never O(events); a hole remembers
 * when it became visible (the arrival that skipped over it) for the live reorder window.
 */

export interface Hole {
  from: number;
  to: number;
  /** Arrival time of the event that revealed the hole. */
  revealedAt: number;
}

/** What adding a sequence to S meant. */
export const Arrival = {
  /** Above every sequence seen so far. */
  Ahead: 0,
  /** New, but below `max`: it fills (part of) a hole — out of order. */
  Late: 1,
  /** Already in S. */
  Duplicate: 2,
} as const;
export type Arrival = (typeof Arrival)[keyof typeof Arrival];

export class SequenceLedger {
  max = 0;
  unique = 0;
  min = Number.POSITIVE_INFINITY;
  /** Sorted by `from`, disjoint, all within 1..max. */
  readonly holes: Hole[] = [];

  /** Number of sequences in 1..max never seen. */
  get missing(): number {
    return this.max - this.unique;
  }

  add(sequence: number, at: number): Arrival {
    if (sequence > this.max) {
      if (sequence > this.max + 1) this.holes.push({ from: this.max + 1, to: sequence - 1, revealedAt: at });
      this.max = sequence;
      this.unique++;
      if (sequence < this.min) this.min = sequence;
      return Arrival.Ahead;
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
    if (sequence < this.min) this.min = sequence;
    return Arrival.Late;
  }

  has(sequence: number): boolean {
    return sequence >= 1 && sequence <= this.max && findHole(this.holes, sequence) < 0;
  }
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
