/**
 * One timer for every session: a binary min-heap of due times driven by a single
 * `setTimeout` re-armed for the earliest task. A timer per token per session would put
 * thousands of timers in Node's lists and fire them one callback at a time; here one wake-up
 * runs every task that is due, and the error between the scheduled and the actual time is
 * measured for each (the simulator's timing quality is a product feature: latency tests
 * are only as good as the emitter's clock).
 */

export interface SchedulerClock {
  /** Milliseconds, monotonic enough for delays (epoch ms with a fraction in production). */
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: SchedulerClock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type Task = (lateMs: number) => void;

export interface ScheduledTask {
  cancel(): void;
}

/**
 * A heap entry is its own cancel handle: at tens of thousands of events per second a separate
 * handle object with a closure per event was pure garbage (young-generation GC pauses are what
 * push the emit error's tail past a few ms).
 */
class Entry implements ScheduledTask {
  cancelled = false;
  constructor(
    readonly due: number,
    /** Insertion order: tasks due at the same time run first-in first-out. */
    readonly order: number,
    readonly task: Task,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

/** Tasks due within this much of now run in the current wake-up rather than waiting a whole timer tick. */
const EARLY_TOLERANCE_MS = 0.5;

export class EventScheduler {
  private heap: Entry[] = [];
  private order = 0;
  private timer: unknown = null;
  private armedFor = Number.POSITIVE_INFINITY;
  private stopped = false;
  /** Inside `wake`: tasks scheduling tasks must not re-arm the timer each time (it is armed once at the end). */
  private waking = false;

  constructor(readonly clock: SchedulerClock = realClock) {}

  get size(): number {
    return this.heap.length;
  }

  /** Runs `task(lateMs)` at `due` (clock ms). `lateMs` is actual − scheduled (negative when slightly early). */
  at(due: number, task: Task): ScheduledTask {
    const entry = new Entry(due, this.order++, task);
    this.push(entry);
    if (!this.waking && due < this.armedFor) this.arm();
    return entry;
  }

  after(delayMs: number, task: Task): ScheduledTask {
    return this.at(this.clock.now() + delayMs, task);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.heap = [];
  }

  private arm(): void {
    if (this.stopped) return;
    const top = this.heap[0];
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    if (!top) return;
    this.armedFor = top.due;
    // Node timers fire no earlier than the whole milliseconds asked: wake a little before due.
    const ahead = top.due - this.clock.now() - EARLY_TOLERANCE_MS;
    // Node timers fire no earlier than the whole milliseconds asked (and clamp 0 to 1).
    this.timer = this.clock.setTimer(() => this.wake(), ahead <= 0 ? 0 : Math.max(1, Math.floor(ahead)));
  }

  private wake(): void {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    this.waking = true;
    try {
      this.runDue();
    } finally {
      this.waking = false;
    }
    this.arm();
  }

  private runDue(): void {
    // Run what is due; tasks may schedule more (even due now), which this loop picks up too.
    for (let guard = 0; guard < 1_000_000; guard++) {
      const top = this.heap[0];
      if (!top || this.stopped) break;
      const now = this.clock.now();
      if (top.due > now + EARLY_TOLERANCE_MS) break;
      this.pop();
      if (!top.cancelled) top.task(now - top.due);
    }
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      const swap = heap[i]!;
      heap[i] = heap[parent]!;
      heap[parent] = swap;
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < heap.length && before(heap[l]!, heap[smallest]!)) smallest = l;
        if (r < heap.length && before(heap[r]!, heap[smallest]!)) smallest = r;
        if (smallest === i) break;
        const swap = heap[i]!;
        heap[i] = heap[smallest]!;
        heap[smallest] = swap;
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
}
