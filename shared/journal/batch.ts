import { utf8Length } from '../contract/payload';
import { serializeRecord } from './ndjson';
import type { JournalRecord } from './records';
import { journalSessionKey } from './session-key';

/**
 * An appended batch in the form the journal stores it: NDJSON v1 text plus, per record, what
 * the indexes need (arrival time and its (connection, channel, session key) group). Built once
 * per append — each record serialized once, its group found once — and then cut into blocks
 * (blocks.ts), written to the host's file and summed into the summaries per group, not per record.
 */
export interface RecordBatch {
  count: number;
  /** `count` NDJSON lines, each ending with `\n`. */
  text: string;
  /** Character offset just past each line's `\n`: line `i` is `text.slice(ends[i - 1] ?? 0, ends[i])`. */
  ends: Uint32Array;
  /** Arrival time of each record. */
  ats: Float64Array;
  /** Group (index into `groups`) of each record. */
  groupOf: Uint32Array;
  groups: BatchGroup[];
}

/** One (connection, channel, session key) of a batch: the unit of the journal's indexes and summaries. */
export interface BatchGroup {
  connection: string;
  /** `''` for connection-level records (connection states, protocol frames without a channel). */
  channel: string;
  /** {@link journalSessionKey}, `''` when the record has none. */
  sessionKey: string;
}

/** The group fields of a record. */
export function recordGroup(record: JournalRecord): BatchGroup {
  return { connection: record.connection, channel: record.type === 'connection' ? '' : (record.channel ?? ''), sessionKey: journalSessionKey(record) ?? '' };
}

/**
 * Collects records into a {@link RecordBatch}. `line`, when the caller has it, must be an
 * NDJSON line (`\n`-terminated) that parses to exactly `record` — the host passes the lines it
 * read from its file, a captured batch the lines it put together from wire text (captured.ts);
 * otherwise the record is serialized here.
 */
export class RecordBatchBuilder {
  private lines: string[] = [];
  private ends: number[] = [];
  private ats: number[] = [];
  private groupOf: number[] = [];
  private groups: BatchGroup[] = [];
  /** connection → channel → session key → group. */
  private groupIndex = new Map<string, Map<string, Map<string, number>>>();
  private chars = 0;

  add(record: JournalRecord, line?: string): void {
    this.addLine(line ?? serializeRecord(record), record.at, record.connection, record.type === 'connection' ? '' : (record.channel ?? ''), journalSessionKey(record) ?? '');
  }

  /**
   * The same for a record known only by its NDJSON line and its group fields (a captured
   * batch's wire frame, when the capturing thread gave its session key): `line` must parse to
   * a record whose `at` and {@link recordGroup} are these.
   */
  addLine(line: string, at: number, connection: string, channel: string, sessionKey: string): void {
    let byChannel = this.groupIndex.get(connection);
    if (byChannel === undefined) this.groupIndex.set(connection, (byChannel = new Map()));
    let byKey = byChannel.get(channel);
    if (byKey === undefined) byChannel.set(channel, (byKey = new Map()));
    let group = byKey.get(sessionKey);
    if (group === undefined) {
      group = this.groups.length;
      byKey.set(sessionKey, group);
      this.groups.push({ connection, channel, sessionKey });
    }
    this.chars += line.length;
    this.lines.push(line);
    this.ends.push(this.chars);
    this.ats.push(at);
    this.groupOf.push(group);
  }

  get count(): number {
    return this.lines.length;
  }

  /** The batch of everything added since the last `take` (empty batches are fine). */
  take(): RecordBatch {
    const batch: RecordBatch = {
      count: this.lines.length,
      text: this.lines.join(''),
      ends: Uint32Array.from(this.ends),
      ats: Float64Array.from(this.ats),
      groupOf: Uint32Array.from(this.groupOf),
      groups: this.groups,
    };
    this.lines = [];
    this.ends = [];
    this.ats = [];
    this.groupOf = [];
    this.groups = [];
    this.groupIndex = new Map();
    this.chars = 0;
    return batch;
  }
}

/** Records as one batch (`lines[i]`, when given, is `serializeRecord(records[i])`). */
export function recordBatch(records: readonly JournalRecord[], lines?: readonly string[]): RecordBatch {
  const builder = new RecordBatchBuilder();
  for (let i = 0; i < records.length; i++) builder.add(records[i]!, lines?.[i]);
  return builder.take();
}

/** Line `i` of a batch, with its `\n`. */
export function batchLine(batch: RecordBatch, i: number): string {
  return batch.text.slice(i === 0 ? 0 : batch.ends[i - 1]!, batch.ends[i]!);
}

/** Any character that takes more than one byte in UTF-8. */
const NON_ASCII = /[\u0080-\uffff]/;

/** UTF-8 bytes of each line (what the journal's sizes and retention count). */
export function batchLineBytes(batch: RecordBatch): Uint32Array {
  const bytes = new Uint32Array(batch.count);
  // Most batches are ASCII (JSON escapes nothing else, payloads are mostly English): one regex scan, then bytes = characters.
  const ascii = !NON_ASCII.test(batch.text);
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = batch.ends[i]!;
    bytes[i] = ascii ? end - start : utf8Length(batch.text.slice(start, end));
    start = end;
  }
  return bytes;
}

/** What a run of a batch adds to each of its groups. */
export interface GroupFigures extends BatchGroup {
  count: number;
  bytes: number;
  firstAt: number;
  lastAt: number;
}

/** Per-group figures of records `from … to - 1` of a batch, groups in order of first appearance. */
export function groupFigures(batch: RecordBatch, lineBytes: Uint32Array, from = 0, to = batch.count): GroupFigures[] {
  const slot = new Int32Array(batch.groups.length).fill(-1);
  const figures: GroupFigures[] = [];
  for (let i = from; i < to; i++) {
    const group = batch.groupOf[i]!;
    const at = batch.ats[i]!;
    let index = slot[group]!;
    if (index < 0) {
      index = figures.length;
      slot[group] = index;
      const { connection, channel, sessionKey } = batch.groups[group]!;
      figures.push({ connection, channel, sessionKey, count: 0, bytes: 0, firstAt: at, lastAt: at });
    }
    const entry = figures[index]!;
    entry.count++;
    entry.bytes += lineBytes[i]!;
    if (at < entry.firstAt) entry.firstAt = at;
    if (at > entry.lastAt) entry.lastAt = at;
  }
  return figures;
}
