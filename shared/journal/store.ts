import { Dexie, type DexieOptions, type EntityTable } from 'dexie';
import { buildBlocks, DEFAULT_BLOCK_LIMITS, blockLines, type BlockLimits, type JournalBlock } from './blocks';
import { IMPORT_BATCH, type Journal, type PruneResult, type RetentionPolicy } from './journal';
import { journalHeader, serializeRecord } from './ndjson';
import { BlockScan, type JournalQuery } from './query';
import type { JournalRecord } from './records';
import { addToSummaries, channelSummaries, sessionSummaries, summaryKey, type JournalChannelSummary, type JournalSessionSummary, type JournalStats, type JournalSummaryRow } from './summaries';

/** Journal-wide counters, one row. */
interface JournalTotals {
  name: 'totals';
  records: number;
  bytes: number;
  blocks: number;
  /** Sequence number of the next record appended. */
  nextSeq: number;
}

export interface JournalStoreOptions {
  /** IndexedDB database name. Default `echoscope-journal`. */
  name?: string;
  /** The IndexedDB implementation: `window.indexedDB` in a page, `fake-indexeddb` in Node (shared reads no globals). */
  indexedDB: NonNullable<DexieOptions['indexedDB']>;
  IDBKeyRange: NonNullable<DexieOptions['IDBKeyRange']>;
  /**
   * Chromium's transaction durability. `strict` (default) makes a committed batch survive a
   * power loss, which is what "acknowledged" promises; `relaxed` only survives a crash of the browser.
   */
  durability?: 'strict' | 'default' | 'relaxed';
  blockLimits?: BlockLimits;
}

export interface AppendOptions {
  /** The records already serialized (`serializeRecord`), to skip a second `JSON.stringify`. */
  lines?: readonly string[];
  /** Number the batch from here (≥ the next sequence); the headless host keeps file line numbers. */
  firstSeq?: number;
}

/** Blocks read per page when streaming (an IndexedDB transaction must not wait on a slow consumer). */
const PAGE_BLOCKS = 64;

type JournalDb = Dexie & {
  blocks: EntityTable<JournalBlock, 'id'>;
  summaries: EntityTable<JournalSummaryRow, 'key'>;
  meta: EntityTable<JournalTotals, 'name'>;
};

const EMPTY_TOTALS: JournalTotals = { name: 'totals', records: 0, bytes: 0, blocks: 0, nextSeq: 0 };

/**
 * The journal on Dexie (DESIGN §6), runtime-agnostic: the same code on Chromium's
 * IndexedDB (journal window, Playwright) and on fake-indexeddb (headless host, tests).
 * Append-only in block rows (see blocks.ts and docs/journal.md); one transaction per batch.
 */
export class JournalStore implements Journal {
  private readonly db: JournalDb;
  private readonly limits: BlockLimits;

  constructor(options: JournalStoreOptions) {
    this.db = new Dexie(options.name ?? 'echoscope-journal', {
      indexedDB: options.indexedDB,
      IDBKeyRange: options.IDBKeyRange,
      chromeTransactionDurability: options.durability ?? 'strict',
    }) as JournalDb;
    // Index fields only: IndexedDB orders equal index keys by primary key, and block keys
    // follow arrival order, so `where('sessionKey').equals(k)` already yields arrival order.
    this.db.version(1).stores({
      blocks: '++id, sessionKey, channel, connection, firstAt, lastAt',
      summaries: 'key',
      meta: 'name',
    });
    this.limits = options.blockLimits ?? DEFAULT_BLOCK_LIMITS;
  }

  async open(): Promise<this> {
    await this.db.open();
    return this;
  }

  append(records: readonly JournalRecord[], options: AppendOptions = {}): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const { blocks, summaries, meta } = this.db;
    return this.db.transaction('rw', blocks, summaries, meta, async () => {
      const totals = (await meta.get('totals')) ?? { ...EMPTY_TOTALS };
      const firstSeq = options.firstSeq ?? totals.nextSeq;
      if (firstSeq < totals.nextSeq) throw new RangeError(`journal append: sequence ${firstSeq} is below the next sequence ${totals.nextSeq}`);
      const built = buildBlocks(records, firstSeq, this.limits, options.lines);
      const rows = await this.summaryRows(built);
      const touched = addToSummaries(rows, built);
      let bytes = 0;
      for (const block of built) bytes += block.bytes;
      await blocks.bulkAdd(built);
      await summaries.bulkPut([...touched]);
      await meta.put({ name: 'totals', records: totals.records + records.length, bytes: totals.bytes + bytes, blocks: totals.blocks + built.length, nextSeq: firstSeq + records.length });
    });
  }

  async query(query: JournalQuery = {}): Promise<JournalRecord[]> {
    const scan = new BlockScan(query);
    const blocks = this.db.blocks;
    await this.db.transaction('r', blocks, async () => {
      let collection;
      if (query.sessionKey !== undefined) collection = blocks.where('sessionKey').equals(query.sessionKey);
      else if (query.channel !== undefined) collection = blocks.where('channel').equals(query.channel);
      else if (query.connection !== undefined) collection = blocks.where('connection').equals(query.connection);
      else if (query.from !== undefined) {
        // Blocks still reaching `from` are found by time; the scan starts at the oldest of them.
        let oldest = Number.POSITIVE_INFINITY;
        for (const id of await blocks.where('lastAt').aboveOrEqual(query.from).primaryKeys()) oldest = Math.min(oldest, id ?? oldest);
        if (oldest === Number.POSITIVE_INFINITY) return;
        collection = blocks.where(':id').aboveOrEqual(oldest);
      } else collection = blocks.toCollection();
      if (query.limit === undefined) {
        for (const block of await collection.toArray()) scan.add(block);
      } else {
        await collection.until((block) => !scan.wants(block)).each((block) => scan.add(block));
      }
    });
    return scan.records();
  }

  async channels(): Promise<JournalChannelSummary[]> {
    return channelSummaries(await this.db.summaries.toArray());
  }

  async sessions(): Promise<JournalSessionSummary[]> {
    return sessionSummaries(await this.db.summaries.toArray());
  }

  async count(): Promise<number> {
    return (await this.totals()).records;
  }

  async stats(): Promise<JournalStats> {
    const { blocks } = this.db;
    return this.db.transaction('r', blocks, this.db.meta, async () => {
      const totals = await this.totals();
      const oldest = await blocks.orderBy('firstAt').first();
      const newest = await blocks.orderBy('lastAt').last();
      return { records: totals.records, bytes: totals.bytes, blocks: totals.blocks, oldestAt: oldest?.firstAt ?? null, newestAt: newest?.lastAt ?? null };
    });
  }

  async *exportNdjson(createdAt: string): AsyncIterable<string> {
    yield serializeRecord(journalHeader(createdAt));
    // Blocks of one batch interleave in sequence; blocks of later batches start after them.
    // So blocks are merged in runs of overlapping sequence ranges, and memory holds one run.
    let run: JournalBlock[] = [];
    let runEnd = Number.NEGATIVE_INFINITY;
    let lastId = 0;
    for (;;) {
      const page = await this.db.blocks.where(':id').above(lastId).limit(PAGE_BLOCKS).toArray();
      if (page.length === 0) break;
      lastId = page[page.length - 1]!.id!;
      for (const block of page) {
        if (run.length > 0 && block.firstSeq > runEnd) {
          yield mergeRun(run);
          run = [];
        }
        run.push(block);
        runEnd = Math.max(runEnd, block.lastSeq);
      }
    }
    if (run.length > 0) yield mergeRun(run);
  }

  async import(records: Iterable<JournalRecord>): Promise<number> {
    let batch: JournalRecord[] = [];
    let count = 0;
    for (const record of records) {
      batch.push(record);
      if (batch.length >= IMPORT_BATCH) {
        await this.append(batch);
        count += batch.length;
        batch = [];
      }
    }
    await this.append(batch);
    return count + batch.length;
  }

  prune(policy: RetentionPolicy, nowMs: number): Promise<PruneResult> {
    const { blocks, summaries, meta } = this.db;
    return this.db.transaction('rw', blocks, summaries, meta, async () => {
      const totals = (await meta.get('totals')) ?? { ...EMPTY_TOTALS };
      const doomed = new Map<number, JournalBlock>();
      if (policy.maxAgeMs !== undefined) {
        for (const block of await blocks.where('lastAt').below(nowMs - policy.maxAgeMs).toArray()) doomed.set(block.id!, block);
      }
      let bytes = totals.bytes;
      for (const block of doomed.values()) bytes -= block.bytes;
      const maxBytes = policy.maxBytes;
      if (maxBytes !== undefined && bytes > maxBytes) {
        await blocks
          .toCollection()
          .until(() => bytes <= maxBytes)
          .each((block) => {
            if (doomed.has(block.id!)) return;
            doomed.set(block.id!, block);
            bytes -= block.bytes;
          });
      }
      return this.remove([...doomed.values()], totals);
    });
  }

  /**
   * Drops every block that starts before sequence `seq`. The headless host keeps only a
   * recent window here (the file holds the rest) and moves it forward at batch boundaries,
   * so no block straddles `seq`.
   */
  evictBefore(seq: number): Promise<PruneResult> {
    const { blocks, summaries, meta } = this.db;
    return this.db.transaction('rw', blocks, summaries, meta, async () => {
      const doomed = await blocks.toCollection().until((block) => block.firstSeq >= seq).toArray();
      return this.remove(doomed, (await meta.get('totals')) ?? { ...EMPTY_TOTALS });
    });
  }

  /** Deletes blocks and takes them out of the totals and summaries (inside a rw transaction). */
  private async remove(doomed: readonly JournalBlock[], totals: JournalTotals): Promise<PruneResult> {
    const result: PruneResult = { records: 0, bytes: 0, blocks: doomed.length };
    if (doomed.length === 0) return result;
    for (const block of doomed) {
      result.records += block.count;
      result.bytes += block.bytes;
    }
    await this.db.blocks.bulkDelete(doomed.map((block) => block.id!));
    await this.shrinkSummaries(doomed);
    await this.db.meta.put({ ...totals, records: totals.records - result.records, bytes: totals.bytes - result.bytes, blocks: totals.blocks - result.blocks });
    return result;
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }

  /** Deletes the database (tests, "clear journal"). */
  async destroy(): Promise<void> {
    await this.db.delete();
  }

  private async totals(): Promise<JournalTotals> {
    return (await this.db.meta.get('totals')) ?? { ...EMPTY_TOTALS };
  }

  private async summaryRows(blocks: readonly JournalBlock[]): Promise<Map<string, JournalSummaryRow>> {
    const keys = [...new Set(blocks.map((block) => summaryKey(block.connection, block.channel, block.sessionKey)))];
    const rows = new Map<string, JournalSummaryRow>();
    for (const row of await this.db.summaries.bulkGet(keys)) if (row !== undefined) rows.set(row.key, row);
    return rows;
  }

  /** Takes pruned blocks out of their summaries; a summary's first arrival is looked up again. */
  private async shrinkSummaries(pruned: Iterable<JournalBlock>): Promise<void> {
    const byKey = new Map<string, { records: number; bytes: number }>();
    for (const block of pruned) {
      const key = summaryKey(block.connection, block.channel, block.sessionKey);
      const entry = byKey.get(key) ?? { records: 0, bytes: 0 };
      entry.records += block.count;
      entry.bytes += block.bytes;
      byKey.set(key, entry);
    }
    const rows = await this.db.summaries.bulkGet([...byKey.keys()]);
    for (const row of rows) {
      if (row === undefined) continue;
      const removed = byKey.get(row.key)!;
      row.records -= removed.records;
      row.bytes -= removed.bytes;
      if (row.records <= 0) {
        await this.db.summaries.delete(row.key);
        continue;
      }
      const first = await this.db.blocks
        .where('channel')
        .equals(row.channel)
        .and((block) => block.connection === row.connection && block.sessionKey === row.sessionKey)
        .first();
      if (first !== undefined) row.firstAt = first.firstAt;
      await this.db.summaries.put(row);
    }
  }
}

/** NDJSON text of a run of blocks, in arrival order. */
function mergeRun(run: readonly JournalBlock[]): string {
  if (run.length === 1) return run[0]!.text;
  const hits: { seq: number; line: string }[] = [];
  for (const block of run) {
    const lines = blockLines(block);
    for (let i = 0; i < block.count; i++) hits.push({ seq: block.seqs[i]!, line: lines[i]! });
  }
  hits.sort((a, b) => a.seq - b.seq);
  let text = '';
  for (const hit of hits) text += `${hit.line}\n`;
  return text;
}

/** Opens a store (creating the database on first use). */
export function openJournalStore(options: JournalStoreOptions): Promise<JournalStore> {
  return new JournalStore(options).open();
}
