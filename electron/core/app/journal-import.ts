import { AppError, MAX_HAR_IMPORT_BYTES } from '../../../shared/api';
import { IMPORT_BATCH, isHar, NdjsonJournalReader, parseHar, sniffJournalFormat, SNIFF_BYTES, type JournalIssue, type JournalRecord } from '../../../shared/journal';

/** Where imported records go, a batch at a time. */
export interface ImportSink {
  /** Takes records read from the file, in order; resolves once they are journaled. The next chunk is read after. */
  take(records: JournalRecord[]): Promise<void>;
}

export interface ImportOutcome {
  format: 'ndjson' | 'har';
  records: number;
  /** Broken lines (NDJSON, by line number) or entries (HAR), skipped: the first 100. */
  issues: JournalIssue[];
  issueCount: number;
}

export interface ImportOptions {
  /** Largest HAR accepted (it is read whole); default MAX_HAR_IMPORT_BYTES. */
  maxHarBytes?: number;
  /** Longest NDJSON line accepted, in characters; default MAX_LINE_CHARS. */
  maxLineChars?: number;
}

/** A journal line is one record (a payload over 10,000 bytes is already a violation): past this it is no journal, and memory stays bounded. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * One file being imported, fed in chunks as they arrive (an upload in parts, a file stream).
 *
 * An EchoScope NDJSON journal is read line by line: each chunk's records are handed to the sink in
 * batches of at most IMPORT_BATCH and awaited before `push` resolves, so memory holds one chunk
 * whatever the file's size, and a sender that waits for `push` goes at the journal's pace. A broken
 * line is skipped and reported with its line number; every valid line around it is imported. A HAR
 * is one JSON document: it is gathered (up to `maxHarBytes`) and read whole at `end`. The format is
 * told from the first 64 KiB.
 */
export class JournalImport {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxHarBytes: number;
  private readonly maxLineChars: number;
  private format: 'ndjson' | 'har' | undefined;
  private head = '';
  private pending: JournalRecord[] = [];
  private readonly reader = new NdjsonJournalReader((record) => this.pending.push(record));
  private readonly har: string[] = [];
  /** Bytes taken so far. */
  bytes = 0;
  /** Records journaled so far. */
  records = 0;
  /** Complete NDJSON lines read so far. */
  lines = 0;

  constructor(
    private readonly sink: ImportSink,
    options: ImportOptions = {},
  ) {
    this.maxHarBytes = options.maxHarBytes ?? MAX_HAR_IMPORT_BYTES;
    this.maxLineChars = options.maxLineChars ?? MAX_LINE_CHARS;
  }

  /** Takes the next chunk of the file; resolves once the records of its complete lines are journaled. */
  async push(chunk: Uint8Array | string): Promise<void> {
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.format === undefined) {
      this.head += text;
      if (this.head.length < SNIFF_BYTES) return;
      this.format = sniffJournalFormat(this.head);
      const head = this.head;
      this.head = '';
      await this.feed(head);
      return;
    }
    await this.feed(text);
  }

  /** Reads what is left (the last line, or the whole HAR) and says what was imported. */
  async end(): Promise<ImportOutcome> {
    const rest = this.decoder.decode();
    if (this.format === undefined) {
      this.format = sniffJournalFormat(this.head + rest);
      await this.feed(this.head + rest);
      this.head = '';
    } else if (rest.length > 0) await this.feed(rest);
    if (this.format === 'har') return this.endHar();
    const summary = this.reader.end();
    this.lines = summary.lines;
    await this.hand();
    if (summary.header === null && summary.records === 0) {
      throw new AppError('invalid_request', `neither an EchoScope NDJSON journal nor a HAR file (no journal record in ${summary.lines} lines)`);
    }
    return { format: 'ndjson', records: this.records, issues: summary.issues, issueCount: summary.issueCount };
  }

  private async feed(text: string): Promise<void> {
    if (this.format === 'har') {
      if (this.bytes > this.maxHarBytes) throw tooLargeHar(this.maxHarBytes);
      this.har.push(text);
      return;
    }
    this.reader.push(text);
    this.lines = this.reader.linesRead;
    await this.hand();
    if (this.reader.pendingLength > this.maxLineChars) {
      throw new AppError('invalid_request', `line ${this.lines + 1} is longer than ${Math.round(this.maxLineChars / 1024 / 1024)} MiB without an end: not an NDJSON journal`);
    }
  }

  private async hand(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.length > IMPORT_BATCH ? this.pending.splice(0, IMPORT_BATCH) : this.pending.splice(0);
      await this.sink.take(batch);
      this.records += batch.length;
    }
  }

  private async endHar(): Promise<ImportOutcome> {
    let document: unknown;
    try {
      document = JSON.parse(this.har.join('').replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new AppError('invalid_request', `neither an EchoScope NDJSON journal nor a HAR file: not JSON (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      this.har.length = 0;
    }
    if (!isHar(document)) throw new AppError('invalid_request', 'neither an EchoScope NDJSON journal nor a HAR file (a JSON document without log.entries)');
    const parsed = parseHar(document);
    this.pending = parsed.records;
    await this.hand();
    return { format: 'har', records: this.records, issues: parsed.issues.slice(0, 100), issueCount: parsed.issues.length };
  }
}

function tooLargeHar(maxHarBytes: number): AppError {
  return new AppError(
    'invalid_request',
    `this HAR file is larger than ${Math.round(maxHarBytes / 1024 / 1024)} MB: a HAR is one JSON document, read whole. Import an EchoScope journal (NDJSON, any size) instead, or run "echoscope analyze" on it`,
  );
}
