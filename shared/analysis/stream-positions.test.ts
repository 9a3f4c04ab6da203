import { describe, expect, it } from 'vitest';
import { StreamPositions } from './stream-positions';

describe('StreamPositions', () => {
  it('gives a redelivered id the place it first got, across broken runs and attempts', () => {
    const positions = new StreamPositions(true);
    positions.start('inv-1');
    const placed: Array<[id: string, position: number, attempt: number]> = [];
    const place = (attempt: string, id: string | null, expected: number) => {
      expect(positions.position(attempt, id, true)).toBe(expected);
      if (id !== null) placed.push([id, expected, positions.lastAttempt]);
    };
    place('inv-1', 'a', 1);
    place('inv-1', 'b', 2);
    place('inv-1', null, 3); // no id: the next id's position does not continue the run
    place('inv-1', 'c', 4);
    place('inv-1', 'bb', 5); // below c: out of order, kept aside
    expect(positions.late).toBe(true);
    place('inv-1', 'd', 6);
    place('inv-2', 'e', 1); // a new invocation: a restart, numbered from 1 again
    place('inv-2', 'f', 2);
    expect(positions.attemptNumber).toBe(2);
    for (const [id, position, attempt] of placed) {
      expect(positions.position('inv-2', id, true)).toBe(position);
      expect(positions.lastAttempt).toBe(attempt);
      expect(positions.late).toBe(false);
    }
    expect(placed.map(([, , attempt]) => attempt)).toEqual([1, 1, 1, 1, 1, 2, 2]);
  });
});
