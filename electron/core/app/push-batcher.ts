import type { ConnectionStatus, JournalHealth, PushName, PushPayload, ScenarioProgress, SessionRow } from '../../../shared/api';
import type { JournalRecord } from '../../../shared/journal';
import { realTimers, type Timers } from '../timers';

export type PushSend = <P extends PushName>(push: P, payload: PushPayload<P>) => void;

export interface PushBatcherOptions {
  /** Flush period: at most 1000/intervalMs messages per push name per second. */
  intervalMs?: number;
  /** Records kept per flush; beyond it the oldest are dropped and counted (the journal still has them). */
  maxRecords?: number;
  /** What runs the flushes; default real timers (tests pass a virtual clock). */
  timers?: Timers;
}

/**
 * Coalesces main → renderer pushes for one window or bridge client (STYLE §8):
 * queues until the receiver says it is ready, then sends one batch per push
 * name per interval, however fast frames arrive.
 */
export class PushBatcher {
  private records: JournalRecord[] = [];
  private dropped = 0;
  private statuses = new Map<string, ConnectionStatus>();
  private sessions = new Map<string, SessionRow>();
  private progress = new Map<string, ScenarioProgress>();
  private sessionSummary: PushPayload<'sessions.updated'>['summary'] | undefined;
  private journalHealth: JournalHealth | undefined;
  private timer: unknown;
  private isReady = false;
  private readonly intervalMs: number;
  private readonly maxRecords: number;
  private readonly timers: Timers;

  constructor(
    private readonly send: PushSend,
    options: PushBatcherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.maxRecords = options.maxRecords ?? 5000;
    this.timers = options.timers ?? realTimers;
  }

  /** The receiver has loaded and listens: start delivering (what was queued goes first). */
  ready(): void {
    if (this.isReady) return;
    this.isReady = true;
    this.flush();
    const next = (): void => {
      this.timer = this.timers.setTimeout(() => {
        next();
        this.flush();
      }, this.intervalMs);
    };
    next();
  }

  addRecord(record: JournalRecord): void {
    this.records.push(record);
    if (this.records.length > this.maxRecords * 2) this.trim();
  }

  setStatus(status: ConnectionStatus): void {
    this.statuses.set(status.profileId, status);
  }

  /** Latest row per session wins: a renderer that was busy gets the current state, not the history. */
  setSessions(update: PushPayload<'sessions.updated'>): void {
    for (const row of update.items) this.sessions.set(row.sessionId, row);
    this.sessionSummary = update.summary;
  }

  /** The journal thread's latest health. */
  setJournalHealth(health: JournalHealth): void {
    this.journalHealth = health;
  }

  /** Latest progress per scenario run. */
  setProgress(progress: ScenarioProgress): void {
    this.progress.set(progress.runId, progress);
  }

  flush(): void {
    if (!this.isReady) {
      this.trim();
      return;
    }
    if (this.progress.size > 0) {
      const items = [...this.progress.values()];
      this.progress.clear();
      this.send('scenarios.progress', { items });
    }
    if (this.sessionSummary) {
      const items = [...this.sessions.values()];
      const summary = this.sessionSummary;
      this.sessions.clear();
      this.sessionSummary = undefined;
      this.send('sessions.updated', { items, summary });
    }
    if (this.journalHealth) {
      const health = this.journalHealth;
      this.journalHealth = undefined;
      this.send('journal.health', health);
    }
    if (this.statuses.size > 0) {
      const items = [...this.statuses.values()];
      this.statuses.clear();
      this.send('connections.status', { items });
    }
    if (this.records.length > 0) {
      this.trim();
      const items = this.records;
      const dropped = this.dropped;
      this.records = [];
      this.dropped = 0;
      this.send('journal.records', { items, dropped });
    }
  }

  close(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.isReady = false;
  }

  private trim(): void {
    const excess = this.records.length - this.maxRecords;
    if (excess > 0) {
      this.records = this.records.slice(excess);
      this.dropped += excess;
    }
  }
}
