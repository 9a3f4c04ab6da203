import { utf8Length } from '../contract/payload';
import { serializeRecord } from './ndjson';
import type { JournalRecord } from './records';
import { journalSessionKey } from './session-key';

/**
 * The journal's storage unit (docs/journal.md, "Storage layout"): one IndexedDB row holds a
 * run of consecutive records of one appended batch, as NDJSON text. Why: in Chromium the cost
 * of IndexedDB is per row (one request, one structured clone, one LevelDB entry per index) —
 * about 3–8k rows/s — while a string of a few hundred KB is a memcpy and multi-entry index
 * keys are cheap. So a batch of 5,000 events is one or two rows, not 5,000 (nor one per
 * session, which still made ~200 rows per batch in the benchmark's 200-session load).
 *
 * A block lists the (connection, channel, session key) groups it holds; those fill the
 * multi-entry indexes, so a query reads only blocks that hold its session, channel or
 * connection, and picks its records inside by group and arrival time without parsing others.
 */
export interface JournalBlock {
  /** Auto-increment key; blocks are added in arrival order, so key order is arrival order. */
  id?: number;
  /** Journal-wide arrival sequence of the first record; the block holds `firstSeq … firstSeq + count - 1`. */
  firstSeq: number;
  count: number;
  firstAt: number;
  lastAt: number;
  /** UTF-8 bytes of the NDJSON text (the size an export takes; the retention unit). */
  bytes: number;
  /** Index fields: the distinct values among the groups. */
  sessionKeys: string[];
  channels: string[];
  connections: string[];
  groups: BlockGroup[];
  /** Group (index into `groups`) of each record. */
  groupOf: Uint16Array;
  /** Arrival time of each record, to filter a time range without parsing. */
  ats: Float64Array;
  /** The records as NDJSON v1 lines, each ending with `\n` — the export format as stored. */
  text: string;
}

/** What a block holds of one (connection, channel, session key). */
export interface BlockGroup {
  connection: string;
  /** `''` for connection-level records (connection states, protocol frames without a channel). */
  channel: string;
  /** {@link journalSessionKey}, `''` when the records have none. */
  sessionKey: string;
  count: number;
  bytes: number;
  firstAt: number;
  lastAt: number;
}

export interface BlockLimits {
  /** Records per block at most (also bounded by the 65,535 groups a Uint16Array can name). */
  records: number;
  /** Characters of text per block at most (a single larger record still gets its own block). */
  chars: number;
}

export const DEFAULT_BLOCK_LIMITS: BlockLimits = { records: 8192, chars: 1 << 20 };

class BlockBuilder {
  readonly groups: BlockGroup[] = [];
  private readonly groupIndex = new Map<string, number>();
  readonly groupOf: number[] = [];
  readonly ats: number[] = [];
  readonly lines: string[] = [];
  chars = 0;
  bytes = 0;

  constructor(readonly firstSeq: number) {}

  add(record: JournalRecord, line: string): void {
    const channel = record.type === 'connection' ? '' : (record.channel ?? '');
    const sessionKey = journalSessionKey(record) ?? '';
    const key = `${record.connection}\u0000${channel}\u0000${sessionKey}`;
    let index = this.groupIndex.get(key);
    if (index === undefined) {
      index = this.groups.length;
      this.groupIndex.set(key, index);
      this.groups.push({ connection: record.connection, channel, sessionKey, count: 0, bytes: 0, firstAt: record.at, lastAt: record.at });
    }
    const group = this.groups[index]!;
    const bytes = utf8Length(line);
    group.count++;
    group.bytes += bytes;
    group.firstAt = Math.min(group.firstAt, record.at);
    group.lastAt = Math.max(group.lastAt, record.at);
    this.groupOf.push(index);
    this.ats.push(record.at);
    this.lines.push(line);
    this.chars += line.length;
    this.bytes += bytes;
  }

  get count(): number {
    return this.lines.length;
  }

  get distinctGroups(): number {
    return this.groups.length;
  }

  build(): JournalBlock {
    const distinct = (pick: (group: BlockGroup) => string) => [...new Set(this.groups.map(pick))];
    let firstAt = Number.POSITIVE_INFINITY;
    let lastAt = Number.NEGATIVE_INFINITY;
    for (const group of this.groups) {
      firstAt = Math.min(firstAt, group.firstAt);
      lastAt = Math.max(lastAt, group.lastAt);
    }
    return {
      firstSeq: this.firstSeq,
      count: this.count,
      firstAt,
      lastAt,
      bytes: this.bytes,
      // '' stands for "none": not worth an index entry.
      sessionKeys: distinct((group) => group.sessionKey).filter((key) => key !== ''),
      channels: distinct((group) => group.channel).filter((channel) => channel !== ''),
      connections: distinct((group) => group.connection),
      groups: this.groups,
      groupOf: Uint16Array.from(this.groupOf),
      ats: Float64Array.from(this.ats),
      text: this.lines.join(''),
    };
  }
}

/**
 * Cuts a batch into blocks of consecutive records. `lines[i]` is `records[i]` serialized
 * (callers that already wrote NDJSON pass it to skip a second `JSON.stringify`); `firstSeq`
 * numbers the batch.
 */
export function buildBlocks(records: readonly JournalRecord[], firstSeq: number, limits: BlockLimits = DEFAULT_BLOCK_LIMITS, lines?: readonly string[]): JournalBlock[] {
  const blocks: JournalBlock[] = [];
  let builder = new BlockBuilder(firstSeq);
  for (let i = 0; i < records.length; i++) {
    const line = lines?.[i] ?? serializeRecord(records[i]!);
    if (builder.count > 0 && (builder.count >= limits.records || builder.chars + line.length > limits.chars || builder.distinctGroups >= 0xffff)) {
      blocks.push(builder.build());
      builder = new BlockBuilder(firstSeq + i);
    }
    builder.add(records[i]!, line);
  }
  if (builder.count > 0) blocks.push(builder.build());
  return blocks;
}

/** The lines of a block (without their `\n`), in arrival order. */
export function blockLines(block: Pick<JournalBlock, 'text'>): string[] {
  const lines = block.text.split('\n');
  lines.pop(); // the text ends with '\n'
  return lines;
}
