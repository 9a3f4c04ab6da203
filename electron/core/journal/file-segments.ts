import { addToSummaries, groupMayMatch, type GroupFigures, type JournalQuery, type JournalSummaryRow } from '../../../shared/journal';

/**
 * Index of the journal file by byte ranges, so history older than the in-memory window is
 * read from disk on demand instead of being kept on the heap. A segment is a run of whole
 * batches (~1 MiB); per segment we keep its place in the file, its sequence and time range
 * and a summary row per (connection, channel, session key) — kilobytes per megabyte of journal.
 */
export interface FileSegment {
  offset: number;
  bytes: number;
  firstSeq: number;
  count: number;
  firstAt: number;
  lastAt: number;
  rows: Map<string, JournalSummaryRow>;
}

export const SEGMENT_BYTES = 1 << 20;

export class FileSegments {
  readonly list: FileSegment[] = [];
  private open: FileSegment | undefined;

  constructor(private readonly segmentBytes = SEGMENT_BYTES) {}

  /**
   * Adds `count` records that sit at `offset` (`bytes` long, the first numbered `firstSeq`), in
   * `groups`. A new segment starts at a batch boundary once the current one is full, so a batch never spans two.
   */
  add(offset: number, bytes: number, firstSeq: number, count: number, groups: readonly GroupFigures[]): void {
    if (this.open === undefined || this.open.bytes >= this.segmentBytes || this.open.offset + this.open.bytes !== offset) {
      this.open = { offset, bytes: 0, firstSeq, count: 0, firstAt: Number.POSITIVE_INFINITY, lastAt: Number.NEGATIVE_INFINITY, rows: new Map() };
      this.list.push(this.open);
    }
    const segment = this.open;
    segment.bytes += bytes;
    segment.count = firstSeq + count - segment.firstSeq;
    for (const group of groups) {
      segment.firstAt = Math.min(segment.firstAt, group.firstAt);
      segment.lastAt = Math.max(segment.lastAt, group.lastAt);
    }
    addToSummaries(segment.rows, groups);
  }

  /** Segments that may hold matches of `query` among sequences below `beforeSeq`, in file order. */
  candidates(query: JournalQuery, beforeSeq: number): FileSegment[] {
    return this.list.filter((segment) => segment.firstSeq < beforeSeq && segment.count > 0 && [...segment.rows.values()].some((row) => groupMayMatch(row, query)));
  }

  /** Drops the first `count` segments (retention) and moves the rest to start at `newStart`. */
  dropFirst(count: number, newStart: number): FileSegment[] {
    const dropped = this.list.splice(0, count);
    const shift = (this.list[0]?.offset ?? newStart) - newStart;
    for (const segment of this.list) segment.offset -= shift;
    if (this.list.length === 0) this.open = undefined;
    return dropped;
  }

  /** Closes the open segment so retention may drop it whole. */
  seal(): void {
    this.open = undefined;
  }
}
