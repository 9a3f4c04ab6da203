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
  /** Calls back after about `delayMs` (a fraction of a millisecond allowed; 0 = as soon as possible). */
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * Waits shorter than this do not sleep: the callback runs from `setImmediate`, after the event
 * loop has polled I/O without blocking. A sleeping thread is woken by the OS, and on a virtual
 * machine that wake-up is often late: `setTimeout(1)` measured p50 1.2 ms, p99 4.4 ms, max 11 ms
 * on the 2-core VM we build on.
 */
export const AWAKE_BELOW_MS = 1;

/**
 * Above this many tasks per millisecond the scheduler stays awake between tasks less than
 * `AWAKE_BELOW_MS` apart instead of sleeping. Staying awake costs the thread's idle time, so it
 * pays only for a dense run: at 2,000 sessions × 20 tokens/s (40 events per ms) every oversleep
 * made hundreds of events late (p99 emit error 2–8 ms → 0.7–2.7 ms awake), while a 100-session
 * run kept awake used 62 % of a core instead of 10 % for no gain.
 */
export const DENSE_TASKS_PER_MS = 20;
/** The window over which the task rate is measured. */
const RATE_WINDOW_MS = 25;

class Immediate {
  constructor(readonly handle: NodeJS.Immediate) {}
}

export const realClock: SchedulerClock = {
  now: () => performance.timeOrigin + performance.now(),
  // Node timers fire no earlier than the whole milliseconds asked (and clamp 0 to 1).
  setTimer: (callback, delayMs) => (delayMs < AWAKE_BELOW_MS ? new Immediate(setImmediate(callback)) : setTimeout(callback, Math.floor(delayMs))),
  clearTimer: (handle) => {
    if (handle instanceof Immediate) clearImmediate(handle.handle);
    else clearTimeout(handle as NodeJS.Timeout);
  },
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
export const EARLY_TOLERANCE_MS = 0.5;

export class EventScheduler {
  private heap: Entry[] = [];
  private order = 0;
  private timer: unknown = null;
  private armedFor = Number.POSITIVE_INFINITY;
  private stopped = false;
  /** Inside `wake`: tasks scheduling tasks must not re-arm the timer each time (it is armed once at the end). */
  private waking = false;
  /** One callback for every wake-up (a dense run re-arms tens of thousands of times a second). */
  private readonly onTimer = (): void => this.wake();
  /** Tasks run since `windowStart`, and whether the last full window was dense. */
  private windowTasks = 0;
  private windowStart = Number.NEGATIVE_INFINITY;
  private dense = false;

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
    // Wake a little before due: what is due within the tolerance runs in that wake-up.
    const ahead = top.due - this.clock.now() - EARLY_TOLERANCE_MS;
    // A sparse run sleeps at least a timer tick; a dense one stays awake for sub-millisecond waits.
    this.timer = this.clock.setTimer(this.onTimer, this.dense ? Math.max(0, ahead) : Math.max(AWAKE_BELOW_MS, ahead));
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
      if (top.cancelled) continue;
      this.countTask(now);
      top.task(now - top.due);
    }
  }

  private countTask(now: number): void {
    this.windowTasks++;
    const elapsed = now - this.windowStart;
    if (elapsed < RATE_WINDOW_MS) return;
    this.dense = elapsed < 2 * RATE_WINDOW_MS && this.windowTasks / elapsed >= DENSE_TASKS_PER_MS;
    this.windowStart = now;
    this.windowTasks = 0;
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
