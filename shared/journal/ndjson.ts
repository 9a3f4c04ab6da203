import { checkRecord, isHeaderRecord } from './guards';
import type { HeaderRecord, JournalRecord } from './records';

/** NDJSON journal v1 (DESIGN §6): one JSON object per line, a header first. */

export const JOURNAL_FORMAT = 'echoscope-journal';
export const JOURNAL_VERSION = 1;

export interface JournalIssue {
  /** 1-based line number in the input (0 for the input as a whole). */
  line: number;
  message: string;
}

export interface JournalReadSummary {
  header: HeaderRecord | null;
  /** Lines seen (blank ones included). */
  lines: number;
  /** Records delivered to the caller. */
  records: number;
  /** Well-formed lines of a type this reader does not know (skipped by design). */
  ignored: number;
  /** Broken lines and header warnings, the first `maxIssues` of them. */
  issues: JournalIssue[];
  /** All issues, including those beyond `maxIssues`. */
  issueCount: number;
  /** The input ended in the middle of a line (a writer died mid-write). */
  tornLastLine: boolean;
}

export interface NdjsonReadOptions {
  /** Issues kept in the summary (all are counted). Default 100. */
  maxIssues?: number;
}

/**
 * Incremental reader: `push` text chunks cut anywhere (even inside a line), `end()` once. Each record goes to `onRecord` as soon
 * as its line is complete, so a journal never has to fit in memory.
 */
export class NdjsonJournalReader {
  private pending = '';
  private lineNumber = 0;
  private readonly summary: JournalReadSummary = {
    header: null,
    lines: 0,
    records: 0,
    ignored: 0,
    issues: [],
    issueCount: 0,
    tornLastLine: false,
  };
  private readonly maxIssues: number;

  constructor(
    private readonly onRecord: (record: JournalRecord) => void,
    options: NdjsonReadOptions = {},
  ) {
    this.maxIssues = options.maxIssues ?? 100;
  }

  push(chunk: string): void {
    let text = this.pending.length > 0 ? this.pending + chunk : chunk;
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline >= 0) {
      this.line(text.slice(start, newline), false);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    text = start === 0 ? text : text.slice(start);
    this.pending = text;
  }

  /** Characters waiting for the end of their line (the start of the next line). */
  get pendingLength(): number {
    return this.pending.length;
  }

  /** Complete lines read so far (blank ones included): the number of the last one. */
  get linesRead(): number {
    return this.lineNumber;
  }

  /** One complete line (no newline): for callers that already split lines. */
  pushLine(line: string): void {
    this.line(line, false);
  }

  end(): JournalReadSummary {
    if (this.pending.length > 0) {
      const last = this.pending;
      this.pending = '';
      this.line(last, true);
    }
    return this.summary;
  }

  private issue(line: number, message: string): void {
    this.summary.issueCount++;
    if (this.summary.issues.length < this.maxIssues) this.summary.issues.push({ line, message });
  }

  private line(raw: string, unterminated: boolean): void {
    const number = ++this.lineNumber;
    this.summary.lines = number;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim().length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (unterminated) {
        this.summary.tornLastLine = true;
        this.issue(number, 'torn last line: the journal ends inside a record (skipped)');
      } else {
        this.issue(number, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
      return;
    }
    if (isHeaderRecord(value)) {
      this.header(number, value);
      return;
    }
    const check = checkRecord(value);
    if (check.ok) {
      this.summary.records++;
      this.onRecord(check.record);
    } else if (check.unknownType) {
      this.summary.ignored++;
    } else {
      this.issue(number, check.message);
    }
  }

  private header(number: number, header: HeaderRecord): void {
    if (this.summary.header !== null || this.summary.records > 0) {
      this.issue(number, 'a header in the middle of the journal (ignored)');
      return;
    }
    this.summary.header = header;
    const format: unknown = header.format;
    if (format !== JOURNAL_FORMAT)
      this.issue(number, `header format is ${typeof format === 'string' ? JSON.stringify(format.slice(0, 60)) : typeof format}, expected "${JOURNAL_FORMAT}"`);
    else if (header.version !== JOURNAL_VERSION)
      this.issue(number, `journal version ${String(header.version)}; this reader knows version ${JOURNAL_VERSION} and reads what it recognizes`);
  }
}

export interface ParsedNdjsonJournal {
  records: JournalRecord[];
  summary: JournalReadSummary;
}

/**
 * Parses a whole journal: a string, or an iterable of chunks (cut anywhere) or of lines
 * (`{ input: 'lines' }`, items without their newline, e.g. from node:readline).
 */
export function parseNdjsonJournal(input: string | Iterable<string>, options: NdjsonReadOptions & { input?: 'chunks' | 'lines' } = {}): ParsedNdjsonJournal {
  const records: JournalRecord[] = [];
  const reader = new NdjsonJournalReader((record) => records.push(record), options);
  if (typeof input === 'string') reader.push(input);
  else if (options.input === 'lines') for (const line of input) reader.pushLine(line);
  else for (const chunk of input) reader.push(chunk);
  return { records, summary: reader.end() };
}

/** The header line a writer starts a journal with (`createdAt` passed in: shared reads no clock). */
export function journalHeader(createdAt: string): HeaderRecord {
  return { type: 'header', format: JOURNAL_FORMAT, version: JOURNAL_VERSION, createdAt };
}

/** One record as an NDJSON line, newline included. */
export function serializeRecord(record: JournalRecord | HeaderRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** A whole journal: header, then the records in order. */
export function serializeJournal(records: Iterable<JournalRecord>, createdAt: string): string {
  let text = serializeRecord(journalHeader(createdAt));
  for (const record of records) text += serializeRecord(record);
  return text;
}

/**
 * The records of an NDJSON text stream (pieces cut anywhere), one at a time: memory holds one
 * piece's records, whatever the stream's length. Broken lines are skipped (a journal's own export
 * has none); `summary`, when given, is filled in at the end.
 */
export async function* ndjsonRecords(pieces: AsyncIterable<string>, summary?: { read?: JournalReadSummary }): AsyncIterable<JournalRecord> {
  let ready: JournalRecord[] = [];
  const reader = new NdjsonJournalReader((record) => ready.push(record), { maxIssues: 100 });
  for await (const piece of pieces) {
    reader.push(piece);
    const batch = ready;
    ready = [];
    yield* batch;
  }
  const read = reader.end();
  yield* ready;
  if (summary) summary.read = read;
}
