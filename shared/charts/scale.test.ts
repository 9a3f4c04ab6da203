import { describe, expect, it } from 'vitest';
import { linearScale, nearestIndex, niceDomain, niceTicks, tickStep } from './scale';

describe('linear scales', () => {
  it('maps the domain onto the range and back, including an inverted range (y axes)', () => {
    const x = linearScale([0, 200], [50, 450]);
    expect(x(0)).toBe(50);
    expect(x(100)).toBe(250);
    expect(x.invert(450)).toBe(200);
    const y = linearScale([0, 10], [300, 0]);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(225);
    expect(y.invert(150)).toBe(5);
  });

  it('puts a flat domain in the middle instead of dividing by zero', () => {
    const flat = linearScale([5, 5], [0, 100]);
    expect(flat(5)).toBe(50);
    expect(flat.invert(70)).toBe(5);
  });
});

describe('ticks', () => {
  it('steps are 1, 2 or 5 times a power of ten', () => {
    expect(tickStep(100, 5)).toBe(20);
    expect(tickStep(1, 5)).toBe(0.2);
    expect(tickStep(7300, 6)).toBe(1000);
    expect(tickStep(0, 5)).toBe(1);
  });

  it('are round values inside the extent without float drift', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.05, 0.35, 3)).toEqual([0.1, 0.2, 0.3]);
    expect(niceTicks(3, 97, 4)).toEqual([20, 40, 60, 80]);
    expect(niceTicks(5, 5, 4)).toEqual([5]);
    expect(niceTicks(Number.NaN, 1, 4)).toEqual([]);
  });

  it('integer ticks never step below 1 (a sequence axis with three events)', () => {
    expect(niceTicks(0, 3, 8, true)).toEqual([0, 1, 2, 3]);
  });

  it('nice domains contain the data and end on round values', () => {
    expect(niceDomain(3, 97, 5)).toEqual([0, 100]);
    expect(niceDomain(0, 0, 5)).toEqual([0, 1]);
  });
});

describe('nearestIndex', () => {
  it('finds the nearest of an ascending array, the earlier one on a tie', () => {
    const xs = [0, 10, 20, 30];
    expect(nearestIndex(xs, 14)).toBe(1);
    expect(nearestIndex(xs, 15)).toBe(1);
    expect(nearestIndex(xs, 16)).toBe(2);
    expect(nearestIndex(xs, -5)).toBe(0);
    expect(nearestIndex(xs, 99)).toBe(3);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});

describe('line paths', () => {
  it('draws a step line for gaps (flat until the token that ends the gap) and a straight one otherwise', async () => {
    const { linePath } = await import('./paths');
    const id = (v: number) => v;
    const points = [
      { x: 0, y: 10 },
      { x: 100, y: 10 },
      { x: 400, y: 300 },
    ];
    expect(linePath(points, id, id)).toBe('M0.0,10.0L100.0,10.0L400.0,300.0');
    expect(linePath(points, id, id, true)).toBe('M0.0,10.0V10.0H100.0V300.0H400.0');
  });

  it('draws every point as its own dot of one path (a zero-length segment per point)', async () => {
    const { dotsPath } = await import('./paths');
    const double = (v: number) => v * 2;
    expect(
      dotsPath(
        [
          { x: 1, y: 2 },
          { x: 3.04, y: 4 },
        ],
        double,
        double,
      ),
    ).toBe('M2.0,4.0h0M6.1,8.0h0');
    expect(dotsPath([], double, double)).toBe('');
  });
});
