import { randomBytes } from 'node:crypto';
import { AppError, type JournalImportProgress, type JournalImportResult } from '../../../shared/api';
import { realTimers, type Timers } from '../timers';
import { JournalImport, type ImportOutcome, type ImportSink } from './journal-import';

/** An import not continued for this long is dropped (its journaled records stay, and the log says so). */
export const IMPORT_IDLE_MS = 60_000;

/** Imports under way at once. */
const MAX_OPEN_IMPORTS = 8;

interface OpenImport {
  fileName: string;
  importer: JournalImport;
  /** A chunk or the end is being taken: the next waits for its answer. */
  busy: boolean;
  timer: unknown;
  finish: (outcome: ImportOutcome) => Promise<JournalImportResult>;
  /** Lets go of what the import held, whether it finished or was dropped. */
  done: () => void;
}

/**
 * Files sent in chunks (`journal.importBegin` → `importChunk`… → `importEnd`), so that no
 * message holds a whole file: the bridge takes at most 1 MiB a message, and a journal can be
 * gigabytes. Each chunk is answered once its records are journaled; chunks must come in order,
 * one at a time (`offset` is where the last ended), so a chunk sent twice or lost is refused
 * instead of importing lines twice or not at all.
 */
export class ImportUploads {
  private readonly open = new Map<string, OpenImport>();

  constructor(
    private readonly onWarning: (message: string) => void,
    private readonly timers: Timers = realTimers,
    private readonly idleMs = IMPORT_IDLE_MS,
  ) {}

  /** Starts an import; `finish` turns its outcome into the command's result (the sessions it touched). */
  begin(fileName: string, sink: ImportSink, finish: (outcome: ImportOutcome) => Promise<JournalImportResult>, done: () => void = () => undefined): { importId: string } {
    if (this.open.size >= MAX_OPEN_IMPORTS) throw new AppError('conflict', `${this.open.size} imports are under way: finish or abort one first`);
    const importId = randomBytes(12).toString('hex');
    this.open.set(importId, { fileName, importer: new JournalImport(sink), busy: false, timer: undefined, finish, done });
    this.arm(importId);
    return { importId };
  }

  async chunk(importId: string, offset: number, data: Uint8Array): Promise<JournalImportProgress> {
    const entry = this.take(importId);
    try {
      if (offset !== entry.importer.bytes) {
        throw new AppError('conflict', `${entry.fileName}: this chunk starts at byte ${offset}, the import is at byte ${entry.importer.bytes}`);
      }
      await entry.importer.push(data);
      return this.progress(importId, entry);
    } catch (error) {
      throw this.stopped(importId, entry, error);
    } finally {
      this.release(importId, entry);
    }
  }

  async end(importId: string): Promise<JournalImportResult> {
    const entry = this.take(importId);
    try {
      return await entry.finish(await entry.importer.end());
    } catch (error) {
      throw this.stopped(importId, entry, error);
    } finally {
      this.drop(importId);
    }
  }

  /** Stops an import: what it journaled stays (it is said, here and in the log). */
  abort(importId: string): JournalImportProgress {
    const entry = this.open.get(importId);
    if (entry === undefined) throw unknown(importId);
    this.drop(importId);
    const progress = this.progress(importId, entry);
    this.onWarning(`import of ${entry.fileName} stopped by the sender: the ${describe(progress)} read until then stay journaled`);
    return progress;
  }

  close(): void {
    for (const importId of [...this.open.keys()]) this.drop(importId);
  }

  private take(importId: string): OpenImport {
    const entry = this.open.get(importId);
    if (entry === undefined) throw unknown(importId);
    if (entry.busy) throw new AppError('conflict', `${entry.fileName}: send the next chunk once the last one is answered`);
    entry.busy = true;
    this.timers.clearTimeout(entry.timer);
    return entry;
  }

  private release(importId: string, entry: OpenImport): void {
    entry.busy = false;
    if (this.open.get(importId) === entry) this.arm(importId);
  }

  /** The import cannot go on: it is dropped, and the error says what it already journaled. */
  private stopped(importId: string, entry: OpenImport, error: unknown): AppError {
    const conflict = error instanceof AppError && error.code === 'conflict';
    const progress = this.progress(importId, entry);
    if (conflict) return error;
    this.drop(importId);
    const message = error instanceof Error ? error.message : String(error);
    const done = progress.records > 0 ? `; the ${describe(progress)} read before it are journaled` : '; nothing was journaled';
    return new AppError(error instanceof AppError ? error.code : 'internal', `${entry.fileName}: ${message}${done}`);
  }

  private arm(importId: string): void {
    const entry = this.open.get(importId);
    if (entry === undefined) return;
    entry.timer = this.timers.setTimeout(() => {
      if (this.open.get(importId) !== entry || entry.busy) return;
      this.drop(importId);
      this.onWarning(
        `import of ${entry.fileName} dropped: nothing sent for ${Math.round(this.idleMs / 1000)} s; the ${describe(this.progress(importId, entry))} read until then stay journaled`,
      );
    }, this.idleMs);
  }

  private drop(importId: string): void {
    const entry = this.open.get(importId);
    if (entry === undefined) return;
    this.timers.clearTimeout(entry.timer);
    this.open.delete(importId);
    entry.done();
  }

  private progress(importId: string, entry: OpenImport): JournalImportProgress {
    return { importId, bytes: entry.importer.bytes, records: entry.importer.records, lines: entry.importer.lines };
  }
}

function describe(progress: JournalImportProgress): string {
  return `${progress.records} records (lines 1–${progress.lines}, ${progress.bytes} bytes)`;
}

function unknown(importId: string): AppError {
  return new AppError('not_found', `no import ${importId.slice(0, 40)} under way (it ended, was aborted, or waited over a minute)`);
}
