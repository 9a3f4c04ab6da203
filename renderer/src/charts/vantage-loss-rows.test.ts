import { describe, expect, it } from 'vitest';
import { vantageLossRows } from './fleet-data';

describe('loss by vantage as chart rows', () => {
  it('one row per bucket, empty ones included; a percentage per vantage, null where it had nothing', () => {
    const { vantages, rows } = vantageLossRows(
      [
        { start: 0, vantage: 'c2', sessions: 1, expected: 10, lost: 3 },
        { start: 0, vantage: 'c1', sessions: 2, expected: 20, lost: 1 },
        { start: 20, vantage: 'c1', sessions: 1, expected: 8, lost: 2 },
      ],
      10,
    );
    expect(vantages).toEqual(['c1', 'c2']);
    expect(rows).toEqual([
      { start: 0, c1: 5, c2: 30 },
      { start: 10, c1: null, c2: null },
      { start: 20, c1: 25, c2: null },
    ]);
    expect(vantageLossRows([], 10)).toEqual({ vantages: [], rows: [] });
  });
});
