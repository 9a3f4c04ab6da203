import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { journalHeader, recordBatch, serializeRecord, type JournalRecord } from '../../../shared/journal';
import { JOURNAL_FILE_MODE, JournalFile } from './journal-file';
import type { JournalSink } from './journal-writer';

/**
 * One NDJSON v1 journal file written as a recording (`watch --journal FILE`): the same
 * all-or-nothing, `fdatasync`ed batch appends as the host's segments, through the same
 * {@link JournalWriter}. A new file gets a header; an existing one is continued — its torn last
 * line (a run killed mid-write) cut off first, found by reading the file's end only — and gets
 * no second header.
 */
export class NdjsonFileJournal implements JournalSink {
  private constructor(
    private readonly file: JournalFile,
    /** Bytes cut off the end of an existing file (a torn last line), 0 when none. */
    readonly tornBytes: number,
    /** Whether the file existed (and is being continued). */
    readonly continued: boolean,
  ) {}

  static async open(path: string, now: () => number = Date.now): Promise<NdjsonFileJournal> {
    if (!existsSync(path)) {
      // 'wx': created here, owner-only; fails (ENOENT) when the folder does not exist.
      await (await open(path, 'wx', JOURNAL_FILE_MODE)).close();
    }
    const { file, tornBytes } = await JournalFile.continue(path);
    const continued = file.bytes > 0;
    if (!continued) await file.append(serializeRecord(journalHeader(new Date(now()).toISOString())));
    return new NdjsonFileJournal(file, tornBytes, continued);
  }

  get path(): string {
    return this.file.path;
  }

  async append(records: readonly JournalRecord[]): Promise<void> {
    if (records.length > 0) await this.file.append(recordBatch(records).text);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
