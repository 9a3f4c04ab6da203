import { batchLineBytes, type RecordBatch } from './batch';

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

/**
 * Cuts a batch into blocks of consecutive records (`firstSeq` numbers the batch): the block's
 * text is a slice of the batch's, its groups are the batch's groups it holds. `lineBytes` is
 * {@link batchLineBytes} of the batch, when the caller has it already.
 */
export function buildBlocks(batch: RecordBatch, firstSeq: number, limits: BlockLimits = DEFAULT_BLOCK_LIMITS, lineBytes: Uint32Array = batchLineBytes(batch)): JournalBlock[] {
  const blocks: JournalBlock[] = [];
  // Slot of each batch group in the current block (−1: not in it yet); reset per block.
  const slot = new Int32Array(batch.groups.length).fill(-1);
  let from = 0;
  while (from < batch.count) {
    const textStart = from === 0 ? 0 : batch.ends[from - 1]!;
    let to = from;
    let distinct = 0;
    // A block takes at least one record, then more while under every limit.
    while (to < batch.count) {
      const group = batch.groupOf[to]!;
      const isNew = slot[group]! < 0;
      if (to > from && (to - from >= limits.records || batch.ends[to]! - textStart > limits.chars || (isNew && distinct >= 0xffff))) break;
      if (isNew) slot[group] = distinct++;
      to++;
    }
    blocks.push(blockOf(batch, lineBytes, firstSeq, from, to, slot, distinct));
    for (let i = from; i < to; i++) slot[batch.groupOf[i]!] = -1;
    from = to;
  }
  return blocks;
}

function blockOf(batch: RecordBatch, lineBytes: Uint32Array, firstSeq: number, from: number, to: number, slot: Int32Array, distinct: number): JournalBlock {
  const groups: BlockGroup[] = new Array<BlockGroup>(distinct);
  const groupOf = new Uint16Array(to - from);
  let bytes = 0;
  let firstAt = Number.POSITIVE_INFINITY;
  let lastAt = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    const index = slot[batch.groupOf[i]!]!;
    const at = batch.ats[i]!;
    const size = lineBytes[i]!;
    let group = groups[index];
    if (group === undefined) {
      const { connection, channel, sessionKey } = batch.groups[batch.groupOf[i]!]!;
      group = groups[index] = { connection, channel, sessionKey, count: 0, bytes: 0, firstAt: at, lastAt: at };
    }
    group.count++;
    group.bytes += size;
    if (at < group.firstAt) group.firstAt = at;
    if (at > group.lastAt) group.lastAt = at;
    groupOf[i - from] = index;
    bytes += size;
    if (at < firstAt) firstAt = at;
    if (at > lastAt) lastAt = at;
  }
  const distinctOf = (pick: (group: BlockGroup) => string) => [...new Set(groups.map(pick))];
  return {
    firstSeq: firstSeq + from,
    count: to - from,
    firstAt,
    lastAt,
    bytes,
    // '' stands for "none": not worth an index entry.
    sessionKeys: distinctOf((group) => group.sessionKey).filter((key) => key !== ''),
    channels: distinctOf((group) => group.channel).filter((channel) => channel !== ''),
    connections: distinctOf((group) => group.connection),
    groups,
    groupOf,
    ats: batch.ats.slice(from, to),
    text: batch.text.slice(from === 0 ? 0 : batch.ends[from - 1]!, batch.ends[to - 1]!),
  };
}

/** The lines of a block (without their `\n`), in arrival order. */
export function blockLines(block: Pick<JournalBlock, 'text'>): string[] {
  const lines = block.text.split('\n');
  lines.pop(); // the text ends with '\n'
  return lines;
}
