/** The epoch time `performance.now()` counts from; constant for the process (its getter is not free, and this runs per frame). */
const TIME_ORIGIN = performance.timeOrigin;

/** Arrival timestamps: epoch ms with sub-millisecond precision (DESIGN §6). */
export function preciseNow(): number {
  return TIME_ORIGIN + performance.now();
}

export type Clock = () => number;
