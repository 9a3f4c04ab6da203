import type { Timers } from '../electron/core/timers';

/**
 * A virtual clock with timers, for code that takes `now`/`setTimer`/`clearTimer` (the page's
 * bridge) or core's `Timers` (`setTimeout`/`clearTimeout`: discovery, reconciliation): tests move
 * time with `advance`, never wait for it.
 */
interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

export class VirtualTimers implements Timers {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(start = 1_000_000) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  readonly setTimer = (callback: () => void, ms: number): unknown => {
    const seq = ++this.seq;
    this.timers.set(seq, { at: this.time + ms, seq, callback });
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

  /** Moves time forward by `ms`, firing due timers in order (timers they set fire too when due). */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers.values()) if (timer.at <= until && (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) next = timer;
      if (!next) break;
      this.timers.delete(next.seq);
      this.time = next.at;
      next.callback();
    }
    this.time = until;
  }
}
