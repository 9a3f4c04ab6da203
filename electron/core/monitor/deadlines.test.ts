import { describe, expect, it } from 'vitest';
import { DeadlineHeap } from './deadlines';

describe('DeadlineHeap', () => {
  it('gives due sessions once, in any order of setting; a later set supersedes an earlier deadline', () => {
    const heap = new DeadlineHeap();
    heap.set('a', 30);
    heap.set('b', 10);
    heap.set('c', 20);
    heap.set('a', 5); // moved earlier
    heap.set('c', 50); // moved later
    const due = new Set<string>();
    heap.due(25, due);
    expect([...due].sort()).toEqual(['a', 'b']);
    due.clear();
    heap.due(25, due);
    expect(due.size).toBe(0);
    heap.due(50, due);
    expect([...due]).toEqual(['c']);
    expect(heap.size).toBe(0);
  });

  it('no deadline (Infinity) removes one; stale entries do not pile up', () => {
    const heap = new DeadlineHeap();
    heap.set('a', 10);
    heap.set('a', Number.POSITIVE_INFINITY);
    const due = new Set<string>();
    heap.due(100, due);
    expect(due.size).toBe(0);
    for (let i = 0; i < 10_000; i++) heap.set('x', 1000 + i);
    expect((heap as unknown as { times: number[] }).times.length).toBeLessThan(200);
    heap.due(1000 + 9_998, due);
    expect(due.size).toBe(0);
    heap.due(1000 + 9_999, due);
    expect([...due]).toEqual(['x']);
  });

  it('matches a sorted reference on random deadlines', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const heap = new DeadlineHeap();
    const reference = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const key = `k${Math.floor(random() * 300)}`;
      const at = Math.floor(random() * 10_000);
      heap.set(key, at);
      reference.set(key, at);
    }
    for (const now of [100, 2500, 5000, 9999]) {
      const due = new Set<string>();
      heap.due(now, due);
      const expected = [...reference].filter(([, at]) => at <= now).map(([key]) => key);
      for (const key of expected) reference.delete(key);
      expect([...due].sort()).toEqual(expected.sort());
    }
  });
});
