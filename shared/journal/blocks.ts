import { utf8Length } from '../contract/payload';
import { serializeRecord } from './ndjson';
import type { JournalRecord } from './records';
import { journalSessionKey } from './session-key';

/**
 * The journal's storage unit (docs/journal.md, "Storage layout"). One IndexedDB row holds
 * the records of one (connection, channel, session key) taken from one appended batch, as
 * NDJSON text. Why not a row per event: IndexedDB's cost is per row (structured clone, one
 * LevelDB entry per index) — about 5–8k rows/s in Chromium — while one string of a few
 * hundred KB is a memcpy. Rows are homogeneous in their index fields, so a query picks
 * blocks by index and only looks inside for the time range.
 */
export interface JournalBlock {
  /** Auto-increment key. Blocks are added in order of their first record, so key order is arrival order of block starts. */
  id?: number;
  connection: string;
  /** `''` for connection-level records (connection states, protocol frames without a channel). */
  channel: string;
  /** {@link journalSessionKey}, `''` when the records have none. */
  sessionKey: string;
  /** Journal-wide arrival sequence of the first and last record. */
  firstSeq: number;
  lastSeq: number;
  firstAt: number;
  lastAt: number;
  count: number;
  /** UTF-8 bytes of the NDJSON text (what the records take in an export; the retention unit). */
  bytes: number;
  /** Arrival sequence of each record (typed arrays clone as one memcpy). */
  seqs: Float64Array;
  /** Arrival time of each record, to filter a time range without parsing. */
  ats: Float64Array;
  /** The records as NDJSON v1 lines, each ending with `\n` — the export format as stored. */
  text: string;
}

export interface BlockLimits {
  /** Records per block at most (a block is also the unit of retention). */
  records: number;
  /** Characters of text per block at most (a single larger record still gets its own block). */
  chars: number;
}

export const DEFAULT_BLOCK_LIMITS: BlockLimits = { records: 4096, chars: 512 * 1024 };

interface OpenBlock {
  connection: string;
  channel: string;
  sessionKey: string;
  seqs: number[];
  ats: number[];
  lines: string[];
  chars: number;
  bytes: number;
}

function extreme(values: readonly number[], pick: (a: number, b: number) => number): number {
  let result = values[0]!;
  for (const value of values) result = pick(result, value);
  return result;
}

function close(open: OpenBlock): JournalBlock {
  const count = open.seqs.length;
  return {
    connection: open.connection,
    channel: open.channel,
    sessionKey: open.sessionKey,
    firstSeq: open.seqs[0]!,
    lastSeq: open.seqs[count - 1]!,
    firstAt: extreme(open.ats, Math.min),
    lastAt: extreme(open.ats, Math.max),
    count,
    bytes: open.bytes,
    seqs: Float64Array.from(open.seqs),
    ats: Float64Array.from(open.ats),
    text: open.lines.join(''),
  };
}

/**
 * Groups a batch into blocks, returned in order of their first record. `lines[i]` is
 * `records[i]` serialized (callers that already wrote NDJSON pass it to avoid a second
 * `JSON.stringify`); `firstSeq` numbers the batch.
 */
export function buildBlocks(records: readonly JournalRecord[], firstSeq: number, limits: BlockLimits = DEFAULT_BLOCK_LIMITS, lines?: readonly string[]): JournalBlock[] {
  const open = new Map<string, OpenBlock>();
  // Closed blocks keep their creation order; open ones are closed at the end, then all sorted by firstSeq.
  const blocks: JournalBlock[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const line = lines?.[i] ?? serializeRecord(record);
    const channel = record.type === 'connection' ? '' : (record.channel ?? '');
    const sessionKey = journalSessionKey(record) ?? '';
    const key = `${record.connection}\u0000${channel}\u0000${sessionKey}`;
    let block = open.get(key);
    if (block !== undefined && (block.seqs.length >= limits.records || block.chars + line.length > limits.chars)) {
      blocks.push(close(block));
      block = undefined;
    }
    if (block === undefined) {
      block = { connection: record.connection, channel, sessionKey, seqs: [], ats: [], lines: [], chars: 0, bytes: 0 };
      open.set(key, block);
    }
    block.seqs.push(firstSeq + i);
    block.ats.push(record.at);
    block.lines.push(line);
    block.chars += line.length;
    block.bytes += utf8Length(line);
  }
  for (const block of open.values()) blocks.push(close(block));
  return blocks.sort((a, b) => a.firstSeq - b.firstSeq);
}

/** The lines of a block (without their `\n`), in arrival order. */
export function blockLines(block: Pick<JournalBlock, 'text'>): string[] {
  const lines = block.text.split('\n');
  lines.pop(); // the text ends with '\n'
  return lines;
}
