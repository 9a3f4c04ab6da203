import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

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
export async function scanLines(path: string, onLine: (line: string, offset: number, bytes: number) => void): Promise<FileScan> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    let carry: Buffer = Buffer.alloc(0);
    let position = 0;
    let lineStart = 0; // file offset of carry[0]
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
    private handle: FileHandle,
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

  get bytes(): number {
    return this.size;
  }

  /** Writes `text` at the end and flushes it to disk; resolves with the offset it starts at. */
  async append(text: string): Promise<number> {
    const offset = this.size;
    const data = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < data.length) {
      const result = await this.handle.write(data, written, data.length - written);
      written += result.bytesWritten;
    }
    await this.handle.datasync();
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

  /**
   * Retention: replaces the file with `head` followed by its bytes from `from` on, atomically
   * (a new file, flushed, renamed over the old one, directory flushed): a crash leaves either file whole.
   */
  async rewrite(head: string, from: number): Promise<void> {
    const temporary = `${this.path}.retention-${process.pid}`;
    const out = await open(temporary, 'w', JOURNAL_FILE_MODE);
    try {
      await out.write(head);
      const chunk = Buffer.allocUnsafe(READ_CHUNK);
      for (let position = from; position < this.size;) {
        const { bytesRead } = await this.handle.read(chunk, 0, Math.min(READ_CHUNK, this.size - position), position);
        if (bytesRead === 0) break;
        await out.write(chunk, 0, bytesRead);
        position += bytesRead;
      }
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(temporary, this.path);
    await syncDirectory(dirname(this.path));
    await this.handle.close();
    this.handle = await open(this.path, 'a+', JOURNAL_FILE_MODE);
    this.size = (await this.handle.stat()).size;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await directory.close();
  }
}
