import { open, type FileHandle } from 'node:fs/promises';

/**
 * The headless host's NDJSON journal file (DESIGN §2, §6): append-only, each batch written
 * whole and `fdatasync`ed before it counts as acknowledged. Knows bytes and lines, not records.
 */

/** Journals hold everything received (tokens, user text): readable by their owner only. */
export const JOURNAL_FILE_MODE = 0o600;

const NEWLINE = 0x0a;
const READ_CHUNK = 1 << 20;

export interface FileScan {
  /** Bytes of complete lines (the offset just after the last `\n`). */
  goodBytes: number;
  /** Bytes after the last `\n`: a line a writer died in the middle of. */
  tornBytes: number;
}

/**
 * Reads the file line by line (`line` without its `\n`, with its byte offset and length
 * including the `\n`), never holding more than a chunk and one line in memory.
 */
export async function scanLines(path: string, onLine: (line: string, offset: number, bytes: number) => void, from = 0): Promise<FileScan> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    let carry: Buffer = Buffer.alloc(0);
    let position = from;
    let lineStart = from; // file offset of carry[0]
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const chunk = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
      let start = 0;
      let newline = chunk.indexOf(NEWLINE, start);
      while (newline >= 0) {
        onLine(chunk.toString('utf8', start, newline), lineStart + start, newline + 1 - start);
        start = newline + 1;
        newline = chunk.indexOf(NEWLINE, start);
      }
      lineStart += start;
      // Copy: `buffer` is reused for the next read.
      carry = Buffer.from(chunk.subarray(start));
    }
    return { goodBytes: lineStart, tornBytes: carry.length };
  } finally {
    await handle.close();
  }
}

/** Append handle on the journal file. One writer at a time (the host serializes calls). */
export class JournalFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private size: number,
  ) {}

  /** Opens for appending, first cutting the file to `keepBytes` (drops a torn last line so later lines stay valid). */
  static async open(path: string, keepBytes: number): Promise<JournalFile> {
    const handle = await open(path, 'a+', JOURNAL_FILE_MODE);
    // A journal holds everything the app received: owner-only, also when an older version made it 0644.
    await handle.chmod(JOURNAL_FILE_MODE).catch(() => undefined);
    const { size } = await handle.stat();
    if (size > keepBytes) {
      await handle.truncate(keepBytes);
      await handle.datasync();
    }
    return new JournalFile(path, handle, Math.min(size, keepBytes));
  }

  /**
   * Opens an existing file to continue it, reading only its end: bytes after the last `\n` (a
   * line a writer died in the middle of) are cut off and their count returned as `tornBytes`.
   */
  static async continue(path: string): Promise<{ file: JournalFile; tornBytes: number }> {
    const handle = await open(path, 'r');
    let end: { size: number; keep: number };
    try {
      end = await lastLineEnd(handle);
    } finally {
      await handle.close();
    }
    return { file: await JournalFile.open(path, end.keep), tornBytes: end.size - end.keep };
  }

  get bytes(): number {
    return this.size;
  }

  /**
   * Writes `text` at the end and flushes it to disk; resolves with the offset it starts at.
   * All or nothing: when the write or the flush fails, the file is cut back to where the text
   * began (so a retry cannot leave half a batch, or the same lines twice), and the call rejects.
   */
  async append(text: string): Promise<number> {
    const offset = this.size;
    const data = Buffer.from(text, 'utf8');
    try {
      let written = 0;
      while (written < data.length) {
        const result = await this.handle.write(data, written, data.length - written);
        written += result.bytesWritten;
      }
      await this.handle.datasync();
    } catch (error) {
      await this.handle.truncate(offset).catch(() => undefined);
      throw error;
    }
    this.size += data.length;
    return offset;
  }

  async read(offset: number, bytes: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(bytes);
    let done = 0;
    while (done < bytes) {
      const { bytesRead } = await this.handle.read(buffer, done, bytes - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** The offset just after the file's last `\n` (0 when it has none), read backwards a chunk at a time. */
async function lastLineEnd(handle: FileHandle): Promise<{ size: number; keep: number }> {
  const { size } = await handle.stat();
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (let end = size; end > 0;) {
    const start = Math.max(0, end - buffer.length);
    const { bytesRead } = await handle.read(buffer, 0, end - start, start);
    const newline = buffer.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (newline >= 0) return { size, keep: start + newline + 1 };
    end = start;
  }
  return { size, keep: 0 };
}

/** Flushes a directory's entries (a file created, renamed or removed in it) to disk. */
export async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await directory.close();
  }
}
