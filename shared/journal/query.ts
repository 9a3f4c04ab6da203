import { blockLines, type BlockGroup, type JournalBlock } from './blocks';
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

/** True when `query` selects by nothing (every record matches it, `limit` aside). */
export function isEmptyQuery(query: JournalQuery | undefined): boolean {
  return (
    query === undefined || (query.sessionKey === undefined && query.channel === undefined && query.connection === undefined && query.from === undefined && query.to === undefined)
  );
}

/** True when a group (or any summary of one connection, channel and session key) may hold matches. */
export function groupMayMatch(group: Pick<BlockGroup, 'connection' | 'channel' | 'sessionKey' | 'firstAt' | 'lastAt'>, query: JournalQuery): boolean {
  if (query.sessionKey !== undefined && group.sessionKey !== query.sessionKey) return false;
  if (query.channel !== undefined && group.channel !== query.channel) return false;
  if (query.connection !== undefined && group.connection !== query.connection) return false;
  if (query.from !== undefined && group.lastAt < query.from) return false;
  if (query.to !== undefined && group.firstAt > query.to) return false;
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

/**
 * Collects matches from blocks visited in key order (= arrival order). Blocks hold disjoint,
 * increasing sequence ranges, so matches come out in arrival order and a limit ends the scan.
 */
export class BlockScan {
  private readonly found: JournalRecord[] = [];
  private readonly limit: number;
  private readonly from: number;
  private readonly to: number;

  constructor(private readonly query: JournalQuery) {
    this.limit = query.limit ?? Number.POSITIVE_INFINITY;
    this.from = query.from ?? Number.NEGATIVE_INFINITY;
    this.to = query.to ?? Number.POSITIVE_INFINITY;
  }

  get done(): boolean {
    return this.found.length >= this.limit;
  }

  add(block: JournalBlock): void {
    if (this.done) return;
    const wanted = new Uint8Array(block.groups.length);
    let any = false;
    block.groups.forEach((group, index) => {
      if (groupMayMatch(group, this.query)) wanted[index] = 1;
      any ||= wanted[index] === 1;
    });
    if (!any) return;
    let lines: string[] | undefined;
    for (let i = 0; i < block.count && !this.done; i++) {
      const at = block.ats[i]!;
      if (wanted[block.groupOf[i]!] !== 1 || at < this.from || at > this.to) continue;
      lines ??= blockLines(block);
      // Lines were written by this journal from checked records: parsed without re-checking.
      this.found.push(JSON.parse(lines[i]!) as JournalRecord);
    }
  }

  records(): JournalRecord[] {
    return this.found;
  }
}
