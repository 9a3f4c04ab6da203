import type { JournalExportRequest, JournalHealth, Retention } from '../../../shared/api';
import {
  harDocument,
  ndjsonRecords,
  serializeJournal,
  type FrameRecord,
  type HarCreator,
  type HarVantage,
  type Journal,
  type JournalQuery,
  type JournalRecord,
} from '../../../shared/journal';
import type { JournalPort, SessionScope } from '../app';
import type { Clock } from '../clock';
import { recentRecords, sessionFrames, sessionRecords } from './journal-reads';
import { JournalWriter, type JournalWriterOptions } from './journal-writer';

export interface JournalServiceOptions {
  /** Shown in the UI: the file path, or "IndexedDB (journal window)". */
  location: string;
  retention?: Retention;
  clock: Clock;
  /** How often retention runs. */
  pruneEveryMs?: number;
  onError?: (message: string) => void;
  /** The writer's batching and bounds (tests); defaults otherwise. */
  writer?: JournalWriterOptions;
  /** The journal thread's health, where it is supervised (the headless host's worker). */
  health?: () => JournalHealth;
}

export const DEFAULT_RETENTION: Retention = { maxAgeMs: 7 * 24 * 3_600_000, maxBytes: 1024 * 1024 * 1024 };

/**
 * The App service's journal: batched, acknowledged appends through a JournalWriter, retention
 * on a timer, export and the per-session event reads the UI needs. Works on any `Journal`
 * (the headless host's file-backed one, or the Electron journal window's client).
 */
export class JournalService implements JournalPort {
  readonly writer: JournalWriter;
  private retention: Retention;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    readonly journal: Journal,
    private readonly options: JournalServiceOptions,
  ) {
    this.writer = new JournalWriter(journal, options.writer);
    this.writer.onError((error) => options.onError?.(error.name === 'JournalFull' ? `journal: ${error.message}` : `journal write failed (will retry): ${error.message}`));
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.timer = setInterval(() => void this.prune(), options.pruneEveryMs ?? 60_000);
    this.timer.unref?.();
  }

  append(record: JournalRecord, wireText?: string): boolean {
    return this.writer.add(record, wireText);
  }

  /** Resolves once every record added so far is written: an import waits on it, so it reads no faster than the journal takes. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  async stats() {
    const stats = await this.journal.stats();
    const health = this.options.health?.();
    return {
      records: stats.records,
      bytes: stats.bytes,
      oldestAt: stats.oldestAt,
      newestAt: stats.newestAt,
      retention: { ...this.retention },
      location: this.options.location,
      unjournaled: this.writer.unjournaled,
      ...(health ? { health } : {}),
    };
  }

  async setRetention(update: Partial<Retention>): Promise<Retention> {
    this.retention = { ...this.retention, ...update };
    await this.prune();
    return { ...this.retention };
  }

  async exportNdjson(filter: JournalExportRequest, scope?: SessionScope, creator?: HarCreator): Promise<{ ndjson: string; records: number }> {
    const pieces: string[] = [];
    const counter = { records: 0 };
    for await (const piece of this.exportStream(filter, scope, creator, counter)) pieces.push(piece);
    return { ndjson: pieces.join(''), records: counter.records };
  }

  /**
   * The journal (or a time range, or one session) as NDJSON v1 or as a HAR (`filter.format`),
   * piece by piece as the journal's thread reads it (a few pieces ahead of the reader at most):
   * what a download streams, in bounded memory whatever the journal's size. A reader that stops
   * early cancels the read. `counter.records` counts the records written.
   */
  async *exportStream(
    filter: JournalExportRequest,
    scope?: SessionScope,
    creator: HarCreator = { name: 'EchoScope', version: '0' },
    counter = { records: 0 },
  ): AsyncIterable<string> {
    await this.writer.flush();
    const createdAt = new Date(this.options.clock()).toISOString();
    const range: JournalQuery = {
      ...(filter.from === undefined ? {} : { from: filter.from }),
      ...(filter.to === undefined ? {} : { to: filter.to }),
    };
    const ranged = filter.from !== undefined || filter.to !== undefined;
    if (filter.sessionId === undefined) {
      if (filter.format === 'har') {
        // One pass per vantage (a HAR groups messages by connection); each pass asks the journal for that connection only.
        const pass = (vantage: HarVantage | undefined) =>
          ndjsonRecords(this.journal.exportNdjson(createdAt, vantage === undefined ? (ranged ? range : undefined) : { ...range, connection: vantage.connection }));
        yield* harDocument(pass, creator, counter);
        return;
      }
      for await (const piece of this.journal.exportNdjson(createdAt, ranged ? range : undefined)) {
        counter.records += countLines(piece);
        yield piece;
      }
      counter.records--; // the header line
      return;
    }
    // One session: its records as its contract keys them (a session is bounded; the whole journal is not).
    const records = await this.sessionRecords(scope ?? { sessionId: filter.sessionId, channels: [], profile: null }, range);
    if (filter.format === 'har') {
      yield* harDocument(() => each(records), creator, counter);
      return;
    }
    counter.records += records.length;
    yield serializeJournal(records, createdAt);
  }

  /** A session's frames, oldest first (flushes pending writes so the newest are included). */
  async sessionEvents(scope: SessionScope, limit: number): Promise<FrameRecord[]> {
    await this.writer.flush();
    return sessionFrames(this.journal, scope, limit);
  }

  /** The records of the most recent sessions (for re-analysis at start-up): see {@link recentRecords}. */
  recent(windowMs: number, limit: number): Promise<JournalRecord[]> {
    return recentRecords(this.journal, windowMs, limit);
  }

  private sessionRecords(scope: SessionScope, query: JournalQuery): Promise<JournalRecord[]> {
    return sessionRecords(this.journal, scope, query);
  }

  async prune(): Promise<void> {
    const policy = {
      ...(this.retention.maxAgeMs === null ? {} : { maxAgeMs: this.retention.maxAgeMs }),
      ...(this.retention.maxBytes === null ? {} : { maxBytes: this.retention.maxBytes }),
    };
    if (Object.keys(policy).length === 0) return;
    try {
      await this.writer.flush();
      await this.journal.prune(policy, this.options.clock());
    } catch (error) {
      this.options.onError?.(`journal retention failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.writer.close();
    await this.journal.close();
  }
}

function countLines(piece: string): number {
  let lines = 0;
  for (let at = piece.indexOf('\n'); at >= 0; at = piece.indexOf('\n', at + 1)) lines++;
  return lines;
}

async function* each<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}
