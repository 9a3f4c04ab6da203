import { existsSync, writeFileSync } from 'node:fs';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import {
  batchLineBytes,
  importInBatches,
  recordBatch,
  RecordBatchBuilder,
  NdjsonJournalReader,
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
  type PruneResult,
  type RecordBatch,
  type RetentionPolicy,
} from '../../../shared/journal';
import { JournalStore } from '../../../shared/journal/store';
import type { FileSegment } from './file-segments';
import { JOURNAL_FILE_MODE, JournalFile, scanLines } from './journal-file';
import { JournalIndex } from './journal-index';

export interface HostJournalOptions {
  /** The NDJSON v1 journal file; created with a header when missing. */
  file: string;
  /**
   * NDJSON bytes of recent history kept in Dexie (fake-indexeddb keeps its whole database on
   * the heap, so it holds a window, not the journal). Default 16 MiB.
   */
  windowBytes?: number;
  /** Size of the file index's units (whole batches), bytes. Default 1 MiB. */
  segmentBytes?: number;
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
  private readonly window: WindowBatch[] = [];
  private windowBytes = 0;
  /** First sequence held in Dexie; below it, records are read from the file. */
  private windowStart = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly file: JournalFile,
    private readonly store: JournalStore,
    private readonly index: JournalIndex,
    private readonly header: HeaderRecord,
    private readonly maxWindowBytes: number,
    readonly load: HostJournalLoad,
  ) {}

  static async open(options: HostJournalOptions): Promise<HostJournal> {
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    const now = options.now ?? Date.now;
    if (!existsSync(options.file)) writeFileSync(options.file, serializeRecord(journalHeader(new Date(now()).toISOString())), { flag: 'wx', mode: JOURNAL_FILE_MODE });
    const maxWindowBytes = options.windowBytes ?? 16 * 1024 * 1024;
    const store = await new JournalStore({ name: 'echoscope-host-journal', indexedDB: new IDBFactory(), IDBKeyRange, durability: 'relaxed' }).open();
    const index = new JournalIndex(options.segmentBytes);
    const loader = new FileLoader(index, maxWindowBytes);
    const scan = await scanLines(options.file, (line, offset, bytes) => loader.line(line, offset, bytes));
    const summary = loader.end();
    if (scan.tornBytes > 0)
      warn(`journal ${options.file}: torn last line (${scan.tornBytes} bytes after the last newline, a write cut short) — skipped, file truncated to its last complete line`);
    for (const issue of summary.issues) warn(`journal ${options.file}: line ${issue.line}: ${issue.message}`);
    if (summary.issueCount > summary.issues.length) warn(`journal ${options.file}: ${summary.issueCount - summary.issues.length} more broken lines`);
    const file = await JournalFile.open(options.file, scan.goodBytes);
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
    const journal = new HostJournal(file, store, index, header ?? journalHeader(new Date(now()).toISOString()), maxWindowBytes, load);
    await journal.adopt(loader);
    return journal;
  }

  append(records: readonly JournalRecord[]): Promise<void> {
    return this.appendBatch(recordBatch(records));
  }

  appendBatch(batch: RecordBatch): Promise<void> {
    if (batch.count === 0) return Promise.resolve();
    return this.exclusive(async () => {
      const lineBytes = batchLineBytes(batch);
      const offset = await this.file.append(batch.text);
      const bytes = this.file.bytes - offset;
      const firstSeq = this.index.add(batch, lineBytes, offset, bytes);
      await this.store.appendBatch(batch, { firstSeq }, lineBytes);
      this.window.push({ firstSeq, bytes });
      this.windowBytes += bytes;
      await this.trimWindow();
    });
  }

  query(query: JournalQuery = {}): Promise<JournalRecord[]> {
    return this.exclusive(async () => {
      const limit = query.limit ?? Number.POSITIVE_INFINITY;
      const found: JournalRecord[] = [];
      for (const segment of this.index.segments.candidates(query, this.windowStart)) {
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
      blocks: index.segments.list.length,
      oldestAt: records === 0 ? null : index.oldestAt,
      newestAt: records === 0 ? null : index.newestAt,
    });
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
        const segment = this.index.segments.list.find((candidate) => candidate.firstSeq + candidate.count > cursor);
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

  import(records: Iterable<JournalRecord>): Promise<number> {
    return importInBatches(records, async (batch) => (await this.append(batch), batch.length));
  }

  /** Retention: whole segments (~1 MiB) from the start of the file; the file is rewritten atomically. */
  prune(policy: RetentionPolicy, nowMs: number): Promise<PruneResult> {
    return this.exclusive(async () => {
      const { segments } = this.index;
      segments.seal();
      const list = segments.list;
      let drop = 0;
      let remaining = this.index.bytes;
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
      const dropped = segments.dropFirst(drop, Buffer.byteLength(head));
      for (const segment of dropped) {
        result.records += segment.count;
        result.bytes += segment.bytes;
      }
      this.index.forget(dropped);
      const keptFrom = segments.list[0]?.firstSeq ?? this.index.nextSeq;
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

  /** Takes the loaded window into Dexie (the index was built while reading). */
  private async adopt(loader: FileLoader): Promise<void> {
    this.windowStart = loader.windowChunks[0]?.firstSeq ?? this.index.nextSeq;
    for (const chunk of loader.windowChunks) {
      await this.store.appendBatch(chunk.batch, { firstSeq: chunk.firstSeq }, chunk.lineBytes);
      this.window.push({ firstSeq: chunk.firstSeq, bytes: chunk.bytes });
      this.windowBytes += chunk.bytes;
    }
    loader.windowChunks = [];
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
}

interface LoadedChunk {
  offset: number;
  bytes: number;
  firstSeq: number;
  batch: RecordBatch;
  lineBytes: Uint32Array;
}

/**
 * Re-reads the file on start: validates each line with the NDJSON reader, indexes records in
 * chunks of whole lines as they come, and keeps only the newest `windowBytes` of them for Dexie.
 */
class FileLoader {
  windowChunks: LoadedChunk[] = [];
  private windowBytes = 0;
  /** The chunk being read: where it starts, its records (with their lines as in the file) and their sizes. */
  private current: { offset: number; bytes: number; builder: RecordBatchBuilder; lineBytes: number[] } | undefined;
  private at = { text: '', offset: 0, bytes: 0 };
  private readonly reader = new NdjsonJournalReader((record) => this.record(record));

  constructor(
    private readonly index: JournalIndex,
    private readonly maxWindowBytes: number,
  ) {}

  line(text: string, offset: number, bytes: number): void {
    this.at = { text, offset, bytes };
    // Lines that are not records (header, broken, unknown types) still belong to the chunk's byte range.
    if (this.current !== undefined) this.current.bytes = offset + bytes - this.current.offset;
    this.reader.pushLine(text);
  }

  end() {
    this.close();
    return this.reader.end();
  }

  private record(record: JournalRecord): void {
    const { text, offset, bytes } = this.at;
    if (this.current === undefined) this.current = { offset, bytes, builder: new RecordBatchBuilder(), lineBytes: [] };
    this.current.builder.add(record, `${text}\n`);
    this.current.lineBytes.push(bytes);
    if (this.current.builder.count >= LOAD_CHUNK) this.close();
  }

  private close(): void {
    const current = this.current;
    if (current === undefined) return;
    this.current = undefined;
    const batch = current.builder.take();
    const lineBytes = Uint32Array.from(current.lineBytes);
    const chunk: LoadedChunk = { offset: current.offset, bytes: current.bytes, batch, lineBytes, firstSeq: this.index.add(batch, lineBytes, current.offset, current.bytes) };
    // The window: the newest chunks adding up to at most `maxWindowBytes` (at least the newest one).
    this.windowChunks.push(chunk);
    this.windowBytes += chunk.bytes;
    while (this.windowChunks.length > 1 && this.windowBytes > this.maxWindowBytes) this.windowBytes -= this.windowChunks.shift()!.bytes;
  }
}
