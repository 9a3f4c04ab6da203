import { describe, expect, it } from 'vitest';
import type { Clock } from '../electron/core/clock';
import type { Timers } from '../electron/core/timers';
import { EARLY_TOLERANCE_MS, EventScheduler, type SchedulerClock } from '../electron/mock/simulator/scheduler';
import { settle, VirtualClock } from './virtual-clock';

describe('VirtualClock', () => {
  it('is every clock shape production code takes', () => {
    const clock = new VirtualClock(500);
    const scheduler: SchedulerClock = clock;
    const timers: Timers = clock;
    const now: Clock = clock.now;
    expect([scheduler.now(), now()]).toEqual([500, 500]);
    const fired: string[] = [];
    scheduler.setTimer(() => fired.push('scheduler'), 10);
    timers.setTimeout(() => fired.push('timers'), 10);
    clock.advance(10);
    expect(fired).toEqual(['scheduler', 'timers']);
    expect(now()).toBe(510);
  });

  it('fires due timers in due-time order, ties in the order they were set, each at its own time', () => {
    const clock = new VirtualClock(0);
    const fired: Array<[string, number]> = [];
    const at = (name: string, ms: number) => clock.setTimer(() => fired.push([name, clock.now()]), ms);
    at('c', 30);
    at('a1', 10);
    at('b', 20.5);
    at('a2', 10);
    at('late', 41);
    clock.advance(40);
    expect(fired).toEqual([
      ['a1', 10],
      ['a2', 10],
      ['b', 20.5],
      ['c', 30],
    ]);
    expect(clock.now()).toBe(40);
    expect(clock.pending).toBe(1);
    expect(clock.nextAt).toBe(41);
  });

  it('honours timers set while time moves: due within the move, they fire in it; later ones wait', () => {
    const clock = new VirtualClock(0);
    const fired: Array<[string, number]> = [];
    clock.setTimer(() => {
      fired.push(['first', clock.now()]);
      clock.setTimer(() => fired.push(['now', clock.now()]), 0);
      clock.setTimer(() => fired.push(['inside', clock.now()]), 5);
      clock.setTimer(() => fired.push(['outside', clock.now()]), 50);
    }, 10);
    clock.setTimer(() => fired.push(['second', clock.now()]), 12);
    clock.advance(20);
    expect(fired).toEqual([
      ['first', 10],
      ['now', 10],
      ['second', 12],
      ['inside', 15],
    ]);
    clock.advance(40);
    expect(fired.at(-1)).toEqual(['outside', 60]);
  });

  it('cancels: a cleared timer never fires, under either name', () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    clock.clearTimer(clock.setTimer(() => fired.push('a'), 1));
    clock.clearTimeout(clock.setTimeout(() => fired.push('b'), 1));
    const c = clock.setTimer(() => fired.push('c'), 2);
    clock.setTimer(() => clock.clearTimer(c), 1);
    clock.advance(10);
    expect(fired).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('runUntil a time moves exactly there; runUntil a condition stops as soon as it holds', () => {
    const clock = new VirtualClock(0);
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      clock.setTimer(tick, 100);
    };
    clock.setTimer(tick, 100);
    clock.runUntil(250);
    expect([ticks, clock.now()]).toEqual([2, 250]);
    clock.runUntil(() => ticks === 5);
    expect([ticks, clock.now()]).toEqual([5, 500]);
  });

  it('runUntil a condition fails when no timer is left to make it true, or when timers never stop', () => {
    const clock = new VirtualClock(0);
    clock.setTimer(() => undefined, 5);
    expect(() => clock.runUntil(() => false)).toThrow(/no timer is left/);
    expect(clock.now()).toBe(5);
    const forever = (): void => void clock.setTimer(forever, 1);
    forever();
    expect(() => clock.runUntil(() => false, 100)).toThrow(/after 100 timers/);
  });

  it('never moves back, and negative waits are due now', () => {
    const clock = new VirtualClock(100);
    clock.advanceTo(50);
    expect(clock.now()).toBe(100);
    const fired: number[] = [];
    clock.setTimer(() => fired.push(clock.now()), -5);
    clock.advance(0);
    expect(fired).toEqual([100]);
  });

  it('advanceAsync lets the promise chains a timer starts run before the next timer, and at the end', async () => {
    const clock = new VirtualClock(0);
    const seen: Array<[string, number]> = [];
    clock.setTimer(() => {
      void Promise.resolve()
        .then(() => undefined)
        .then(() => {
          seen.push(['chain', clock.now()]);
          clock.setTimer(() => seen.push(['after chain', clock.now()]), 5);
        });
    }, 10);
    clock.setTimer(() => seen.push(['timer', clock.now()]), 12);
    await clock.advanceAsync(20);
    expect(seen).toEqual([
      ['chain', 10],
      ['timer', 12],
      ['after chain', 15],
    ]);
    void Promise.resolve().then(() => seen.push(['settled', clock.now()]));
    await settle();
    expect(seen.at(-1)).toEqual(['settled', 20]);
  });

  it('drives the simulator’s scheduler: tasks run at their due times, in insertion order on ties', () => {
    const clock = new VirtualClock(0);
    const scheduler = new EventScheduler(clock);
    const ran: Array<[string, number]> = [];
    scheduler.at(30, () => ran.push(['c', clock.now()]));
    scheduler.at(10, () => ran.push(['a', clock.now()]));
    scheduler.at(10, () => ran.push(['b', clock.now()]));
    clock.runAll();
    // The scheduler wakes 0.5 ms ahead and runs what is due within that tolerance.
    expect(ran).toEqual([
      ['a', 10 - EARLY_TOLERANCE_MS],
      ['b', 10 - EARLY_TOLERANCE_MS],
      ['c', 30 - EARLY_TOLERANCE_MS],
    ]);
  });
});
