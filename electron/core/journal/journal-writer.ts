import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { Timers } from '../timers';
import { CapturedBatchBuilder, capturedRecords, type BatchTag, type CapturedBatch, type Journal, type JournalRecord } from '../../../shared/journal';

/** What a writer needs of a journal: appending (a journal in another thread also takes captured batches). */
export type JournalSink = Pick<Journal, 'append'> & Partial<Pick<Journal, 'appendCaptured'>>;

export interface JournalWriterOptions {
  /**
   * How long a record waits for company while a slot is free before its batch is handed over.
   * Default 0 — group commit: with a slot free, what was added in this turn of the event loop goes
   * at once (on the next timer tick); while every slot is taken, records gather and go together the
   * moment one frees. So a batch waits for the disk, never for a clock, and a quiet journal
   * acknowledges within one write. A positive value trades acknowledgement latency for fewer,
   * bigger writes.
   */
  flushMs?: number;
  /** A failed batch goes again after this long. Default 20 ms. */
  retryMs?: number;
  /** A batch is written at once when it reaches this many records. Default 5,000. */
  maxBatch?: number;
  /**
   * Batches handed to the journal before the first is acknowledged. Default 2: the journal
   * (a worker) starts the next batch as soon as it finishes one, instead of idling for a round trip.
   * Always 1 for a journal in this thread (no `appendCaptured`): its appends run one by one anyway.
   */
  maxInFlight?: number;
  /**
   * Records that may wait unacknowledged (a journal thread down, a disk that keeps failing).
   * Beyond it, new records are not journaled — counted in {@link JournalWriter.unjournaled} and
   * said once per outage through `onError` — instead of growing the heap until the process dies
   * and takes the analysis with it. Default 500,000 (~150 MB of frames).
   */
  maxWaiting?: number;
  /** What measures how long records waited, and what times the flush; default the real ones (tests pass a virtual clock). */
  clock?: Clock;
  timers?: Timers;
}

/** Node's timers as they are: a pending flush keeps the process alive until its records are handed over. */
const heldTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One acknowledged batch: every record in it is durable (in the file, flushed, and in Dexie). */
export interface JournalAck {
  /** Records in this batch. */
  count: number;
  /** Records acknowledged since the writer started, this batch included. */
  total: number;
}

/**
 * Turns a stream of records into batched journal appends (DESIGN §6: never a transaction per
 * event). Frames whose wire text the hub has are collected as that text (captured.ts), so a
 * batch crosses to the journal's thread as a few copies. At most `maxInFlight` batches are
 * handed over at a time; records added meanwhile form the next one, so a slow disk makes
 * batches bigger instead of queueing appends. Batches are acknowledged in order. A failed batch
 * is kept and retried before newer ones (the journal never drops a record on purpose); the
 * failure is reported to `onError` listeners.
 *
 * Failure order: batches to another thread carry ids ({@link BatchTag}); that side takes them in
 * order only, so a batch in flight behind a failed one is refused, not written first. After a
 * failure nothing new is handed over: the failed batches go again one at a time, in id order,
 * and pipelining resumes once they are written. A refusal is a consequence, not a failure: it is
 * not reported. A batch written whose acknowledgement was lost is not written twice.
 */
export class JournalWriter {
  private readonly pending = new CapturedBatchBuilder();
  /** When the oldest pending record was added (on `clock`). */
  private pendingSince = 0;
  /** Batches whose append failed or was refused, in id order: they go again, one at a time, before new records. */
  private readonly failed: { batch: CapturedBatch; tag: BatchTag }[] = [];
  /** A failed batch is being handed over again: nothing else goes meanwhile. */
  private retrying = false;
  private readonly name = randomUUID();
  private lastId = 0;
  private readonly maxWaiting: number;
  private unjournaledTotal = 0;
  /** An outage's records are being turned away (said once, until a batch is acknowledged again). */
  private turningAway = false;
  private timer: unknown;
  private readonly inFlight = new Set<Promise<void>>();
  /** Records in the batches handed over and not settled. */
  private inFlightCount = 0;
  private acknowledgedTotal = 0;
  private readonly ackListeners = new Set<(ack: JournalAck) => void>();
  private readonly errorListeners = new Set<(error: Error) => void>();
  private readonly flushMs: number;
  private readonly retryMs: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly clock: Clock;
  private readonly timers: Timers;

  constructor(
    private readonly journal: JournalSink,
    options: JournalWriterOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 0;
    this.retryMs = options.retryMs ?? 20;
    this.maxBatch = options.maxBatch ?? 5000;
    this.maxWaiting = options.maxWaiting ?? 500_000;
    this.maxInFlight = journal.appendCaptured ? Math.max(1, options.maxInFlight ?? 2) : 1;
    this.clock = options.clock ?? (() => performance.now());
    this.timers = options.timers ?? heldTimers;
  }

  /**
   * `wireText`, when the hub has it, is the WebSocket message the frame was decoded from. False
   * when the record is turned away (too many wait: see `maxWaiting`): it will not be journaled.
   */
  add(record: JournalRecord, wireText?: string): boolean {
    if (this.waitingCount >= this.maxWaiting) {
      this.turnAway();
      return false;
    }
    if (this.pending.count === 0) this.pendingSince = this.clock();
    // A journal in this thread takes the record itself: decoding the text again would only cost.
    this.pending.add(record, this.journal.appendCaptured ? wireText : undefined);
    // Every slot taken (or a failed batch first): the batch goes when one settles (`schedule`).
    if (!this.slotFree()) return true;
    if (this.pending.count >= this.maxBatch) void this.write();
    else this.timer ??= this.timers.setTimeout(() => void this.write(), this.flushMs);
    return true;
  }

  /** Records not journaled because too many waited (see `maxWaiting`). */
  get unjournaled(): number {
    return this.unjournaledTotal;
  }

  /** Records acknowledged so far. */
  get acknowledged(): number {
    return this.acknowledgedTotal;
  }

  /** Records taken since the writer started (acknowledged or waiting; not those turned away). */
  get added(): number {
    return this.acknowledgedTotal + this.waitingCount;
  }

  /** Records added and not yet handed to the journal. */
  get unacknowledged(): number {
    let count = this.pending.count;
    for (const { batch } of this.failed) count += batch.items.length;
    return count;
  }

  onAck(listener: (ack: JournalAck) => void): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  onError(listener: (error: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Writes everything added so far; resolves when it is acknowledged (rejects if a batch fails). */
  async flush(): Promise<void> {
    while (this.waiting() || this.inFlight.size > 0) {
      if (this.inFlight.size > 0) await Promise.all([...this.inFlight].map((batch) => batch.catch(() => undefined)));
      else await this.write();
      if (this.lastError !== undefined && this.failed.length > 0) {
        const error = this.lastError;
        this.lastError = undefined;
        throw error;
      }
    }
  }

  private lastError: Error | undefined;

  /** Flushes and stops the timer; the journal itself stays open (its owner closes it). */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private write(): Promise<void> {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const busy = this.retrying || this.inFlight.size >= this.maxInFlight || (this.failed.length > 0 && this.inFlight.size > 0);
    if (busy || !this.waiting()) return Promise.all(this.inFlight).then(() => undefined);
    const retry = this.failed.shift();
    const { batch, tag } = retry ?? { batch: this.pending.take(), tag: { writer: this.name, id: ++this.lastId } };
    this.retrying = retry !== undefined;
    // Acknowledged in order: a batch reports only after the one before it has.
    const previous = Promise.all(this.inFlight).catch(() => undefined);
    this.inFlightCount += batch.items.length;
    const appended = this.append(batch, tag);
    const done: Promise<void> = appended.then(
      async () => {
        await previous;
        this.inFlight.delete(done);
        this.inFlightCount -= batch.items.length;
        if (retry !== undefined) this.retrying = false;
        this.lastError = undefined;
        this.turningAway = false;
        this.acknowledgedTotal += batch.items.length;
        const ack = { count: batch.items.length, total: this.acknowledgedTotal };
        for (const listener of this.ackListeners) listener(ack);
        this.schedule();
      },
      async (error: unknown) => {
        await previous;
        this.inFlight.delete(done);
        this.inFlightCount -= batch.items.length;
        if (retry !== undefined) this.retrying = false;
        this.failed.push({ batch, tag });
        this.failed.sort((a, b) => a.tag.id - b.tag.id);
        // Refused because one before it failed: that failure was reported already.
        if (!isRefusal(error)) {
          this.lastError = error instanceof Error ? error : new Error(String(error));
          for (const listener of this.errorListeners) listener(this.lastError);
        }
        this.schedule();
      },
    );
    this.inFlight.add(done);
    // A slot is still free: what waits goes too (after a retry nothing does: it goes alone).
    if (this.waiting() && this.slotFree()) this.timer ??= this.timers.setTimeout(() => void this.write(), this.flushMs);
    return done;
  }

  private append(batch: CapturedBatch, tag: BatchTag): Promise<void> {
    if (this.journal.appendCaptured) return this.journal.appendCaptured(batch, tag);
    const parsed = capturedRecords(batch);
    return parsed.ok ? this.journal.append(parsed.records) : Promise.reject(new Error(parsed.message));
  }

  /** Records added and not acknowledged: pending, failed and in flight. */
  private get waitingCount(): number {
    return this.unacknowledged + this.inFlightCount;
  }

  private turnAway(): void {
    this.unjournaledTotal++;
    if (this.turningAway) return;
    this.turningAway = true;
    const error = new Error(`${this.maxWaiting.toLocaleString('en-US')} records wait for the journal: new ones are analyzed but not journaled until it takes them again`);
    error.name = 'JournalFull';
    for (const listener of this.errorListeners) listener(error);
  }

  /** A new batch may be handed over now: no failed batch waits or goes again, and a slot is free. */
  private slotFree(): boolean {
    return !this.retrying && this.failed.length === 0 && this.inFlight.size < this.maxInFlight;
  }

  /** Records wait to be handed over: failed batches or new ones. */
  private waiting(): boolean {
    return this.failed.length > 0 || this.pending.count > 0;
  }

  /**
   * After a batch settles: write the next one now if it is full or its oldest record has waited
   * `flushMs` already (always so by default: it gathered while every slot was taken), else when
   * it will have. A failed batch goes again after `retryMs`.
   */
  private schedule(): void {
    if (!this.waiting()) return;
    if (this.failed.length > 0) {
      this.timer ??= this.timers.setTimeout(() => void this.write(), this.retryMs);
      return;
    }
    const waited = this.clock() - this.pendingSince;
    if (this.inFlight.size < this.maxInFlight && (this.pending.count >= this.maxBatch || waited >= this.flushMs)) void this.write();
    else this.timer ??= this.timers.setTimeout(() => void this.write(), Math.max(0, this.flushMs - waited));
  }
}

/** The journal's side refused a batch that came before one that failed (batch-order.ts): the code crosses the port. */
function isRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'conflict';
}
