import type { Clock } from '../electron/core/clock';
import type { Timers } from '../electron/core/timers';
import type { SchedulerClock } from '../electron/mock/simulator/scheduler';

/**
 * The one virtual clock of the test suite. It is each clock shape production code takes: the
 * simulator's `SchedulerClock` (`now`/`setTimer`/`clearTimer`, also the page bridge's), core's
 * `Clock` (pass `clock.now`: monitor, app service, hub, record follower) and core's `Timers`
 * (`setTimeout`/`clearTimeout`: discovery, reconciliation, grace periods). One instance can drive
 * all of them at once, so the simulator, the monitor and what watches them agree on every instant.
 *
 * Time moves only when a test moves it (`advance`, `advanceTo`, `runUntil`): due timers fire in
 * due-time order, ties in the order they were set, and a timer set while time moves fires in the
 * same move when it falls due within it.
 */
interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/** A run that never settles is a bug in the test or the code: fail instead of spinning. */
const DEFAULT_LIMIT = 10_000_000;

export class VirtualClock implements SchedulerClock, Timers {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(start = 1_000_000) {
    this.time = start;
  }

  /** The current virtual time; a `Clock` as it stands (it needs no `this`). */
  readonly now: Clock = () => this.time;

  /** Calls back `ms` from now (negative waits count as 0, as Node's timers do). */
  readonly setTimer = (callback: () => void, ms: number): unknown => {
    const seq = ++this.seq;
    this.timers.set(seq, { at: this.time + Math.max(0, ms), seq, callback });
    return seq;
  };

  readonly clearTimer = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  /** core's `Timers`: the same timers under the names Node's globals have. */
  readonly setTimeout = (callback: () => void, ms: number): unknown => this.setTimer(callback, ms);
  readonly clearTimeout = (handle: unknown): void => this.clearTimer(handle);

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.size;
  }

  /** When the next timer is due, if any. */
  get nextAt(): number | undefined {
    return this.next(Number.POSITIVE_INFINITY)?.at;
  }

  /** Moves time forward by `ms`, firing what falls due on the way (including timers those set). */
  advance(ms: number): void {
    this.advanceTo(this.time + ms);
  }

  /** Moves time forward to `time` (never back), firing what falls due on the way. */
  advanceTo(time: number, limit = DEFAULT_LIMIT): void {
    const until = Math.max(this.time, time);
    for (let fired = 0; this.fireNext(until); fired++) if (fired >= limit) throw new Error(`more than ${limit} timers fired before ${until}`);
    this.time = until;
  }

  /**
   * Fires timers one by one, moving time to each, until `condition` holds (checked before each
   * timer) or, given a time, until that time. Throws when the timers run out first: nothing else
   * could make the condition true.
   */
  runUntil(condition: number | (() => boolean), limit = DEFAULT_LIMIT): void {
    if (typeof condition === 'number') {
      this.advanceTo(condition, limit);
      return;
    }
    for (let fired = 0; !condition(); fired++) {
      if (fired >= limit) throw new Error(`condition still false after ${limit} timers`);
      if (!this.fireNext(Number.POSITIVE_INFINITY)) throw new Error(`condition still false at ${this.time} and no timer is left`);
    }
  }

  /** Fires every timer, and every timer they set, until none is left. */
  runAll(limit = DEFAULT_LIMIT): void {
    this.runUntil(() => this.timers.size === 0, limit);
  }

  /**
   * For code whose timers start promise chains (a writer's append, a fetch double): like
   * `advance`, but after each timer, and at the end, the callbacks of settled promises run.
   */
  async advanceAsync(ms: number): Promise<void> {
    const until = this.time + ms;
    await settle();
    while (this.fireNext(until)) await settle();
    this.time = until;
  }

  private fireNext(until: number): boolean {
    const next = this.next(until);
    if (!next) return false;
    this.timers.delete(next.seq);
    this.time = Math.max(this.time, next.at);
    next.callback();
    return true;
  }

  private next(until: number): Timer | undefined {
    let next: Timer | undefined;
    for (const timer of this.timers.values()) if (timer.at <= until && (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) next = timer;
    return next;
  }
}

/**
 * Lets every promise callback that is ready run: one turn of the event loop (`setImmediate` comes
 * after the microtasks queued before it, and those they queue). No time passes, virtual or real.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
