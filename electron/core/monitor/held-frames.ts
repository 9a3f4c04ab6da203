import { vantageKeyOf } from '../../../shared/analysis';
import type { FrameRecord, JournalRecord } from '../../../shared/journal';

/** One observation's frames as the monitor holds them, with what live analysis made of each (see `Monitor.sessionAnalysis`). */
export interface KnownAnalysis {
  frames: FrameRecord[];
  /** The analyzer's classification of each frame (shared/analysis/classification.ts); 0: not analyzed. */
  classes: Uint32Array;
  /** Each frame's position (see `Analyzer.position`). */
  positions: Float64Array;
}

/** A record with the order it was ingested in (what a re-analysis replays by). */
export interface Ordered {
  order: number;
  record: JournalRecord;
}

interface Held {
  frames: FrameRecord[];
  /** Whether live analysis attributed each frame to the session (else the journal files it there: a protocol frame on its channel). */
  attributed: boolean[];
  classes: number[];
  positions: number[];
  orders: number[];
}

/**
 * The frames of the sessions the monitor analyzes live — what their detail is drawn from without a
 * journal query, and what a settings change re-analyzes — and nothing else: a session's frames are
 * let go when it is compacted (issue 19: no second copy of the journal in memory). A budget bounds
 * the whole: past it, the sessions held longest lose theirs (their detail then comes from the
 * journal), so a fleet of endless sessions cannot grow it.
 */
export class HeldFrames {
  private readonly sessions = new Map<string, Held>();
  private count = 0;
  /** Sessions whose frames were let go while the analyzer still has them: their full list is in the journal only. */
  private readonly trimmed = new Set<string>();

  constructor(private readonly budget: number) {}

  /** Frames held, all sessions together (never more than the budget once `add` returns). */
  get size(): number {
    return this.count;
  }

  /** The ingest order of the oldest frame held (Infinity when none is): sessions are held in the order they were first seen. */
  oldestOrder(): number {
    for (const held of this.sessions.values()) return held.orders[0] ?? Number.POSITIVE_INFINITY;
    return Number.POSITIVE_INFINITY;
  }

  /** Sessions with frames held. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  add(sessionId: string, frame: FrameRecord, attributed: boolean, classification: number, position: number, order: number): void {
    if (this.trimmed.has(sessionId)) return;
    let held = this.sessions.get(sessionId);
    if (held === undefined) {
      held = { frames: [], attributed: [], classes: [], positions: [], orders: [] };
      this.sessions.set(sessionId, held);
    }
    held.frames.push(frame);
    held.attributed.push(attributed);
    held.classes.push(classification);
    held.positions.push(position);
    held.orders.push(order);
    this.count++;
    if (this.count > this.budget) this.trimOldest(sessionId);
  }

  /** The held session that came first loses its frames (not the one being added to, unless it is alone). */
  private trimOldest(adding: string): void {
    for (const sessionId of this.sessions.keys()) {
      if (this.count <= this.budget) return;
      if (sessionId === adding && this.sessions.size > 1) continue;
      this.drop(sessionId);
      this.trimmed.add(sessionId);
    }
    // Keys of frames no session took (an unread channel) must not pile up either.
    for (const sessionId of this.trimmed) {
      if (this.trimmed.size <= this.budget) break;
      this.trimmed.delete(sessionId);
    }
  }

  /** Lets a session's frames go (it was compacted or forgotten); it may be held again from scratch. */
  drop(sessionId: string): void {
    const held = this.sessions.get(sessionId);
    if (held !== undefined) this.count -= held.frames.length;
    this.sessions.delete(sessionId);
    this.trimmed.delete(sessionId);
  }

  /**
   * One observation's frames (all vantages' when `vantage` is undefined) with live analysis'
   * findings; undefined when the session's frames were trimmed (ask the journal).
   */
  analysis(sessionId: string, vantage: string | undefined): KnownAnalysis | undefined {
    if (this.trimmed.has(sessionId)) return undefined;
    const held = this.sessions.get(sessionId);
    const frames: FrameRecord[] = [];
    const classes: number[] = [];
    const positions: number[] = [];
    if (held !== undefined) {
      for (let i = 0; i < held.frames.length; i++) {
        const frame = held.frames[i]!;
        // One observation's stream: frames of other vantages never enter it.
        if (vantage !== undefined && vantageKeyOf(frame) !== vantage) continue;
        frames.push(frame);
        classes.push(held.attributed[i] ? held.classes[i]! : 0);
        positions.push(held.attributed[i] ? held.positions[i]! : 0);
      }
    }
    return { frames, classes: Uint32Array.from(classes), positions: Float64Array.from(positions) };
  }

  /** The session's newest `limit` frames, oldest first; `attributedOnly`: only those live analysis gave it. */
  recent(sessionId: string, limit: number, attributedOnly = false): FrameRecord[] {
    const held = this.sessions.get(sessionId);
    if (held === undefined) return [];
    const frames = attributedOnly ? held.frames.filter((_, i) => held.attributed[i]) : held.frames;
    return frames.slice(Math.max(0, frames.length - limit));
  }

  /** Every held frame with its ingest order (what a re-analysis replays), sessions in no particular order. */
  *ordered(): Generator<Ordered> {
    for (const held of this.sessions.values()) for (let i = 0; i < held.frames.length; i++) yield { order: held.orders[i]!, record: held.frames[i]! };
  }

  /** Forgets everything (a re-analysis holds the frames again as it replays them). */
  clear(): void {
    this.sessions.clear();
    this.trimmed.clear();
    this.count = 0;
  }

  /** Marks a session trimmed without frames held (its frames were trimmed before a re-analysis). */
  markTrimmed(sessionId: string): void {
    this.drop(sessionId);
    this.trimmed.add(sessionId);
  }

  isTrimmed(sessionId: string): boolean {
    return this.trimmed.has(sessionId);
  }

  /** Trimmed sessions (a re-analysis keeps them trimmed). */
  trimmedSessions(): string[] {
    return [...this.trimmed];
  }
}
