import type { VerdictSummary } from '../../../shared/analysis';
import type { SessionRow } from '../../../shared/api';

const COUNTERS = ['events', 'duplicates', 'conflicts', 'replays', 'outOfOrder', 'afterTerminal', 'missing', 'stalls', 'violations', 'disconnects', 'deliveryLoss'] as const;

/**
 * The fleet summary kept up to date row by row: a changed row is taken out with its old figures
 * and put back with its new ones, so the summary costs what changed, not a pass over every
 * session (the same sums `summarize` makes of a whole verdict).
 */
export class FleetTally {
  private sessions = 0;
  private observations = 0;
  private readonly byStatus = new Map<string, number>();
  private readonly sums = new Map<(typeof COUNTERS)[number], number>(COUNTERS.map((key) => [key, 0]));

  add(row: SessionRow): void {
    this.apply(row, 1);
  }

  remove(row: SessionRow): void {
    this.apply(row, -1);
  }

  clear(): void {
    this.sessions = 0;
    this.observations = 0;
    this.byStatus.clear();
    for (const key of COUNTERS) this.sums.set(key, 0);
  }

  summary(ignoredFrames: number): VerdictSummary {
    const byStatus: VerdictSummary['byStatus'] = {};
    for (const [status, count] of this.byStatus) if (count > 0) byStatus[status as keyof VerdictSummary['byStatus']] = count;
    const sum = (key: (typeof COUNTERS)[number]) => this.sums.get(key) ?? 0;
    return {
      sessions: this.sessions,
      observations: this.observations,
      byStatus,
      events: sum('events'),
      duplicates: sum('duplicates'),
      conflicts: sum('conflicts'),
      replays: sum('replays'),
      outOfOrder: sum('outOfOrder'),
      afterTerminal: sum('afterTerminal'),
      missing: sum('missing'),
      stalls: sum('stalls'),
      violations: sum('violations'),
      disconnects: sum('disconnects'),
      deliveryLoss: sum('deliveryLoss'),
      ignoredFrames,
    };
  }

  private apply(row: SessionRow, sign: 1 | -1): void {
    this.sessions += sign;
    this.observations += sign * row.observations;
    this.byStatus.set(row.status, (this.byStatus.get(row.status) ?? 0) + sign);
    for (const key of COUNTERS) this.sums.set(key, (this.sums.get(key) ?? 0) + sign * row[key]);
  }
}
