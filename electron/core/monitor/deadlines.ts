/**
 * When each session's row changes by time alone (a stall, an orphan, a hole leaving the reorder
 * window): a binary min-heap of (time, session) with one live deadline per session. Setting a
 * new deadline leaves the old entry in the heap; it is skipped when popped (lazy deletion), and
 * the heap is rebuilt when stale entries outnumber live ones, so its size stays O(sessions with a
 * deadline). `due(now)` costs O(due · log n).
 */
export class DeadlineHeap {
  private times: number[] = [];
  private keys: string[] = [];
  private readonly live = new Map<string, number>();

  get size(): number {
    return this.live.size;
  }

  /** The session's next deadline (Infinity or NaN: none). */
  set(key: string, at: number): void {
    if (!Number.isFinite(at)) {
      this.live.delete(key);
      return;
    }
    if (this.live.get(key) === at) return;
    this.live.set(key, at);
    this.push(at, key);
    if (this.times.length > 2 * this.live.size + 64) this.rebuild();
  }

  delete(key: string): void {
    this.live.delete(key);
  }

  clear(): void {
    this.times = [];
    this.keys = [];
    this.live.clear();
  }

  /** Sessions whose deadline is at or before `now`, each once; their deadlines are removed. */
  due(now: number, into: Set<string>): void {
    while (this.times.length > 0 && this.times[0]! <= now) {
      const at = this.times[0]!;
      const key = this.keys[0]!;
      this.pop();
      if (this.live.get(key) !== at) continue; // superseded
      this.live.delete(key);
      into.add(key);
    }
  }

  private push(at: number, key: string): void {
    const times = this.times;
    const keys = this.keys;
    let i = times.length;
    times.push(at);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= at) break;
      times[i] = times[parent]!;
      keys[i] = keys[parent]!;
      i = parent;
    }
    times[i] = at;
    keys[i] = key;
  }

  private pop(): void {
    const times = this.times;
    const keys = this.keys;
    const lastAt = times.pop()!;
    const lastKey = keys.pop()!;
    const n = times.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && times[right]! < times[left]! ? right : left;
      if (times[child]! >= lastAt) break;
      times[i] = times[child]!;
      keys[i] = keys[child]!;
      i = child;
    }
    times[i] = lastAt;
    keys[i] = lastKey;
  }

  private rebuild(): void {
    const entries = [...this.live];
    this.times = [];
    this.keys = [];
    for (const [key, at] of entries) this.push(at, key);
  }
}
