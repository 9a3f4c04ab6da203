import { addToSummaries, groupMayMatch, summaryKey, type BatchTag, type GroupFigures, type JournalQuery, type JournalSummaryRow } from '../../../shared/journal';

/**
 * What the headless host knows about its journal without holding its records: per chunk (a run
 * of whole batches, ~1 MiB, inside one segment file) its place, sequence and time range and a
 * summary row per (connection, channel, session key); per (connection, channel, session key)
 * the totals; the journal's totals. Grows with sessions and megabytes, not with events.
 * Sequences are positions in the journal's arrival order, counted afresh on each start.
 */
export interface JournalChunk {
  /** Number of the segment file holding it. */
  segment: number;
  /** Byte range in that file (non-record lines inside it included). */
  offset: number;
  bytes: number;
  /** Lines in that range (records and lines that are not: broken, unknown types), for line numbers in warnings. */
  lines: number;
  firstSeq: number;
  count: number;
  firstAt: number;
  lastAt: number;
  rows: Map<string, JournalSummaryRow>;
  /** The last batch id written in it (batch-order.ts), when its batches had ids. */
  batch?: BatchTag;
}

export const CHUNK_BYTES = 1 << 20;

export class JournalIndex {
  /** Every chunk, in arrival order. */
  readonly chunks: JournalChunk[] = [];
  readonly summaries = new Map<string, JournalSummaryRow>();
  nextSeq = 0;
  bytes = 0;
  oldestAt = Number.POSITIVE_INFINITY;
  newestAt = Number.NEGATIVE_INFINITY;
  /** The chunk being filled; `undefined` once closed. */
  private open: JournalChunk | undefined;

  constructor(private readonly chunkBytes = CHUNK_BYTES) {}

  /**
   * A batch of `count` records written at `offset` of `segment` (`bytes` long), in `groups`;
   * numbered from `nextSeq`, returned. It joins the open chunk when that one is in the same
   * file, ends where the batch begins and is not full; else a new chunk starts.
   */
  add(segment: number, offset: number, bytes: number, count: number, groups: readonly GroupFigures[], lines = count, batch?: BatchTag): number {
    const firstSeq = this.nextSeq;
    const open = this.open;
    if (open === undefined || open.segment !== segment || open.offset + open.bytes !== offset || open.bytes >= this.chunkBytes) {
      this.open = { segment, offset, bytes: 0, lines: 0, firstSeq, count: 0, firstAt: Number.POSITIVE_INFINITY, lastAt: Number.NEGATIVE_INFINITY, rows: new Map() };
      this.chunks.push(this.open);
    }
    const chunk = this.open!;
    chunk.bytes += bytes;
    chunk.lines += lines;
    chunk.count += count;
    if (batch !== undefined) chunk.batch = batch;
    for (const group of groups) {
      chunk.firstAt = Math.min(chunk.firstAt, group.firstAt);
      chunk.lastAt = Math.max(chunk.lastAt, group.lastAt);
    }
    addToSummaries(chunk.rows, groups);
    this.count(bytes, count, groups);
    return firstSeq;
  }

  /** A chunk read back from a segment's index file (closed: later batches start a new one). */
  addClosed(chunk: Omit<JournalChunk, 'firstSeq'>): void {
    this.open = undefined;
    const entry: JournalChunk = { ...chunk, firstSeq: this.nextSeq };
    this.chunks.push(entry);
    addToSummaries(this.summaries, [...chunk.rows.values()].map(rowFigures));
    this.bytes += chunk.bytes;
    this.nextSeq += chunk.count;
    if (chunk.count > 0) {
      this.oldestAt = Math.min(this.oldestAt, chunk.firstAt);
      this.newestAt = Math.max(this.newestAt, chunk.lastAt);
    }
  }

  /** The last batch id in the journal, if its batches had ids. */
  get lastBatch(): BatchTag | undefined {
    for (let i = this.chunks.length - 1; i >= 0; i--) if (this.chunks[i]!.batch !== undefined) return this.chunks[i]!.batch;
    return undefined;
  }

  /** Whether the open chunk has reached its size (it should be closed and saved). */
  get openIsFull(): boolean {
    return this.open !== undefined && this.open.bytes >= this.chunkBytes;
  }

  /** Closes the open chunk and returns it (to be saved in its segment's index), if there is one. */
  close(): JournalChunk | undefined {
    const open = this.open;
    this.open = undefined;
    return open !== undefined && open.bytes > 0 ? open : undefined;
  }

  get records(): number {
    let records = 0;
    for (const chunk of this.chunks) records += chunk.count;
    return records;
  }

  /** The first chunk at or after sequence `cursor` that holds records (matches of `query`, when given), if any. */
  nextChunk(cursor: number, query?: JournalQuery): JournalChunk | undefined {
    const { chunks } = this;
    // Chunks are in sequence order: a binary search for the first one that ends after `cursor`.
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = chunks[middle]!;
      if (chunk.firstSeq + chunk.count <= cursor) low = middle + 1;
      else high = middle;
    }
    for (let i = low; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      if (chunk.count > 0 && chunk.firstSeq >= cursor && (query === undefined || chunkMayMatch(chunk, query))) return chunk;
    }
    return undefined;
  }

  /** Chunks that may hold matches of `query`, in arrival order. */
  candidates(query: JournalQuery): JournalChunk[] {
    return this.chunks.filter((chunk) => chunk.count > 0 && chunkMayMatch(chunk, query));
  }

  /** Retention: takes every chunk of `segments` out of the index, the summaries, the totals and the time range. */
  dropSegments(segments: ReadonlySet<number>): JournalChunk[] {
    const dropped: JournalChunk[] = [];
    const kept: JournalChunk[] = [];
    for (const chunk of this.chunks) (segments.has(chunk.segment) ? dropped : kept).push(chunk);
    if (this.open !== undefined && segments.has(this.open.segment)) this.open = undefined;
    this.chunks.splice(0, this.chunks.length, ...kept);
    const touched = new Set<string>();
    for (const chunk of dropped) {
      this.bytes -= chunk.bytes;
      for (const row of chunk.rows.values()) {
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
      const first = this.chunks.find((chunk) => chunk.rows.has(key));
      if (first !== undefined) total.firstAt = first.rows.get(key)!.firstAt;
    }
    this.oldestAt = Number.POSITIVE_INFINITY;
    this.newestAt = Number.NEGATIVE_INFINITY;
    for (const chunk of this.chunks) {
      if (chunk.count === 0) continue;
      this.oldestAt = Math.min(this.oldestAt, chunk.firstAt);
      this.newestAt = Math.max(this.newestAt, chunk.lastAt);
    }
    return dropped;
  }

  private count(bytes: number, count: number, groups: readonly GroupFigures[]): void {
    addToSummaries(this.summaries, groups);
    for (const group of groups) {
      this.oldestAt = Math.min(this.oldestAt, group.firstAt);
      this.newestAt = Math.max(this.newestAt, group.lastAt);
    }
    this.nextSeq += count;
    this.bytes += bytes;
  }
}

function chunkMayMatch(chunk: JournalChunk, query: JournalQuery): boolean {
  if (query.from !== undefined && chunk.lastAt < query.from) return false;
  if (query.to !== undefined && chunk.firstAt > query.to) return false;
  if (query.sessionKey === undefined && query.channel === undefined && query.connection === undefined) return true;
  for (const row of chunk.rows.values()) if (groupMayMatch(row, query)) return true;
  return false;
}

function rowFigures(row: JournalSummaryRow): GroupFigures {
  return { connection: row.connection, channel: row.channel, sessionKey: row.sessionKey, count: row.records, bytes: row.bytes, firstAt: row.firstAt, lastAt: row.lastAt };
}

/**
 * A chunk as one line of its segment's index file (`NNNNNNNN.index.ndjson`):
 * `{"offset","bytes","lines","count","firstAt","lastAt","rows":[[connection, channel, sessionKey, records, bytes, firstAt, lastAt], …]}`.
 */
export function chunkLine(chunk: JournalChunk): string {
  const rows = [...chunk.rows.values()].map((row) => [row.connection, row.channel, row.sessionKey, row.records, row.bytes, row.firstAt, row.lastAt]);
  return `${JSON.stringify({ offset: chunk.offset, bytes: chunk.bytes, lines: chunk.lines, count: chunk.count, firstAt: finite(chunk.firstAt), lastAt: finite(chunk.lastAt), rows, ...(chunk.batch ? { batch: chunk.batch } : {}) })}\n`;
}

/** A chunk of only lines that are not records has no time range: written as 0 (JSON has no infinity), read back as none. */
function finite(at: number): number {
  return Number.isFinite(at) ? at : 0;
}

/** Reads an index line back; `undefined` when it is not one (a torn or foreign line: the data is scanned instead). */
export function parseChunkLine(segment: number, line: string): Omit<JournalChunk, 'firstSeq'> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  const { offset, bytes, lines, count, firstAt, lastAt, rows } = entry;
  if (!isCount(offset) || !isCount(bytes) || !isCount(lines) || !isCount(count) || typeof firstAt !== 'number' || typeof lastAt !== 'number' || !Array.isArray(rows))
    return undefined;
  const map = new Map<string, JournalSummaryRow>();
  for (const row of rows as unknown[]) {
    if (!Array.isArray(row) || row.length !== 7) return undefined;
    const [connection, channel, sessionKey, records, rowBytes, rowFirstAt, rowLastAt] = row as unknown[];
    if (typeof connection !== 'string' || typeof channel !== 'string' || typeof sessionKey !== 'string') return undefined;
    if (!isCount(records) || !isCount(rowBytes) || typeof rowFirstAt !== 'number' || typeof rowLastAt !== 'number') return undefined;
    const key = summaryKey(connection, channel, sessionKey);
    map.set(key, { key, connection, channel, sessionKey, records, bytes: rowBytes, firstAt: rowFirstAt, lastAt: rowLastAt });
  }
  const batch = parseTag(entry.batch);
  if (entry.batch !== undefined && batch === undefined) return undefined;
  if (count === 0) return { segment, offset, bytes, lines, count, firstAt: Number.POSITIVE_INFINITY, lastAt: Number.NEGATIVE_INFINITY, rows: map, ...(batch ? { batch } : {}) };
  return { segment, offset, bytes, lines, count, firstAt, lastAt, rows: map, ...(batch ? { batch } : {}) };
}

function parseTag(value: unknown): BatchTag | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { writer, id } = value as { writer?: unknown; id?: unknown };
  return typeof writer === 'string' && isCount(id) && id > 0 ? { writer, id } : undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
