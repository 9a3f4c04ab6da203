import { existsSync, writeFileSync } from 'node:fs';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import {
  IMPORT_BATCH,
  JournalStore,
  NdjsonJournalReader,
  addToSummaries,
  channelSummaries,
  journalHeader,
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
  type JournalSummaryRow,
  type PruneResult,
  type RetentionPolicy,
} from '../../../shared/journal';
import { FileSegments, type FileSegment } from './file-segments';
import { JournalFile, scanLines } from './journal-file';

export interface HostJournalOptions {
  /** The NDJSON v1 journal file; created with a header when missing. */
  file: string;
  /**
   * NDJSON bytes of recent history kept in Dexie (fake-indexeddb keeps its whole database on
   * the heap, so it holds a window, not the journal). Default 16 MiB.
   */
  windowBytes?: number;
  /** Problems found on start (torn last line, broken lines). Default: `console.warn`. */
  onWarning?: (message: string) => void;
  /** For the header of a new file. */
  now?: () => number;
}

/** What re-loading the file found. */
export interface HostJournalLoad {
  records: number;
  header: HeaderRecord | null;
  /** Broken lines (skipped, left in the file), the first 100. */
  issues: JournalIssue[];
  issueCount: number;
  /** The file ended inside a line: it was cut back to its last complete line. */
  tornLastLine: boolean;
  truncatedBytes: number;
}

const LOAD_CHUNK = 10_000;

interface WindowBatch {
  firstSeq: number;
  bytes: number;
}

/**
 * The headless host's journal (DESIGN §2): the Dexie store on fake-indexeddb, mirrored to an
 * append-only NDJSON file that is the source of truth. A batch is acknowledged (its `append`
 * resolves) once it is in the file and `fdatasync`ed, and in Dexie. On start the file is
 * re-read: a torn last line is reported and cut off, so later appends stay valid NDJSON.
 *
 * Memory stays flat: Dexie holds a recent window (`windowBytes`); older records are read
 * back from the file through {@link FileSegments}. Record numbers (sequences) are positions
 * in the file, counted afresh on each start.
 */
export class HostJournal implements Journal {
  private readonly segments = new FileSegments();
  private readonly summaries = new Map<string, JournalSummaryRow>();
  private readonly window: WindowBatch[] = [];
  private windowBytes = 0;
  /** First sequence held in Dexie; below it, records are read from the file. */
  private windowStart = 0;
  private nextSeq = 0;
  private bytes = 0;
  private oldestAt = Number.POSITIVE_INFINITY;
  private newestAt = Number.NEGATIVE_INFINITY;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly file: JournalFile,
    private readonly store: JournalStore,
    private readonly header: HeaderRecord,
    private readonly maxWindowBytes: number,
    readonly load: HostJournalLoad,
  ) {}

  static async open(options: HostJournalOptions): Promise<HostJournal> {
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    const now = options.now ?? Date.now;
    if (!existsSync(options.file)) writeFileSync(options.file, serializeRecord(journalHeader(new Date(now()).toISOString())), { flag: 'wx' });
    const maxWindowBytes = options.windowBytes ?? 16 * 1024 * 1024;
    const store = await new JournalStore({ name: 'echoscope-host-journal', indexedDB: new IDBFactory(), IDBKeyRange, durability: 'relaxed' }).open();
    const loader = new FileLoader(maxWindowBytes);
    const scan = await scanLines(options.file, (line, offset, bytes) => loader.line(line, offset, bytes));
    const summary = loader.end();
    if (scan.tornBytes > 0) warn(`journal ${options.file}: torn last line (${scan.tornBytes} bytes after the last newline, a write cut short) — skipped, file truncated to its last complete line`);
    for (const issue of summary.issues) warn(`journal ${options.file}: line ${issue.line}: ${issue.message}`);
    if (summary.issueCount > summary.issues.length) warn(`journal ${options.file}: ${summary.issueCount - summary.issues.length} more broken lines`);
    let file = await JournalFile.open(options.file, scan.goodBytes);
    let header = summary.header;
    if (file.bytes === 0) {
      header = journalHeader(new Date(now()).toISOString());
      await file.append(serializeRecord(header));
    }
    const load: HostJournalLoad = {
      records: summary.records,
      header: summary.header,
      issues: summary.issues,
      issueCount: summary.issueCount,
      tornLastLine: scan.tornBytes > 0,
      truncatedBytes: scan.tornBytes,
    };
    const journal = new HostJournal(file, store, header ?? journalHeader(new Date(now()).toISOString()), maxWindowBytes, load);
    await journal.adopt(loader);
    file = journal.file;
    return journal;
  }

  append(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.exclusive(async () => {
      const lines = records.map(serializeRecord);
      const lineBytes = lines.map((line) => Buffer.byteLength(line));
      const text = lines.join('');
      const offset = await this.file.append(text);
      const bytes = this.file.bytes - offset;
      const firstSeq = this.nextSeq;
      this.count(records, lineBytes, firstSeq, offset, bytes);
      await this.store.append(records, { lines, firstSeq });
      this.window.push({ firstSeq, bytes });
      this.windowBytes += bytes;
      await this.trimWindow();
    });
  }

  query(query: JournalQuery = {}): Promise<JournalRecord[]> {
    return this.exclusive(async () => {
      const limit = query.limit ?? Number.POSITIVE_INFINITY;
      const found: JournalRecord[] = [];
      for (const segment of this.segments.candidates(query, this.windowStart)) {
        if (found.length >= limit) break;
        for (const { seq, record } of await this.readSegment(segment)) {
          if (seq >= this.windowStart || found.length >= limit) break;
          if (recordMatches(record, query)) found.push(record);
        }
      }
      if (found.length >= limit) return found;
      const recent = await this.store.query(query.limit === undefined ? query : { ...query, limit: limit - found.length });
      return found.length === 0 ? recent : found.concat(recent);
    });
  }

  channels(): Promise<JournalChannelSummary[]> {
    return Promise.resolve(channelSummaries(this.summaries.values()));
  }

  sessions(): Promise<JournalSessionSummary[]> {
    return Promise.resolve(sessionSummaries(this.summaries.values()));
  }

  count(): Promise<number> {
    return Promise.resolve(this.records);
  }

  stats(): Promise<JournalStats> {
    const empty = this.records === 0;
    return Promise.resolve({ records: this.records, bytes: this.bytes, blocks: this.segments.list.length, oldestAt: empty ? null : this.oldestAt, newestAt: empty ? null : this.newestAt });
  }

  /** Records kept (the file's records minus what retention removed). */
  get records(): number {
    let records = 0;
    for (const segment of this.segments.list) records += segment.count;
    return records;
  }

  /** The file's path. */
  get path(): string {
    return this.file.path;
  }

  async *exportNdjson(createdAt: string): AsyncIterable<string> {
    yield serializeRecord(journalHeader(createdAt));
    // One segment at a time under the lock, found by sequence: retention may move segments meanwhile.
    let cursor = 0;
    for (;;) {
      const piece = await this.exclusive(async () => {
        const segment = this.segments.list.find((candidate) => candidate.firstSeq + candidate.count > cursor);
        if (segment === undefined) return undefined;
        let text = '';
        for (const { seq, record } of await this.readSegment(segment)) if (seq >= cursor) text += serializeRecord(record);
        cursor = segment.firstSeq + segment.count;
        return text;
      });
      if (piece === undefined) return;
      if (piece.length > 0) yield piece;
    }
  }

  async import(records: Iterable<JournalRecord>): Promise<number> {
    let batch: JournalRecord[] = [];
    let count = 0;
    for (const record of records) {
      batch.push(record);
      if (batch.length >= IMPORT_BATCH) {
        await this.append(batch);
        count += batch.length;
        batch = [];
      }
    }
    await this.append(batch);
    return count + batch.length;
  }

  /** Retention: whole segments (~1 MiB) from the start of the file; the file is rewritten atomically. */
  prune(policy: RetentionPolicy, nowMs: number): Promise<PruneResult> {
    return this.exclusive(async () => {
      this.segments.seal();
      const list = this.segments.list;
      let drop = 0;
      let remaining = this.bytes;
      while (drop < list.length) {
        const segment = list[drop]!;
        const tooOld = policy.maxAgeMs !== undefined && segment.lastAt < nowMs - policy.maxAgeMs;
        const tooBig = policy.maxBytes !== undefined && remaining > policy.maxBytes;
        if (!tooOld && !tooBig) break;
        remaining -= segment.bytes;
        drop++;
      }
      const result: PruneResult = { records: 0, bytes: 0, blocks: drop };
      if (drop === 0) return result;
      const head = serializeRecord(this.header);
      await this.file.rewrite(head, list[drop]?.offset ?? this.file.bytes);
      const dropped = this.segments.dropFirst(drop, Buffer.byteLength(head));
      for (const segment of dropped) {
        result.records += segment.count;
        result.bytes += segment.bytes;
      }
      this.bytes -= result.bytes;
      this.forget(dropped);
      const keptFrom = this.segments.list[0]?.firstSeq ?? this.nextSeq;
      if (keptFrom > this.windowStart) {
        while (this.window.length > 0 && this.window[0]!.firstSeq < keptFrom) this.windowBytes -= this.window.shift()!.bytes;
        this.windowStart = keptFrom;
        await this.store.evictBefore(keptFrom);
      }
      return result;
    });
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.file.close();
      await this.store.destroy();
    });
  }

  /** Runs operations one at a time: the file, the window and the index change together. */
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new Error('the journal is closed');
      return operation();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private count(records: readonly JournalRecord[], lineBytes: readonly number[], firstSeq: number, offset: number, bytes: number): void {
    this.segments.add(offset, bytes, firstSeq, records, lineBytes);
    const figures = records.map((record, i) => {
      this.oldestAt = Math.min(this.oldestAt, record.at);
      this.newestAt = Math.max(this.newestAt, record.at);
      return { record, bytes: lineBytes[i]! };
    });
    addToSummaries(this.summaries, summaryFigures(figures));
    this.nextSeq = firstSeq + records.length;
    this.bytes += bytes;
  }

  /** Takes loaded history in: the index for everything, Dexie for the recent window. */
  private async adopt(loader: FileLoader): Promise<void> {
    for (const chunk of loader.chunks) this.count(chunk.records, chunk.lineBytes, chunk.firstSeq, chunk.offset, chunk.bytes);
    this.windowStart = loader.windowChunks[0]?.firstSeq ?? this.nextSeq;
    for (const chunk of loader.windowChunks) {
      await this.store.append(chunk.records!, { lines: chunk.lines!, firstSeq: chunk.firstSeq });
      this.window.push({ firstSeq: chunk.firstSeq, bytes: chunk.bytes });
      this.windowBytes += chunk.bytes;
    }
    loader.release();
  }

  /** Moves the window forward by whole batches once it outgrows its size (down to ¾, so this is rare). */
  private async trimWindow(): Promise<void> {
    if (this.windowBytes <= this.maxWindowBytes) return;
    while (this.window.length > 1 && this.windowBytes > this.maxWindowBytes * 0.75) this.windowBytes -= this.window.shift()!.bytes;
    this.windowStart = this.window[0]!.firstSeq;
    await this.store.evictBefore(this.windowStart);
  }

  private async readSegment(segment: FileSegment): Promise<{ seq: number; record: JournalRecord }[]> {
    const text = (await this.file.read(segment.offset, segment.bytes)).toString('utf8');
    const out: { seq: number; record: JournalRecord }[] = [];
    let seq = segment.firstSeq;
    // The same reader as on load, so the same lines count as records.
    const reader = new NdjsonJournalReader((record) => out.push({ seq: seq++, record }), { maxIssues: 0 });
    reader.push(text);
    reader.end();
    return out;
  }

  /** Removes dropped segments from the summaries and time range. */
  private forget(dropped: readonly FileSegment[]): void {
    const touched = new Set<string>();
    for (const segment of dropped) {
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
    this.oldestAt = Math.min(Number.POSITIVE_INFINITY, ...this.segments.list.map((segment) => segment.firstAt));
    if (this.segments.list.length === 0) this.newestAt = Number.NEGATIVE_INFINITY;
  }
}

function summaryFigures(figures: readonly { record: JournalRecord; bytes: number }[]) {
  return figures.map(({ record, bytes }) => ({
    connection: record.connection,
    channel: record.type === 'connection' ? '' : (record.channel ?? ''),
    sessionKey: sessionKeyOf(record),
    count: 1,
    bytes,
    firstAt: record.at,
    lastAt: record.at,
  }));
}

import { journalSessionKey } from '../../../shared/journal';
function sessionKeyOf(record: JournalRecord): string {
  return journalSessionKey(record) ?? '';
}

interface LoadedChunk {
  offset: number;
  bytes: number;
  firstSeq: number;
  records: JournalRecord[];
  lineBytes: number[];
  /** Kept only for chunks that go into the window. */
  lines?: string[];
}

/**
 * Re-reads the file on start: validates each line with the NDJSON reader, groups records into
 * chunks of whole lines (the file index's units), and keeps the text of the last `windowBytes`.
 */
class FileLoader {
  readonly chunks: LoadedChunk[] = [];
  windowChunks: LoadedChunk[] = [];
  private windowBytes = 0;
  private current: LoadedChunk | undefined;
  private currentLines: string[] = [];
  private line_ = { text: '', offset: 0, bytes: 0 };
  private seq = 0;
  private readonly reader = new NdjsonJournalReader((record) => this.record(record));

  constructor(private readonly maxWindowBytes: number) {}

  line(text: string, offset: number, bytes: number): void {
    this.line_ = { text, offset, bytes };
    // Lines that are not records (header, broken, unknown types) still belong to the chunk's byte range.
    if (this.current !== undefined) this.current.bytes = offset + bytes - this.current.offset;
    this.reader.pushLine(text);
  }

  end() {
    this.close();
    return this.reader.end();
  }

  release(): void {
    this.chunks.length = 0;
    this.windowChunks = [];
  }

  private record(record: JournalRecord): void {
    const { text, offset, bytes } = this.line_;
    if (this.current === undefined) this.current = { offset, bytes, firstSeq: this.seq, records: [], lineBytes: [] };
    this.current.records.push(record);
    this.current.lineBytes.push(bytes);
    this.currentLines.push(`${text}\n`);
    this.seq++;
    if (this.current.records.length >= LOAD_CHUNK) this.close();
  }

  private close(): void {
    const chunk = this.current;
    if (chunk === undefined) return;
    this.current = undefined;
    this.chunks.push(chunk);
    // The window is the newest chunks adding up to at most `maxWindowBytes` (at least the newest one).
    chunk.lines = this.currentLines;
    this.currentLines = [];
    this.windowChunks.push(chunk);
    this.windowBytes += chunk.bytes;
    while (this.windowChunks.length > 1 && this.windowBytes > this.maxWindowBytes) {
      const old = this.windowChunks.shift()!;
      this.windowBytes -= old.bytes;
      delete old.lines;
    }
    // Records of chunks outside the window are only needed for the index: drop them from memory once indexed.
  }
}
