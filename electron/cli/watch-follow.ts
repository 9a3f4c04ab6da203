import type { AnalyzerOptions } from '../../shared/analysis';
import type { Profile, ReconcileResult } from '../../shared/api';
import type { JournalRecord } from '../../shared/journal';
import type { ConnectionHub } from '../core/hub';
import { Monitor, RecordFollower } from '../core/monitor';

export interface WatchReconciliation {
  sessionId: string;
  result: ReconcileResult;
}

/**
 * What `watch` follows beyond its verdicts, with the monitor the desktop app uses: sessions that
 * end (so discovery can let their channels go) and, with `--reconcile`, the app's record of each
 * ended session, compared again as it changes. Runs only when one of them is asked for.
 */
export class WatchFollow {
  private readonly monitor: Monitor;
  private readonly follower: RecordFollower | undefined;

  static needed(profile: Profile): boolean {
    return profile.reconcile !== undefined || profile.discover?.leave === true;
  }

  constructor(hub: ConnectionHub, profile: Profile, analyzer: AnalyzerOptions) {
    this.monitor = new Monitor({ analyzer });
    const target = profile.reconcile;
    this.follower = target
      ? new RecordFollower({
          target: () => target,
          detail: (sessionId) => this.monitor.detail(sessionId),
          result: (sessionId, result) => this.monitor.recordReconcile(sessionId, result),
        })
      : undefined;
    this.monitor.onUpdate((update) => this.follower?.rowsChanged(update.items));
    this.monitor.onSessionEnd((sessionId, row) => {
      this.follower?.ended(sessionId, row);
      hub.sessionEnded(profile.id, row.channel);
    });
    this.monitor.start();
  }

  ingest(record: JournalRecord): void {
    this.monitor.ingest(record);
  }

  /** Stops following: the last tick's endings, every pending comparison run now; the reconciliations, by session. */
  async finish(): Promise<WatchReconciliation[]> {
    this.monitor.tick();
    this.monitor.stop();
    if (!this.follower) return [];
    await this.follower.flush();
    const rows = this.monitor.list({ limit: 50_000 }).rows;
    // Sessions never compared (no terminal came, not yet silent long enough): once now, at the end.
    const follower = this.follower;
    await Promise.all(rows.filter((row) => follower.latest(row.sessionId) === undefined).map((row) => follower.check(row.sessionId, 'end')));
    const results: WatchReconciliation[] = [];
    for (const row of rows) {
      const result = this.follower.latest(row.sessionId);
      if (result) results.push({ sessionId: row.sessionId, result });
    }
    this.follower.close();
    return results;
  }
}

/** The reconciliations as `watch` prints them under its table. */
export function formatReconciliations(results: WatchReconciliation[]): string {
  if (results.length === 0) return '';
  const lines = ['', 'Reconciliation with the app record:'];
  for (const { sessionId, result } of results) {
    const checks = result.history?.length ?? 1;
    const head = result.error ? `error: ${result.error}` : result.ok ? 'matches' : `${result.mismatches.length} mismatch(es)`;
    lines.push(`  ${sessionId}: ${head} (${checks} check${checks === 1 ? '' : 's'}${result.recordVersion ? `, record ${result.recordVersion}` : ''})`);
    for (const mismatch of result.mismatches) lines.push(`    ✕ ${mismatch.field}: ${mismatch.detail}`);
    for (const resolved of result.resolved ?? []) lines.push(`    ✓ resolved ${resolved.field}: ${resolved.detail}`);
  }
  return lines.join('\n');
}
