import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../../test-support/virtual-clock';
import { AWAKE_BELOW_MS, DENSE_TASKS_PER_MS, EARLY_TOLERANCE_MS, EventScheduler, realClock, type SchedulerClock } from './scheduler';

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
    // Real timers, tested as such: Node fires timers in due order, so once a later one has fired the cancelled ones would have.
    await new Promise((resolve) => setTimeout(resolve, 3));
    expect(calls).toEqual([]);
  });
});

/** The shared virtual clock, recording every wait the scheduler asks of it. */
function recordingClock(): { clock: VirtualClock; scheduling: SchedulerClock; waits: number[] } {
  const clock = new VirtualClock(0);
  const waits: number[] = [];
  const scheduling: SchedulerClock = {
    now: clock.now,
    setTimer: (callback, ms) => {
      waits.push(ms);
      return clock.setTimer(callback, ms);
    },
    clearTimer: clock.clearTimer,
  };
  return { clock, scheduling, waits };
}

describe('EventScheduler on the virtual clock', () => {
  it('sleeps at least AWAKE_BELOW_MS between the tasks of a sparse run, even when the next is under a millisecond away', () => {
    const { clock, scheduling, waits } = recordingClock();
    const scheduler = new EventScheduler(scheduling);
    for (let i = 0; i < 20; i++) scheduler.at(5 + i * 0.7, () => undefined);
    clock.runAll();
    expect(scheduler.size).toBe(0);
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.min(...waits)).toBe(AWAKE_BELOW_MS);
  });

  it('runs each task of a sparse run EARLY_TOLERANCE_MS early, never later: it wakes that much ahead and the clock is exact', () => {
    const { clock, scheduling } = recordingClock();
    const scheduler = new EventScheduler(scheduling);
    const lateness: number[] = [];
    for (let i = 0; i < 20; i++) scheduler.at(5 + i * 1.5, (lateMs) => lateness.push(lateMs));
    clock.runAll();
    expect(lateness).toEqual(Array.from({ length: 20 }, () => -EARLY_TOLERANCE_MS));
  });

  it('stays awake (waits under AWAKE_BELOW_MS) between the tasks of a dense run once its rate is measured', () => {
    const { clock, scheduling, waits } = recordingClock();
    const scheduler = new EventScheduler(scheduling);
    // 50 tasks per millisecond for 200 ms: well above DENSE_TASKS_PER_MS.
    const perMs = 50;
    expect(perMs).toBeGreaterThanOrEqual(2 * DENSE_TASKS_PER_MS);
    let measuredBy = -1;
    for (let i = 0; i < perMs * 200; i++) {
      scheduler.at(5 + i / perMs, () => {
        // Half-way: the rate has been measured for well over one window.
        if (i === perMs * 100) measuredBy = waits.length;
      });
    }
    clock.runAll();
    expect(measuredBy).toBeGreaterThan(0);
    expect(waits.slice(0, measuredBy).some((ms) => ms >= AWAKE_BELOW_MS)).toBe(true); // it slept before measuring
    expect(waits.slice(measuredBy).filter((ms) => ms >= AWAKE_BELOW_MS)).toEqual([]);
  });

  it('a cancelled task never runs; stop drops the rest and the timer', () => {
    const { clock, scheduling } = recordingClock();
    const scheduler = new EventScheduler(scheduling);
    const ran: number[] = [];
    scheduler.at(10, () => ran.push(1)).cancel();
    scheduler.at(20, () => ran.push(2));
    scheduler.at(30, () => ran.push(3));
    clock.advance(25);
    scheduler.stop();
    expect(clock.pending).toBe(0);
    clock.advance(100);
    expect(ran).toEqual([2]);
  });
});
