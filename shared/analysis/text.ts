/**
 * `text` (first chunk of each unique sequence, in sequence order) and `naiveText` (every chunk
 * in arrival order) of one session, bounded by `maxChars` each.
 *
 * Kept: one reference per stored chunk (the chunk strings themselves are shared with the
 * parsed frames), so memory is proportional to the text, capped at `maxChars` per text plus
 * one array slot per sequence, and one per arrival once the arrivals differ from the first
 * chunks. Joined strings are cached and extended incrementally, so an in-order stream costs
 * O(new chunks) per verdict, not O(all chunks).
 */

/**
 * A sequence further than this above the indexed ones goes to a side map instead: one garbage
 * sequence of 10^9 must not turn the array into a billion-slot walk.
 */
const MAX_INDEX_JUMP = 4096;

export class SessionText {
  /** First chunk of sequence s at index s - 1; undefined where unseen or not stored. */
  private readonly firstChunks: (string | undefined)[] = [];
  /** First chunks of sequences far above the indexed range (rare: garbage or huge jumps). */
  private farChunks: Map<number, string> | null = null;
  private storedChars = 0;
  private textTruncatedFlag = false;
  /** 32-bit hashes of first chunks that could not be stored (for conflicts after the cap). */
  private overflowHashes: Map<number, number> | null = null;
  private textCache = '';
  private textCacheUpTo = 0;

  /**
   * Chunks in arrival order — null while they are `firstChunks` itself: every chunk so far was the
   * next sequence's first one and was stored (an in-order stream without duplicates, nearly every
   * stream), so one array is written per event, not two. The first other arrival copies them out.
   */
  private arrivals: string[] | null = null;
  private arrivalChars = 0;
  private naiveTruncatedFlag = false;
  private naiveCache = '';
  private naiveCacheUpTo = 0;

  constructor(private readonly maxChars: number) {}

  get textTruncated(): boolean {
    return this.textTruncatedFlag;
  }

  get naiveTextTruncated(): boolean {
    return this.naiveTruncatedFlag;
  }

  /** A new sequence's chunk: its first chunk, and an arrival. */
  firstArrived(sequence: number, chunk: string): void {
    if (this.arrivals === null) {
      if (sequence - 1 === this.firstChunks.length && this.storedChars + chunk.length <= this.maxChars) {
        // what `first` and `arrived` would do: append it to both texts, which are still one
        this.firstChunks.push(chunk);
        this.storedChars += chunk.length;
        return;
      }
      this.separate();
    }
    this.first(sequence, chunk);
    this.arrived(chunk);
  }

  /** The arrivals so far become their own list (they were `firstChunks`, which is dense until then). */
  private separate(): void {
    this.arrivals = this.firstChunks.slice() as string[];
    this.arrivalChars = this.storedChars;
    this.naiveCache = '';
    this.naiveCacheUpTo = 0;
  }

  /** Records the first chunk seen for a new sequence. */
  private first(sequence: number, chunk: string): void {
    if (this.storedChars + chunk.length <= this.maxChars) {
      this.storedChars += chunk.length;
      if (sequence - 1 <= this.firstChunks.length + MAX_INDEX_JUMP) {
        this.firstChunks[sequence - 1] = chunk;
        if (sequence - 1 < this.textCacheUpTo) this.textCacheUpTo = 0; // a late chunk lands inside the cached text
      } else {
        (this.farChunks ??= new Map()).set(sequence, chunk);
      }
      return;
    }
    this.textTruncatedFlag = true;
    (this.overflowHashes ??= new Map()).set(sequence, hashChunk(chunk));
  }

  /** The first chunk stored for `sequence`, if it fit under the cap. */
  firstChunk(sequence: number): string | undefined {
    return this.firstChunks[sequence - 1] ?? this.farChunks?.get(sequence);
  }

  /** Whether `chunk` differs from the first chunk seen for `sequence` (already in S). */
  differsFromFirst(sequence: number, chunk: string): boolean {
    const stored = this.firstChunk(sequence);
    if (stored !== undefined) return stored !== chunk;
    const hash = this.overflowHashes?.get(sequence);
    return hash !== undefined && hash !== hashChunk(chunk);
  }

  /** Records a chunk in arrival order (a redelivered sequence's; a new one's goes through `firstArrived`). */
  arrived(chunk: string): void {
    if (this.arrivals === null) this.separate();
    if (this.naiveTruncatedFlag) return;
    if (this.arrivalChars + chunk.length > this.maxChars) {
      this.naiveTruncatedFlag = true;
      return;
    }
    this.arrivals!.push(chunk);
    this.arrivalChars += chunk.length;
  }

  text(): string {
    const chunks = this.firstChunks;
    if (this.farChunks !== null) return this.mergedText();
    if (this.textCacheUpTo === 0) this.textCache = '';
    let text = this.textCache;
    for (let i = this.textCacheUpTo; i < chunks.length; i++) {
      const chunk = chunks[i];
      if (chunk !== undefined) text += chunk;
    }
    this.textCache = text;
    this.textCacheUpTo = chunks.length;
    return text;
  }

  /** Indexed and far chunks merged in sequence order (uncached: only garbage-like streams get here). */
  private mergedText(): string {
    const far = [...this.farChunks!.entries()].sort((a, b) => a[0] - b[0]);
    const chunks = this.firstChunks;
    let text = '';
    let next = 0;
    for (let i = 0; i < chunks.length; i++) {
      while (next < far.length && far[next]![0] - 1 < i) text += far[next++]![1];
      const chunk = chunks[i];
      if (chunk !== undefined) text += chunk;
    }
    while (next < far.length) text += far[next++]![1];
    return text;
  }

  naiveText(): string {
    const arrivals = this.arrivals;
    if (arrivals === null) return this.text();
    let text = this.naiveCache;
    for (let i = this.naiveCacheUpTo; i < arrivals.length; i++) text += arrivals[i];
    this.naiveCache = text;
    this.naiveCacheUpTo = arrivals.length;
    return text;
  }
}

/** FNV-1a over UTF-16 units: collisions (2^-32) could hide a conflict past the text cap. */
function hashChunk(chunk: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < chunk.length; i++) {
    hash ^= chunk.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
