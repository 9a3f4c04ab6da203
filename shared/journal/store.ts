import { Dexie, type DexieOptions, type EntityTable, type Table } from 'dexie';
import { recordBatch, type RecordBatch } from './batch';
import { buildBlocks, DEFAULT_BLOCK_LIMITS, type BlockLimits, type JournalBlock } from './blocks';
import { importInBatches, type Journal, type PruneResult, type RetentionPolicy } from './journal';
import { journalHeader, serializeRecord } from './ndjson';
import { BlockScan, isEmptyQuery, type JournalQuery } from './query';
import type { JournalRecord } from './records';
import {
  addToSummaries,
  channelSummaries,
  sessionSummaries,
  summaryKey,
  type JournalChannelSummary,
  type JournalSessionSummary,
  type JournalStats,
  type JournalSummaryRow,
} from './summaries';

/** Journal-wide counters. */
interface JournalTotals {
  name: 'totals';
  records: number;
  bytes: number;
  blocks: number;
  /** Sequence number of the next record appended. */
  nextSeq: number;
}

/**
 * The per-(connection, channel, session) summaries as of block `throughId`. A checkpoint, not
 * the truth: on open, blocks after it are added back in. Writing every summary row on every
 * batch would double the rows a batch writes (measured: 58k → 32k events/s).
 */
interface SummaryCheckpoint {
  name: 'summaries';
  throughId: number;
  rows: JournalSummaryRow[];
}

type MetaRow = JournalTotals | SummaryCheckpoint;

export interface JournalStoreOptions {
  /** IndexedDB database name. Default `echoscope-journal`. */
  name?: string;
  /** The IndexedDB implementation: `window.indexedDB` in a page, `fake-indexeddb` in Node tests (shared reads no globals). */
  indexedDB: NonNullable<DexieOptions['indexedDB']>;
  IDBKeyRange: NonNullable<DexieOptions['IDBKeyRange']>;
  /**
   * Chromium's transaction durability. `strict` (default) makes a committed batch survive a
   * power loss, which is what "acknowledged" promises; `relaxed` only survives a crash of the browser.
   */
  durability?: 'strict' | 'default' | 'relaxed';
  blockLimits?: BlockLimits;
  /** Appends between two summary checkpoints. Default 64. */
  checkpointEvery?: number;
}

/** Blocks read per page when streaming (an IndexedDB transaction must not wait on a slow consumer). */
const PAGE_BLOCKS = 32;

type JournalDb = Dexie & {
  blocks: EntityTable<JournalBlock, 'id'>;
  meta: Table<MetaRow, MetaRow['name']>;
};

const emptyTotals = (): JournalTotals => ({ name: 'totals', records: 0, bytes: 0, blocks: 0, nextSeq: 0 });

/**
 * The journal on Dexie (DESIGN §6), runtime-agnostic: the same code on Chromium's
 * IndexedDB (Electron's journal window, Playwright) and on fake-indexeddb (tests). The headless host keeps its
 * journal in segment files instead (electron/core/journal/host-journal.ts).
 * Append-only block rows (blocks.ts, docs/journal.md); one transaction per batch, which
 * writes the batch's one or few blocks and one counters row.
 *
 * One store instance owns a database (the journal window in Electron, the host in Node):
 * counters and summaries are kept in memory and only checkpointed.
 */
export class JournalStore implements Journal {
  private readonly db: JournalDb;
  private readonly limits: BlockLimits;
  private readonly checkpointEvery: number;
  private totals = emptyTotals();
  private summaries = new Map<string, JournalSummaryRow>();
  private lastId = 0;
  private sinceCheckpoint = 0;

  constructor(options: JournalStoreOptions) {
    this.db = new Dexie(options.name ?? 'echoscope-journal', {
      indexedDB: options.indexedDB,
      IDBKeyRange: options.IDBKeyRange,
      chromeTransactionDurability: options.durability ?? 'strict',
    }) as JournalDb;
    // Multi-entry indexes: a block is found under each session, channel and connection it holds.
    // IndexedDB orders equal index keys by primary key, and block keys follow arrival order,
    // so `where('sessionKeys').equals(k)` yields the session's blocks in arrival order.
    this.db.version(1).stores({
      blocks: '++id, *sessionKeys, *channels, *connections, firstAt, lastAt',
      meta: 'name',
    });
    this.limits = options.blockLimits ?? DEFAULT_BLOCK_LIMITS;
    this.checkpointEvery = options.checkpointEvery ?? 64;
  }

  async open(): Promise<this> {
    await this.db.open();
    await this.recover();
    return this;
  }

  append(records: readonly JournalRecord[]): Promise<void> {
    return this.appendBatch(recordBatch(records));
  }

  /**
   * Appends a batch (one transaction). Batch ids are not kept here: the journal window is not
   * restarted under a running writer (the host's segmented journal keeps them).
   */
  appendBatch(batch: RecordBatch): Promise<void> {
    if (batch.count === 0) return Promise.resolve();
    const firstSeq = this.totals.nextSeq;
    const built = buildBlocks(batch, firstSeq, this.limits);
    let bytes = 0;
    for (const block of built) bytes += block.bytes;
    const totals: JournalTotals = {
      name: 'totals',
      records: this.totals.records + batch.count,
      bytes: this.totals.bytes + bytes,
      blocks: this.totals.blocks + built.length,
      nextSeq: firstSeq + batch.count,
    };
    const { blocks, meta } = this.db;
    return this.db
      .transaction('rw', blocks, meta, async () => {
        const ids = await blocks.bulkAdd(built, { allKeys: true });
        this.lastId = ids[ids.length - 1] ?? this.lastId;
        this.totals = totals;
        for (const block of built) addToSummaries(this.summaries, block.groups);
        await meta.put(totals);
        if (++this.sinceCheckpoint >= this.checkpointEvery) await this.checkpoint();
      })
      .catch(async (error: unknown) => {
        // The transaction rolled back: forget what was counted in memory.
        await this.recover();
        throw error;
      });
  }

  async query(query: JournalQuery = {}): Promise<JournalRecord[]> {
    const scan = new BlockScan(query);
    if (query.limit === 0) return [];
    const blocks = this.db.blocks;
    await this.db.transaction('r', blocks, async () => {
      let collection;
      if (query.sessionKey !== undefined) collection = blocks.where('sessionKeys').equals(query.sessionKey);
      else if (query.channel !== undefined) collection = blocks.where('channels').equals(query.channel);
      else if (query.connection !== undefined) collection = blocks.where('connections').equals(query.connection);
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
        await collection.until(() => scan.done).each((block) => scan.add(block));
      }
    });
    return scan.records();
  }

  channels(): Promise<JournalChannelSummary[]> {
    return Promise.resolve(channelSummaries(this.summaries.values()));
  }

  sessions(): Promise<JournalSessionSummary[]> {
    return Promise.resolve(sessionSummaries(this.summaries.values()));
  }

  count(): Promise<number> {
    return Promise.resolve(this.totals.records);
  }

  async stats(): Promise<JournalStats> {
    const { blocks } = this.db;
    const [oldest, newest] = await this.db.transaction('r', blocks, () => Promise.all([blocks.orderBy('firstAt').first(), blocks.orderBy('lastAt').last()]));
    const { records, bytes, blocks: rows } = this.totals;
    return { records, bytes, blocks: rows, oldestAt: oldest?.firstAt ?? null, newestAt: newest?.lastAt ?? null };
  }

  async *exportNdjson(createdAt: string, query?: JournalQuery): AsyncIterable<string> {
    yield serializeRecord(journalHeader(createdAt));
    const filter = isEmptyQuery(query) ? undefined : { ...query, limit: undefined };
    // Blocks hold consecutive records in key order: the export is their text, concatenated (a filtered one, their matching lines).
    let lastId = 0;
    for (;;) {
      const page = await this.db.blocks.where(':id').above(lastId).limit(PAGE_BLOCKS).toArray();
      if (page.length === 0) return;
      lastId = page[page.length - 1]!.id!;
      for (const block of page) {
        if (filter === undefined) {
          yield block.text;
          continue;
        }
        const scan = new BlockScan(filter);
        scan.add(block);
        let text = '';
        for (const record of scan.records()) text += serializeRecord(record);
        if (text.length > 0) yield text;
      }
    }
  }

  import(records: Iterable<JournalRecord>): Promise<number> {
    return importInBatches(records, async (batch) => (await this.append(batch), batch.length));
  }

  prune(policy: RetentionPolicy, nowMs: number): Promise<PruneResult> {
    const { blocks } = this.db;
    return this.mutate(async () => {
      const doomed = new Map<number, JournalBlock>();
      if (policy.maxAgeMs !== undefined) {
        for (const block of await blocks
          .where('lastAt')
          .below(nowMs - policy.maxAgeMs)
          .toArray())
          doomed.set(block.id!, block);
      }
      let bytes = this.totals.bytes;
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
      return this.remove([...doomed.values()]);
    });
  }

  async close(): Promise<void> {
    if (this.db.isOpen() && this.sinceCheckpoint > 0) await this.db.transaction('rw', this.db.meta, () => this.checkpoint());
    this.db.close();
  }

  /** Deletes the database (tests, "clear journal"). */
  async destroy(): Promise<void> {
    await this.db.delete();
  }

  /** A write transaction over everything; on failure the in-memory state is re-read. */
  private mutate<T>(work: () => Promise<T>): Promise<T> {
    return this.db.transaction('rw', this.db.blocks, this.db.meta, work).catch(async (error: unknown) => {
      await this.recover();
      throw error;
    });
  }

  /** Reads counters and the summary checkpoint, then adds the blocks written after it. */
  private async recover(): Promise<void> {
    const { blocks, meta } = this.db;
    await this.db.transaction('r', blocks, meta, async () => {
      const totals = await meta.get('totals');
      const checkpoint = await meta.get('summaries');
      this.totals = totals?.name === 'totals' ? totals : emptyTotals();
      this.summaries = new Map();
      let throughId = 0;
      if (checkpoint?.name === 'summaries') {
        for (const row of checkpoint.rows) this.summaries.set(row.key, row);
        throughId = checkpoint.throughId;
      }
      this.sinceCheckpoint = 0;
      await blocks
        .where(':id')
        .above(throughId)
        .each((block) => {
          addToSummaries(this.summaries, block.groups);
          this.sinceCheckpoint++;
        });
      this.lastId = ((await blocks.toCollection().lastKey()) as number | undefined) ?? 0;
    });
  }

  /** Inside a rw transaction on `meta`. */
  private async checkpoint(): Promise<void> {
    await this.db.meta.put({ name: 'summaries', throughId: this.lastId, rows: [...this.summaries.values()] });
    this.sinceCheckpoint = 0;
  }

  /** Deletes blocks and takes them out of the counters and summaries (inside a rw transaction). */
  private async remove(doomed: readonly JournalBlock[]): Promise<PruneResult> {
    const result: PruneResult = { records: 0, bytes: 0, blocks: doomed.length };
    if (doomed.length === 0) return result;
    for (const block of doomed) {
      result.records += block.count;
      result.bytes += block.bytes;
    }
    await this.db.blocks.bulkDelete(doomed.map((block) => block.id!));
    await this.shrinkSummaries(doomed);
    this.totals = { ...this.totals, records: this.totals.records - result.records, bytes: this.totals.bytes - result.bytes, blocks: this.totals.blocks - result.blocks };
    await this.db.meta.put(this.totals);
    await this.checkpoint();
    return result;
  }

  /** Takes removed blocks out of their summaries; a summary's first arrival is looked up again. */
  private async shrinkSummaries(removed: readonly JournalBlock[]): Promise<void> {
    const touched = new Set<JournalSummaryRow>();
    for (const block of removed) {
      for (const group of block.groups) {
        const row = this.summaries.get(summaryKey(group.connection, group.channel, group.sessionKey));
        if (row === undefined) continue;
        row.records -= group.count;
        row.bytes -= group.bytes;
        touched.add(row);
      }
    }
    // First arrivals of the shrunk summaries, in one pass over the remaining blocks in arrival
    // order: each key's earliest group among the first two blocks holding it (arrival times may
    // run a little backwards, so not only the first).
    const pending = new Map<string, { row: JournalSummaryRow; seen: number; firstAt: number }>();
    for (const row of touched) {
      if (row.records <= 0) this.summaries.delete(row.key);
      else pending.set(row.key, { row, seen: 0, firstAt: Number.POSITIVE_INFINITY });
    }
    if (pending.size === 0) return;
    await this.db.blocks
      .toCollection()
      .until(() => pending.size === 0)
      .each((block) => {
        for (const group of block.groups) {
          const key = summaryKey(group.connection, group.channel, group.sessionKey);
          const entry = pending.get(key);
          if (entry === undefined) continue;
          entry.firstAt = Math.min(entry.firstAt, group.firstAt);
          entry.row.firstAt = entry.firstAt;
          if (++entry.seen >= 2) pending.delete(key);
        }
      });
  }
}

/** Opens a store (creating the database on first use). */
export function openJournalStore(options: JournalStoreOptions): Promise<JournalStore> {
  return new JournalStore(options).open();
}
