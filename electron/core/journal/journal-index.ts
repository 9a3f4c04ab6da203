import { addToSummaries, groupFigures, type JournalSummaryRow, type RecordBatch } from '../../../shared/journal';
import { FileSegments, type FileSegment } from './file-segments';

/**
 * What the headless host knows about its whole file without holding its records: the
 * segment index, per-(connection, channel, session) summaries and totals. Grows with the
 * number of sessions and megabytes, not with the number of events.
 */
export class JournalIndex {
  readonly segments: FileSegments;
  readonly summaries = new Map<string, JournalSummaryRow>();
  nextSeq = 0;
  bytes = 0;
  oldestAt = Number.POSITIVE_INFINITY;
  newestAt = Number.NEGATIVE_INFINITY;

  constructor(segmentBytes?: number) {
    this.segments = new FileSegments(segmentBytes);
  }

  /** A batch written at `offset` (`bytes` long, non-record lines included), numbered from `nextSeq`. */
  add(batch: RecordBatch, lineBytes: Uint32Array, offset: number, bytes: number): number {
    const firstSeq = this.nextSeq;
    const figures = groupFigures(batch, lineBytes);
    this.segments.add(offset, bytes, firstSeq, batch.count, figures);
    addToSummaries(this.summaries, figures);
    for (const group of figures) {
      this.oldestAt = Math.min(this.oldestAt, group.firstAt);
      this.newestAt = Math.max(this.newestAt, group.lastAt);
    }
    this.nextSeq = firstSeq + batch.count;
    this.bytes += bytes;
    return firstSeq;
  }

  get records(): number {
    let records = 0;
    for (const segment of this.segments.list) records += segment.count;
    return records;
  }

  /** Takes segments dropped by retention out of the summaries, totals and time range. */
  forget(dropped: readonly FileSegment[]): void {
    const touched = new Set<string>();
    for (const segment of dropped) {
      this.bytes -= segment.bytes;
      for (const row of segment.rows.values()) {
        const total = this.summaries.get(row.key);
        if (total === undefined) continue;
        total.records -= row.records;
        total.bytes -= row.bytes;
        touched.add(row.key);
      }
    }
    for (const key of touched) {
      const total = this.summaries.get(key)!;
      if (total.records <= 0) {
        this.summaries.delete(key);
        continue;
      }
      const first = this.segments.list.find((segment) => segment.rows.has(key));
      if (first !== undefined) total.firstAt = first.rows.get(key)!.firstAt;
    }
    this.oldestAt = Number.POSITIVE_INFINITY;
    for (const segment of this.segments.list) this.oldestAt = Math.min(this.oldestAt, segment.firstAt);
    if (this.segments.list.length === 0) this.newestAt = Number.NEGATIVE_INFINITY;
  }
}
