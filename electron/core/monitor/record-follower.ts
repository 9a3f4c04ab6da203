import { followRecord, type ReconcileTrigger } from '../../../shared/analysis';
import type { ReconcileResult, SessionDetail, SessionRow } from '../../../shared/api';
import { preciseNow, type Clock } from '../clock';
import { realTimers, type Timers } from '../timers';
import { reconcileSession, type ReconcileTarget } from './reconciler';

/** What the follower needs around it: where a session's record is, what was received, where results go. */
export interface RecordFollowerPorts {
  /** The reconciliation settings of a session's profile; undefined when it does not reconcile. */
  target(sessionId: string): ReconcileTarget | undefined;
  detail(sessionId: string): Pick<SessionDetail, 'row' | 'text'> | undefined;
  /** Every folded result (the monitor's `recordReconcile`). */
  result(sessionId: string, result: ReconcileResult): void;
}

export interface RecordFollowerOptions {
  clock?: Clock;
  timers?: Timers;
  fetch?: typeof fetch;
  /** Default settle window when the target names none. */
  settleMs?: number;
  /**
   * Settle checks after the first one, while the record keeps changing between them (a retry
   * or a `failed()` hook rewriting it after the stream went quiet).
   */
  maxFollowUps?: number;
}

export const DEFAULT_SETTLE_MS = 5000;

interface Followed {
  /** Past its first terminal: its activity is followed. */
  ended: boolean;
  /** Compared once when it went silent (orphaned) without ever ending. */
  silent: boolean;
  /** What of the row counts as activity after the first terminal. */
  signature: string;
  terminals: number;
  settleTimer: unknown;
  followUps: number;
  running: Promise<ReconcileResult | undefined> | undefined;
  /** A trigger that came while a check ran: one more check once it is done. */
  again: ReconcileTrigger | undefined;
  result: ReconcileResult | undefined;
}

function activity(row: Pick<SessionRow, 'terminalStates' | 'afterTerminal' | 'events'>): string {
  return `${row.terminalStates.join(',')}|${row.afterTerminal}|${row.events}`;
}

/**
 * Reconciliation follows the record: a session is compared with the app's generation record at
 * its first terminal, again after every later terminal or after-terminal activity (seen in the
 * monitor's pushed rows), once it has been quiet for the settle window — and again after that
 * while the record still changes from one settle check to the next — after a reconnect, and on
 * demand. Each result is folded into the session's history (shared/analysis `followRecord`), so
 * a mismatch a later check no longer finds is shown as resolved.
 */
export class RecordFollower {
  private readonly sessions = new Map<string, Followed>();
  private readonly clock: Clock;
  private readonly timers: Timers;
  private closed = false;

  constructor(
    private readonly ports: RecordFollowerPorts,
    private readonly options: RecordFollowerOptions = {},
  ) {
    this.clock = options.clock ?? preciseNow;
    this.timers = options.timers ?? realTimers;
  }

  /** The session reached its first terminal. */
  ended(sessionId: string, row: SessionRow): void {
    if (this.closed || !this.ports.target(sessionId)) return;
    const followed = this.follow(sessionId);
    followed.ended = true;
    followed.signature = activity(row);
    followed.terminals = row.terminalStates.length;
    void this.check(sessionId, 'terminal');
    this.settleLater(sessionId, followed);
  }

  /**
   * Rows the monitor pushed: after the first terminal, a change of terminals, after-terminal
   * events or events is activity. A session that goes silent (orphaned) without ever ending is
   * compared once then: the record says whether the job died (a `failed()` hook) or still runs.
   */
  rowsChanged(rows: readonly SessionRow[]): void {
    if (this.closed) return;
    for (const row of rows) {
      const followed = this.sessions.get(row.sessionId);
      if (!followed?.ended) {
        if (row.status === 'orphaned' && followed?.silent !== true && this.ports.target(row.sessionId)) {
          this.follow(row.sessionId).silent = true;
          void this.check(row.sessionId, 'silent');
        }
        continue;
      }
      const signature = activity(row);
      if (signature === followed.signature) continue;
      followed.signature = signature;
      const newTerminal = row.terminalStates.length > followed.terminals;
      followed.terminals = row.terminalStates.length;
      followed.followUps = 0;
      void this.check(row.sessionId, newTerminal ? 'terminal' : 'activity');
      this.settleLater(row.sessionId, followed);
    }
  }

  /**
   * Compares now (a reconnect, the App API's `sessions.reconcile`, the end of a watch). Undefined when the session's profile does not reconcile.
   * A record that cannot be fetched or read is a result with `error`, not a rejection: callers may `void` it.
   */
  check(sessionId: string, trigger: ReconcileTrigger): Promise<ReconcileResult | undefined> {
    if (this.closed || !this.ports.target(sessionId)) return Promise.resolve(undefined);
    const followed = this.follow(sessionId);
    if (followed.running) {
      // The running check's loop takes it: one more comparison once the current one is done.
      followed.again = trigger;
      return followed.running;
    }
    followed.running = this.run(sessionId, followed, trigger);
    return followed.running;
  }

  /** The latest folded result of a session. */
  latest(sessionId: string): ReconcileResult | undefined {
    return this.sessions.get(sessionId)?.result;
  }

  /** Runs every pending settle check now and waits for all checks (a watch that ends). */
  async flush(): Promise<void> {
    const pending: Array<Promise<unknown>> = [];
    for (const [sessionId, followed] of this.sessions) {
      if (followed.settleTimer !== undefined) {
        this.timers.clearTimeout(followed.settleTimer);
        followed.settleTimer = undefined;
        pending.push(this.check(sessionId, 'end'));
      } else if (followed.running) pending.push(followed.running);
    }
    await Promise.all(pending);
  }

  close(): void {
    this.closed = true;
    for (const followed of this.sessions.values()) if (followed.settleTimer !== undefined) this.timers.clearTimeout(followed.settleTimer);
    this.sessions.clear();
  }

  private follow(sessionId: string): Followed {
    let followed = this.sessions.get(sessionId);
    if (!followed) {
      followed = { ended: false, silent: false, signature: '', terminals: 0, settleTimer: undefined, followUps: 0, running: undefined, again: undefined, result: undefined };
      this.sessions.set(sessionId, followed);
    }
    return followed;
  }

  private settleMs(sessionId: string): number {
    return this.ports.target(sessionId)?.settleMs ?? this.options.settleMs ?? DEFAULT_SETTLE_MS;
  }

  private settleLater(sessionId: string, followed: Followed): void {
    if (followed.settleTimer !== undefined) this.timers.clearTimeout(followed.settleTimer);
    followed.settleTimer = this.timers.setTimeout(() => {
      followed.settleTimer = undefined;
      const before = followed.result?.recordVersion;
      void this.check(sessionId, 'settled').then((result) => {
        // The record still moved since the check before: it is being rewritten (a retry, a failed() hook). Look again.
        if (this.closed || !result || result.error !== undefined || result.recordVersion === before) return;
        if (followed.followUps >= (this.options.maxFollowUps ?? 5) || followed.settleTimer !== undefined) return;
        followed.followUps += 1;
        this.settleLater(sessionId, followed);
      });
    }, this.settleMs(sessionId));
  }

  private async run(sessionId: string, followed: Followed, trigger: ReconcileTrigger): Promise<ReconcileResult | undefined> {
    let next: ReconcileTrigger | undefined = trigger;
    let result: ReconcileResult | undefined;
    try {
      while (next !== undefined && !this.closed) {
        followed.again = undefined;
        const target = this.ports.target(sessionId);
        const detail = this.ports.detail(sessionId);
        if (!target || !detail) break;
        // reconcileSession answers every failure of the record as a result: the loop does not reject on one.
        const checked = await reconcileSession(target, sessionId, detail, this.clock, this.options.fetch ?? fetch, next);
        if (this.closed) break;
        result = followRecord(followed.result, checked);
        followed.result = result;
        this.ports.result(sessionId, result);
        next = followed.again;
      }
    } finally {
      // Even a throwing port must not leave the session "running" for good: later checks would wait on it.
      followed.running = undefined;
    }
    return result;
  }
}
