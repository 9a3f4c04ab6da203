import { afterEach, describe, expect, it, vi } from 'vitest';
import { AWAKE_BELOW_MS, DENSE_TASKS_PER_MS, EventScheduler, realClock } from './scheduler';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('realClock', () => {
  it('does not sleep for a wait under a millisecond: the callback comes from setImmediate, not a timer', async () => {
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    const immediates = vi.spyOn(globalThis, 'setImmediate');
    const fired = await new Promise<boolean>((resolve) => realClock.setTimer(() => resolve(true), AWAKE_BELOW_MS / 2));
    expect(fired).toBe(true);
    expect(immediates).toHaveBeenCalledTimes(1);
    expect(timeouts).not.toHaveBeenCalled();
  });

  it('sleeps on a timer for longer waits, for the whole milliseconds asked', () => {
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    const handle = realClock.setTimer(() => undefined, 12.7);
    realClock.clearTimer(handle);
    expect(timeouts).toHaveBeenCalledWith(expect.any(Function), 12);
  });

  it('cancels both kinds of wait', async () => {
    const calls: string[] = [];
    realClock.clearTimer(realClock.setTimer(() => calls.push('immediate'), 0.2));
    realClock.clearTimer(realClock.setTimer(() => calls.push('timer'), 2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toEqual([]);
  });
});

describe('EventScheduler on the real clock', () => {
  const until = (scheduler: EventScheduler, due: number) => new Promise<void>((resolve) => scheduler.at(due, () => resolve()));

  it('sleeps on a timer between the tasks of a sparse run, even when the next is under a millisecond away', async () => {
    const scheduler = new EventScheduler(realClock);
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    const immediates = vi.spyOn(globalThis, 'setImmediate');
    const start = realClock.now() + 5;
    for (let i = 0; i < 20; i++) scheduler.at(start + i * 1.2, () => undefined);
    await until(scheduler, start + 30);
    expect(timeouts.mock.calls.length).toBeGreaterThan(0);
    expect(immediates).not.toHaveBeenCalled();
    scheduler.stop();
  });

  it('stays awake (setImmediate, no timer) between the tasks of a dense run once its rate is measured', async () => {
    const scheduler = new EventScheduler(realClock);
    const start = realClock.now() + 5;
    // 50 tasks per millisecond for 200 ms: well above DENSE_TASKS_PER_MS.
    const perMs = 50;
    expect(perMs).toBeGreaterThanOrEqual(2 * DENSE_TASKS_PER_MS);

    let measuredBy = Number.POSITIVE_INFINITY;
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < perMs * 200; i++) {
      const due = start + i / perMs;
      scheduler.at(due, () => {
        if (i === perMs * 100) {
          // Half-way: the rate has been measured for well over one window.
          measuredBy = timeouts.mock.calls.length;
        }
      });
    }
    await until(scheduler, start + 200);
    const sleptAfterMeasuring = timeouts.mock.calls.length - measuredBy;
    expect(measuredBy).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(sleptAfterMeasuring).toBe(0);
    scheduler.stop();
  });
});
