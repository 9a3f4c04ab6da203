import { mkdirSync, writeFileSync } from 'node:fs';
import { appendFile, open, readFile, stat, truncate, unlink } from 'node:fs/promises';
import {
  batchLineBytes,
  batchMarkerLine,
  parseBatchMarker,
  type BatchTag,
  channelSummaries,
  groupFigures,
  importInBatches,
  isEmptyQuery,
  journalHeader,
  NdjsonJournalReader,
  recordBatch,
  RecordBatchBuilder,
  recordMatches,
  serializeRecord,
  sessionSummaries,
  type HeaderRecord,
  type Journal,
  type JournalChannelSummary,
  type JournalIssue,
  type JournalQuery,
  type JournalRecord,
  type JournalSessionSummary,
  type JournalStats,
  type PruneResult,
  type RecordBatch,
  type RetentionPolicy,
} from '../../../shared/journal';
import { indexFile, listSegments, segmentFile } from './journal-directory';
import { JOURNAL_FILE_MODE, JournalFile, scanLines, syncDirectory } from './journal-file';
import { chunkLine, JournalIndex, parseChunkLine, type JournalChunk } from './journal-index';

export interface HostJournalOptions {
  /** The journal's directory of segment files; created when missing. */
  directory: string;
  /** A segment is sealed and the next one begun once it holds this many bytes (whole batches). Default 32 MiB. */
  segmentBytes?: number;
  /** Size of the index's units inside a segment (whole batches), bytes. Default 1 MiB. */
  chunkBytes?: number;
  /** Problems found on start (torn last line, broken lines). Default: `console.warn`. */
  onWarning?: (message: string) => void;
  /** For the headers of new segments. */
  now?: () => number;
}

/** What opening the journal found. */
export interface HostJournalLoad {
  records: number;
  /** The first segment's header. */
  header: HeaderRecord | null;
  segments: number;
  /** Bytes of segment data read on start: only what no index line covered (a crash's last chunk). */
  scannedBytes: number;
  /** Broken lines in the scanned data (skipped, left in the file), the first 100. */
  issues: JournalIssue[];
  issueCount: number;
  /** A segment ended inside a line: it was cut back to its last complete line. */
  tornLastLine: boolean;
  truncatedBytes: number;
}

export const SEGMENT_BYTES = 32 << 20;
const LOAD_BATCH = 10_000;
/** How a segment's batch marker lines begin (batchMarkerLine): an export skips them unparsed. */
const BATCH_LINE_START = '{"type":"batch"';

/**
 * The headless host's journal (DESIGN §2, §6; docs/journal.md "Segments"): a directory of
 * append-only NDJSON v1 segment files, the last one active, and beside each a small index of
 * its chunks. A batch is acknowledged (its `append` resolves) once it is in the active segment
 * and `fdatasync`ed. Queries read the chunks the index says may match; `channels`, `sessions`,
 * `count` and `stats` are answered from the index alone. Start-up reads the index files and
 * only the data no index line covers; retention deletes whole segment files.
 */
export class HostJournal implements Journal {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly directory: string,
    private active: { segment: number; file: JournalFile },
    private readonly index: JournalIndex,
    private readonly segmentBytes: number,
    private readonly now: () => number,
    readonly load: HostJournalLoad,
  ) {}

  static async open(options: HostJournalOptions): Promise<HostJournal> {
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    const now = options.now ?? Date.now;
    const { directory } = options;
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const listing = listSegments(directory);
    for (const orphan of listing.orphanIndexes) await unlink(indexFile(directory, orphan)).catch(() => undefined);
    if (listing.segments.length === 0) {
      await createSegment(directory, 1, now);
      listing.segments.push(1);
    }
    const index = new JournalIndex(options.chunkBytes);
    const load: HostJournalLoad = {
      records: 0,
      header: null,
      segments: listing.segments.length,
      scannedBytes: 0,
      issues: [],
      issueCount: 0,
      tornLastLine: false,
      truncatedBytes: 0,
    };
    for (const segment of listing.segments) await loadSegment(directory, segment, index, load, warn, options.chunkBytes);
    load.records = index.records;
    load.header = (await readFirstLine(segmentFile(directory, listing.segments[0]!))).header;
    const last = listing.segments.at(-1)!;
    const file = await JournalFile.open(segmentFile(directory, last), Number.POSITIVE_INFINITY);
    if (file.bytes === 0) await file.append(serializeRecord(journalHeader(new Date(now()).toISOString())));
    return new HostJournal(directory, { segment: last, file }, index, options.segmentBytes ?? SEGMENT_BYTES, now, load);
  }

  append(records: readonly JournalRecord[]): Promise<void> {
    return this.appendBatch(recordBatch(records));
  }

  /** The last batch id written (batch-order.ts), also from before a restart. */
  get lastBatch(): BatchTag | undefined {
    return this.index.lastBatch;
  }

  /** With `tag`, its marker line goes in the same write, after the batch's lines: the id is in the journal exactly when they are. */
  appendBatch(batch: RecordBatch, tag?: BatchTag): Promise<void> {
    if (batch.count === 0) return Promise.resolve();
    return this.exclusive(async () => {
      const lineBytes = batchLineBytes(batch);
      const { file, segment } = this.active;
      const offset = await file.append(tag === undefined ? batch.text : batch.text + batchMarkerLine(tag));
      this.index.add(segment, offset, file.bytes - offset, batch.count, groupFigures(batch, lineBytes), batch.count + (tag === undefined ? 0 : 1), tag);
      if (this.index.openIsFull) await this.saveChunk();
      if (file.bytes >= this.segmentBytes) await this.roll();
    });
  }

  query(query: JournalQuery = {}): Promise<JournalRecord[]> {
    return this.exclusive(async () => {
      const limit = query.limit ?? Number.POSITIVE_INFINITY;
      const found: JournalRecord[] = [];
      const needle = queryNeedle(query);
      for (const chunk of this.index.candidates(query)) {
        if (found.length >= limit) break;
        const text = await this.readChunk(chunk);
        const reader = new NdjsonJournalReader(
          (record) => {
            if (found.length < limit && recordMatches(record, query)) found.push(record);
          },
          { maxIssues: 0 },
        );
        for (const line of text.split('\n')) {
          if (line === '') continue;
          // Most lines cannot match: skip them unparsed when the wanted value is not in them as JSON writes it.
          if (needle !== undefined && !line.includes(needle) && !line.includes('\\')) continue;
          reader.pushLine(line);
        }
      }
      return found;
    });
  }

  channels(): Promise<JournalChannelSummary[]> {
    return Promise.resolve(channelSummaries(this.index.summaries.values()));
  }

  sessions(): Promise<JournalSessionSummary[]> {
    return Promise.resolve(sessionSummaries(this.index.summaries.values()));
  }

  count(): Promise<number> {
    return Promise.resolve(this.index.records);
  }

  stats(): Promise<JournalStats> {
    const { index } = this;
    const records = index.records;
    return Promise.resolve({
      records,
      bytes: index.bytes,
      blocks: index.chunks.length,
      oldestAt: records === 0 ? null : index.oldestAt,
      newestAt: records === 0 ? null : index.newestAt,
    });
  }

  /** The journal's directory. */
  get path(): string {
    return this.directory;
  }

  /**
   * The header, then the records (those matching `query`) chunk by chunk: one chunk is read
   * under the lock per piece asked for, so memory holds one chunk whatever the journal's size.
   * Batch markers, headers of later segments and broken lines are left out.
   */
  async *exportNdjson(createdAt: string, query?: JournalQuery): AsyncIterable<string> {
    yield serializeRecord(journalHeader(createdAt));
    const filter = isEmptyQuery(query) ? undefined : { ...query, limit: undefined };
    const needle = filter === undefined ? undefined : queryNeedle(filter);
    // Found by sequence, not by position: retention may drop chunks meanwhile.
    let cursor = 0;
    for (;;) {
      const piece = await this.exclusive(async () => {
        const chunk = this.index.nextChunk(cursor, filter);
        if (chunk === undefined) return undefined;
        cursor = chunk.firstSeq + chunk.count;
        let text = '';
        const reader = new NdjsonJournalReader(
          (record) => {
            if (filter === undefined || recordMatches(record, filter)) text += serializeRecord(record);
          },
          { maxIssues: 0 },
        );
        for (const line of (await this.readChunk(chunk)).split('\n')) {
          if (line === '' || line.startsWith(BATCH_LINE_START)) continue;
          if (needle !== undefined && !line.includes(needle) && !line.includes('\\')) continue;
          reader.pushLine(line);
        }
        reader.end();
        return text;
      });
      if (piece === undefined) return;
      if (piece.length > 0) yield piece;
    }
  }

  import(records: Iterable<JournalRecord>): Promise<number> {
    return importInBatches(records, async (batch) => (await this.append(batch), batch.length));
  }

  /**
   * Retention: whole segment files, oldest first — by age (its newest record older than
   * `maxAgeMs`), then by size until at most `maxBytes` remain. Nothing is rewritten: a file is
   * deleted, then its index, then the directory is flushed. Dropping the active segment seals it first.
   */
  prune(policy: RetentionPolicy, nowMs: number): Promise<PruneResult> {
    return this.exclusive(async () => {
      const bySegment = new Map<number, { bytes: number; lastAt: number; count: number }>();
      for (const chunk of this.index.chunks) {
        const entry = bySegment.get(chunk.segment) ?? { bytes: 0, lastAt: Number.NEGATIVE_INFINITY, count: 0 };
        entry.bytes += chunk.bytes;
        entry.count += chunk.count;
        if (chunk.count > 0) entry.lastAt = Math.max(entry.lastAt, chunk.lastAt);
        bySegment.set(chunk.segment, entry);
      }
      const drop = new Set<number>();
      let remaining = this.index.bytes;
      for (const [segment, entry] of [...bySegment].sort((a, b) => a[0] - b[0])) {
        const tooOld = policy.maxAgeMs !== undefined && entry.lastAt < nowMs - policy.maxAgeMs;
        const tooBig = policy.maxBytes !== undefined && remaining > policy.maxBytes;
        if (!tooOld && !tooBig) break;
        remaining -= entry.bytes;
        drop.add(segment);
      }
      const result: PruneResult = { records: 0, bytes: 0, blocks: 0 };
      if (drop.size === 0) return result;
      if (drop.has(this.active.segment)) await this.roll();
      for (const segment of drop) {
        await unlink(segmentFile(this.directory, segment)).catch(ignoreMissing);
        await unlink(indexFile(this.directory, segment)).catch(ignoreMissing);
      }
      await syncDirectory(this.directory);
      for (const chunk of this.index.dropSegments(drop)) {
        result.records += chunk.count;
        result.bytes += chunk.bytes;
        result.blocks++;
      }
      return result;
    });
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      // The last chunk's index line: the next start reads no data at all.
      await this.saveChunk();
      await this.active.file.close();
    });
  }

  /** Runs operations one at a time: the files and the index change together. */
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new Error('the journal is closed');
      return operation();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the open chunk and adds its line to its segment's index. */
  private async saveChunk(): Promise<void> {
    const chunk = this.index.close();
    if (chunk !== undefined) await appendFile(indexFile(this.directory, chunk.segment), chunkLine(chunk), { mode: JOURNAL_FILE_MODE });
  }

  /** Seals the active segment (its last chunk saved) and begins the next one with its own header. */
  private async roll(): Promise<void> {
    await this.saveChunk();
    await this.active.file.close();
    const segment = this.active.segment + 1;
    await createSegment(this.directory, segment, this.now);
    this.active = { segment, file: await JournalFile.open(segmentFile(this.directory, segment), Number.POSITIVE_INFINITY) };
  }

  private async readChunk(chunk: JournalChunk): Promise<string> {
    if (chunk.segment === this.active.segment) return (await this.active.file.read(chunk.offset, chunk.bytes)).toString('utf8');
    const handle = await open(segmentFile(this.directory, chunk.segment), 'r');
    try {
      const buffer = Buffer.allocUnsafe(chunk.bytes);
      let done = 0;
      while (done < chunk.bytes) {
        const { bytesRead } = await handle.read(buffer, done, chunk.bytes - done, chunk.offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buffer.toString('utf8', 0, done);
    } finally {
      await handle.close();
    }
  }
}

/** A new segment file holding only its header, flushed, its directory entry too. */
async function createSegment(directory: string, segment: number, now: () => number): Promise<void> {
  const path = segmentFile(directory, segment);
  writeFileSync(path, serializeRecord(journalHeader(new Date(now()).toISOString())), { flag: 'wx', mode: JOURNAL_FILE_MODE });
  const handle = await open(path, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await syncDirectory(directory);
}

/**
 * Adds one segment to the index: its index file's chunks (the valid prefix that lies inside
 * the data, each beginning where the one before ended), then the data after them, scanned and
 * indexed (and its chunks saved, so the next start reads no data). A torn last line is cut off.
 */
async function loadSegment(
  directory: string,
  segment: number,
  index: JournalIndex,
  load: HostJournalLoad,
  warn: (message: string) => void,
  chunkBytes: number | undefined,
): Promise<void> {
  const data = segmentFile(directory, segment);
  const size = (await stat(data)).size;
  const head = await readFirstLine(data);
  const headerBytes = head.header === null ? 0 : head.bytes;
  const indexPath = indexFile(directory, segment);
  const chunks: Omit<JournalChunk, 'firstSeq'>[] = [];
  let coveredTo = 0;
  let keptIndexBytes = 0;
  const text = await readFile(indexPath).catch(() => Buffer.alloc(0));
  for (let start = 0; start < text.length;) {
    const newline = text.indexOf(0x0a, start);
    if (newline < 0) break;
    const chunk = parseChunkLine(segment, text.toString('utf8', start, newline));
    const fits = chunk !== undefined && (chunks.length === 0 ? chunk.offset <= headerBytes : chunk.offset === coveredTo) && chunk.offset + chunk.bytes <= size;
    if (!fits) break;
    chunks.push(chunk);
    coveredTo = chunk.offset + chunk.bytes;
    start = keptIndexBytes = newline + 1;
  }
  // A torn or stale tail of the index is cut, so the lines saved below follow the valid ones.
  if (keptIndexBytes < text.length) await truncate(indexPath, keptIndexBytes);
  for (const chunk of chunks) index.addClosed(chunk);
  // Lines before the scan: the header when no chunk holds it, then the chunks' lines.
  let linesBefore = chunks.length === 0 || chunks[0]!.offset > 0 ? (head.header === null ? 0 : 1) : 0;
  for (const chunk of chunks) linesBefore += chunk.lines;
  if (chunks.length === 0) coveredTo = headerBytes;
  if (coveredTo >= size) return;

  const loader = new SegmentLoader(segment, index, chunkBytes);
  const scan = await scanLines(data, (line, offset, bytes) => loader.line(line, offset, bytes), coveredTo);
  const summary = loader.end();
  load.scannedBytes += size - coveredTo;
  for (const chunk of loader.closed) await appendFile(indexPath, chunkLine(chunk), { mode: JOURNAL_FILE_MODE });
  const name = `journal ${data}`;
  if (scan.tornBytes > 0) {
    warn(`${name}: torn last line (${scan.tornBytes} bytes after the last newline, a write cut short) — skipped, file truncated to its last complete line`);
    await truncate(data, scan.goodBytes);
    load.tornLastLine = true;
    load.truncatedBytes += scan.tornBytes;
  }
  for (const issue of summary.issues) {
    const numbered = { line: issue.line + linesBefore, message: issue.message };
    warn(`${name}: line ${numbered.line}: ${issue.message}`);
    if (load.issues.length < 100) load.issues.push(numbered);
  }
  if (summary.issueCount > summary.issues.length) warn(`${name}: ${summary.issueCount - summary.issues.length} more broken lines`);
  load.issueCount += summary.issueCount;
}

/** A segment's first line, read alone: its header when it is one, and its length in bytes with the `\n`. */
async function readFirstLine(path: string): Promise<{ header: HeaderRecord | null; bytes: number }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const newline = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (newline < 0) return { header: null, bytes: 0 };
    const reader = new NdjsonJournalReader(() => undefined, { maxIssues: 0 });
    reader.pushLine(buffer.toString('utf8', 0, newline));
    return { header: reader.end().header, bytes: newline + 1 };
  } finally {
    await handle.close();
  }
}

interface LineRun {
  offset: number;
  bytes: number;
  lines: number;
}

/**
 * Indexes a segment's unindexed data as it is scanned: each line is checked by the NDJSON
 * reader, records are gathered into batches of whole lines (at most `chunkBytes` or 10,000
 * records), and each batch is added to the index. Lines that are not records (a header, broken
 * lines) belong to the batch around them, so chunks cover the data without gaps. Chunks it
 * closes are kept for saving.
 */
class SegmentLoader {
  readonly closed: JournalChunk[] = [];
  private current: (LineRun & { builder: RecordBatchBuilder; lineBytes: number[] }) | undefined;
  /** Lines read since the last batch that are not records yet. */
  private loose: LineRun | undefined;
  /** The last batch marker read and not yet in a chunk. */
  private marker: BatchTag | undefined;
  private at = { text: '', offset: 0, bytes: 0 };
  private readonly reader = new NdjsonJournalReader((record) => this.record(record));

  constructor(
    private readonly segment: number,
    private readonly index: JournalIndex,
    private readonly chunkBytes = 1 << 20,
  ) {}

  line(text: string, offset: number, bytes: number): void {
    this.at = { text, offset, bytes };
    const run = (this.current ?? (this.loose ??= { offset, bytes: 0, lines: 0 })) as LineRun;
    run.bytes = offset + bytes - run.offset;
    run.lines++;
    this.marker = parseBatchMarker(text) ?? this.marker;
    this.reader.pushLine(text);
  }

  end() {
    this.flush();
    const loose = this.loose;
    if (loose !== undefined) this.index.add(this.segment, loose.offset, loose.bytes, 0, [], loose.lines, this.marker);
    this.marker = undefined;
    this.loose = undefined;
    const chunk = this.index.close();
    if (chunk !== undefined) this.closed.push(chunk);
    return this.reader.end();
  }

  private record(record: JournalRecord): void {
    const { text, offset, bytes } = this.at;
    if (this.current === undefined) {
      // The run began at the first line since the last batch (this one, or a broken line before it).
      const run = this.loose ?? { offset, bytes, lines: 1 };
      this.loose = undefined;
      this.current = { ...run, builder: new RecordBatchBuilder(), lineBytes: [] };
    }
    this.current.builder.add(record, `${text}\n`);
    this.current.lineBytes.push(bytes);
    if (this.current.builder.count >= LOAD_BATCH || this.current.bytes >= this.chunkBytes) this.flush();
  }

  private flush(): void {
    const current = this.current;
    if (current === undefined) return;
    this.current = undefined;
    const batch = current.builder.take();
    this.index.add(this.segment, current.offset, current.bytes, batch.count, groupFigures(batch, Uint32Array.from(current.lineBytes)), current.lines, this.marker);
    this.marker = undefined;
    if (this.index.openIsFull) {
      const chunk = this.index.close();
      if (chunk !== undefined) this.closed.push(chunk);
    }
  }
}

/** A value every line matching `query` holds as JSON writes it (escaped, without its quotes), if the query names one. */
function queryNeedle(query: JournalQuery): string | undefined {
  const value = query.sessionKey ?? query.channel ?? query.connection;
  return value === undefined || value === '' ? undefined : JSON.stringify(value).slice(1, -1);
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
