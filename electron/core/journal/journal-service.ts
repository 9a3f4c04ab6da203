import type { Retention } from '../../../shared/api';
import { serializeJournal, type FrameRecord, type Journal, type JournalRecord } from '../../../shared/journal';
import type { JournalPort } from '../app';
import type { Clock } from '../clock';
import { JournalWriter } from './journal-writer';

export interface JournalServiceOptions {
  /** Shown in the UI: the file path, or "IndexedDB (journal window)". */
  location: string;
  retention?: Retention;
  clock: Clock;
  /** How often retention runs. */
  pruneEveryMs?: number;
  onError?: (message: string) => void;
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
    this.writer = new JournalWriter(journal);
    this.writer.onError((error) => options.onError?.(`journal write failed (will retry): ${error.message}`));
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.timer = setInterval(() => void this.prune(), options.pruneEveryMs ?? 60_000);
    this.timer.unref?.();
  }

  append(record: JournalRecord, wireText?: string): void {
    this.writer.add(record, wireText);
  }

  async stats() {
    const stats = await this.journal.stats();
    return { records: stats.records, bytes: stats.bytes, oldestAt: stats.oldestAt, newestAt: stats.newestAt, retention: { ...this.retention }, location: this.options.location };
  }

  async setRetention(update: Partial<Retention>): Promise<Retention> {
    this.retention = { ...this.retention, ...update };
    await this.prune();
    return { ...this.retention };
  }

  async exportNdjson(filter: { sessionId?: string; from?: number; to?: number }): Promise<{ ndjson: string; records: number }> {
    await this.writer.flush();
    const createdAt = new Date(this.options.clock()).toISOString();
    if (filter.sessionId === undefined && filter.from === undefined && filter.to === undefined) {
      const pieces: string[] = [];
      for await (const piece of this.journal.exportNdjson(createdAt)) pieces.push(piece);
      const ndjson = pieces.join('');
      return { ndjson, records: Math.max(0, ndjson.split('\n').filter(Boolean).length - 1) };
    }
    const records = await this.journal.query({
      ...(filter.sessionId === undefined ? {} : { sessionKey: filter.sessionId }),
      ...(filter.from === undefined ? {} : { from: filter.from }),
      ...(filter.to === undefined ? {} : { to: filter.to }),
    });
    return { ndjson: serializeJournal(records, createdAt), records: records.length };
  }

  /** A session's frames, oldest first (flushes pending writes so the newest are included). */
  async sessionEvents(sessionId: string, limit: number): Promise<FrameRecord[]> {
    await this.writer.flush();
    const records = await this.journal.query({ sessionKey: sessionId, limit: limit * 2 });
    return records.filter((record): record is FrameRecord => record.type === 'frame').slice(0, limit);
  }

  /** The most recent records (for re-analysis at start-up), oldest first. */
  async recent(windowMs: number, limit: number): Promise<JournalRecord[]> {
    const stats = await this.journal.stats();
    if (stats.newestAt === null) return [];
    return this.journal.query({ from: stats.newestAt - windowMs, limit });
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
