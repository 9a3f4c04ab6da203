import type { RecordBatch } from './batch';
import type { BatchTag } from './batch-order';
import type { CapturedBatch } from './captured';
import type { JournalQuery } from './query';
import type { JournalRecord } from './records';
import type { JournalChannelSummary, JournalSessionSummary, JournalStats } from './summaries';

/** Retention (DESIGN §6): whole blocks go, oldest first. */
export interface RetentionPolicy {
  /** Drop blocks whose newest record arrived more than this long before `nowMs`. */
  maxAgeMs?: number;
  /** Then drop the oldest blocks until the journal holds at most this many bytes. */
  maxBytes?: number;
}

export interface PruneResult {
  records: number;
  bytes: number;
  blocks: number;
}

/**
 * The journal, whatever holds it: the Dexie store (`JournalStore`, in the Electron journal
 * window) and the headless host's segmented journal (electron/core/journal/host-journal.ts) implement it.
 */
export interface Journal {
  /** Appends a batch in arrival order; resolves once it is durable (committed). */
  append(records: readonly JournalRecord[]): Promise<void>;
  /**
   * The same for a batch as the capturing thread collects it (Pusher frames as their wire text).
   * Journals in another thread implement it — the batch crosses as a few copies, see
   * captured.ts; a writer next to the journal appends `capturedRecords(batch)` instead.
   * `tag` numbers the writer's batches: the journal's side takes them in order only (batch-order.ts).
   */
  appendCaptured?(batch: CapturedBatch, tag?: BatchTag): Promise<void>;
  /** The same for records already made into a {@link RecordBatch} (the journals that store them); a journal that keeps batch ids records `tag`. */
  appendBatch?(batch: RecordBatch, tag?: BatchTag): Promise<void>;
  /** The last batch id it holds, for a journal that keeps them (the host's: a journal thread started again must not write a batch twice). */
  readonly lastBatch?: BatchTag | undefined;
  /** Matching records in arrival order. */
  query(query?: JournalQuery): Promise<JournalRecord[]>;
  channels(): Promise<JournalChannelSummary[]>;
  sessions(): Promise<JournalSessionSummary[]>;
  count(): Promise<number>;
  stats(): Promise<JournalStats>;
  /**
   * NDJSON v1: the header, then every record (or every record matching `query`, whose `limit` is
   * ignored) in arrival order, as text pieces of whole lines. Pieces are made as they are asked
   * for, so a consumer that stops asking holds the journal's reading at its pace (bounded memory).
   */
  exportNdjson(createdAt: string, query?: JournalQuery): AsyncIterable<string>;
  /** Appends imported records (from NDJSON or HAR) in batches; returns how many. */
  import(records: Iterable<JournalRecord>): Promise<number>;
  prune(policy: RetentionPolicy, nowMs: number): Promise<PruneResult>;
  close(): Promise<void>;
}

/** Records per transaction when importing. */
export const IMPORT_BATCH = 10_000;

/** Feeds `records` to `write` in batches of IMPORT_BATCH (one transaction or message per batch); returns how many were written. */
export async function importInBatches(records: Iterable<JournalRecord>, write: (batch: JournalRecord[]) => Promise<number>): Promise<number> {
  let batch: JournalRecord[] = [];
  let count = 0;
  for (const record of records) {
    batch.push(record);
    if (batch.length >= IMPORT_BATCH) {
      count += await write(batch);
      batch = [];
    }
  }
  return batch.length > 0 ? count + (await write(batch)) : count;
}
