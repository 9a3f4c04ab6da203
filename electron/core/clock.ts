/** Arrival timestamps: epoch ms with sub-millisecond precision (DESIGN §6). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export type Clock = () => number;
