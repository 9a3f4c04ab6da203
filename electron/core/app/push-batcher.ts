import type { ConnectionStatus, JournalHealth, PushName, PushPayload, ScenarioProgress } from '../../../shared/api';
import { realTimers, type Timers } from '../timers';
import type { Subscription } from './topics';

export type PushSend = <P extends PushName>(push: P, payload: PushPayload<P>) => void;

export interface PushBatcherOptions {
  /** Flush period: at most 1000/intervalMs messages per push name per second. */
  intervalMs?: number;
  /** What runs the flushes; default real timers (tests pass a virtual clock). */
  timers?: Timers;
}

/**
 * Coalesces main → renderer pushes for one window or bridge client (STYLE §8):
 * queues until the receiver says it is ready, then sends one batch per push
 * name per interval, however fast frames arrive. It holds the receiver's subscriptions
 * (STYLE §14): at each flush it takes their deltas, one `subscriptions.deltas` message for all.
 */
export class PushBatcher {
  private statuses = new Map<string, ConnectionStatus>();
  private progress = new Map<string, ScenarioProgress>();
  private journalHealth: JournalHealth | undefined;
  private readonly subscriptions = new Map<string, Subscription>();
  private timer: unknown;
  private isReady = false;
  private isClosed = false;
  private readonly intervalMs: number;
  private readonly timers: Timers;

  constructor(
    private readonly send: PushSend,
    options: PushBatcherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.timers = options.timers ?? realTimers;
  }

  /** The receiver has loaded and listens: start delivering (what was queued goes first). */
  ready(): void {
    if (this.isReady || this.isClosed) return;
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

  /** Gone for good (window closed, socket closed): its subscriptions are closed and no new one is taken. */
  get closed(): boolean {
    return this.isClosed;
  }

  hasSubscription(id: string): boolean {
    return this.subscriptions.has(id);
  }

  /** Its deltas go to this receiver from the next flush on. */
  addSubscription(id: string, subscription: Subscription): void {
    this.subscriptions.get(id)?.close();
    this.subscriptions.set(id, subscription);
  }

  /** Closes one subscription; false when it was not open. */
  removeSubscription(id: string): boolean {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return false;
    subscription.close();
    this.subscriptions.delete(id);
    return true;
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  setStatus(status: ConnectionStatus): void {
    this.statuses.set(status.profileId, status);
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
    if (!this.isReady) return;
    if (this.progress.size > 0) {
      const items = [...this.progress.values()];
      this.progress.clear();
      this.send('scenarios.progress', { items });
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
    if (this.subscriptions.size > 0) {
      const items: PushPayload<'subscriptions.deltas'>['items'] = [];
      for (const [id, subscription] of this.subscriptions) {
        const delta = subscription.take();
        if (delta !== undefined) items.push({ id, delta });
      }
      if (items.length > 0) this.send('subscriptions.deltas', { items });
    }
  }

  /**
   * The receiver's page is replaced (a reload): what it subscribed to goes with it, and pushes
   * queue until the new page says it is ready.
   */
  reset(): void {
    this.pause();
    this.closeSubscriptions();
  }

  close(): void {
    this.isClosed = true;
    this.pause();
    this.closeSubscriptions();
  }

  private pause(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.isReady = false;
  }

  private closeSubscriptions(): void {
    for (const subscription of this.subscriptions.values()) subscription.close();
    this.subscriptions.clear();
  }
}
