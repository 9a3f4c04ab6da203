import { blockLines, type JournalBlock } from './blocks';
import type { JournalRecord } from './records';
import { journalSessionKey } from './session-key';

/** A journal query: all fields optional, combined with AND; results in arrival order. */
export interface JournalQuery {
  /** {@link journalSessionKey} of the records. */
  sessionKey?: string;
  channel?: string;
  connection?: string;
  /** Arrival time range, epoch ms, both ends inclusive. */
  from?: number;
  to?: number;
  /** The first `limit` matching records (in arrival order). */
  limit?: number;
}

/** True when a whole block may hold matches (blocks are homogeneous in connection, channel and session key). */
export function blockMayMatch(block: Pick<JournalBlock, 'connection' | 'channel' | 'sessionKey' | 'firstAt' | 'lastAt'>, query: JournalQuery): boolean {
  if (query.sessionKey !== undefined && block.sessionKey !== query.sessionKey) return false;
  if (query.channel !== undefined && block.channel !== query.channel) return false;
  if (query.connection !== undefined && block.connection !== query.connection) return false;
  if (query.from !== undefined && block.lastAt < query.from) return false;
  if (query.to !== undefined && block.firstAt > query.to) return false;
  return true;
}

/** The same test for one record (used where records are not grouped in blocks, e.g. the host's NDJSON file). */
export function recordMatches(record: JournalRecord, query: JournalQuery): boolean {
  if (query.from !== undefined && record.at < query.from) return false;
  if (query.to !== undefined && record.at > query.to) return false;
  if (query.connection !== undefined && record.connection !== query.connection) return false;
  if (query.channel !== undefined && (record.type === 'connection' || record.channel !== query.channel)) return false;
  if (query.sessionKey !== undefined && journalSessionKey(record) !== query.sessionKey) return false;
  return true;
}

interface Hit {
  seq: number;
  line: string;
}

/**
 * Collects matches from blocks visited in key order (= order of their first record) and
 * returns them in arrival order. With a limit it keeps the first `limit` hits only and
 * tells the caller when no later block can contribute (`wants`), so a query for the first
 * 100 events of a long session reads a few blocks, not the session.
 */
export class BlockScan {
  private hits: Hit[] = [];
  private threshold = Number.POSITIVE_INFINITY;
  private readonly limit: number;
  private readonly from: number;
  private readonly to: number;

  constructor(private readonly query: JournalQuery) {
    this.limit = query.limit ?? Number.POSITIVE_INFINITY;
    this.from = query.from ?? Number.NEGATIVE_INFINITY;
    this.to = query.to ?? Number.POSITIVE_INFINITY;
  }

  /** False once the limit is met by records that all come before this block's first one. */
  wants(block: Pick<JournalBlock, 'firstSeq'>): boolean {
    return this.limit > 0 && block.firstSeq <= this.threshold;
  }

  add(block: JournalBlock): void {
    if (!blockMayMatch(block, this.query) || !this.wants(block)) return;
    let lines: string[] | undefined;
    for (let i = 0; i < block.count; i++) {
      const at = block.ats[i]!;
      const seq = block.seqs[i]!;
      if (at < this.from || at > this.to || seq > this.threshold) continue;
      lines ??= blockLines(block);
      this.hits.push({ seq, line: lines[i]! });
    }
    if (this.hits.length >= this.limit) {
      this.hits.sort((a, b) => a.seq - b.seq);
      this.hits.length = this.limit;
      this.threshold = this.hits[this.limit - 1]!.seq;
    }
  }

  records(): JournalRecord[] {
    this.hits.sort((a, b) => a.seq - b.seq);
    const hits = this.hits.length > this.limit ? this.hits.slice(0, this.limit) : this.hits;
    // Lines were written by this journal from validated records: parsed without re-checking.
    return hits.map((hit) => JSON.parse(hit.line) as JournalRecord);
  }
}
