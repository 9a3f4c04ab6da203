import { vantageLabel } from '../../../shared/analysis';
import type { SessionRow, VantageLossBucket } from '../../../shared/api';
import type { ObservationLoss } from './monitor';

/** Sessions seen from several vantages that one fleet poll looks at, at most (the newest). */
export const MAX_LOSS_SESSIONS = 2000;

/**
 * Delivery loss by client vantage over time (issue 20): for each session seen from two or more
 * vantages — the newest `limit`, by when it was last heard from — each client observation's
 * `deliveryLoss` of what it should have had (unique sequences received + lost), in the bucket where
 * the session ended (else where it was last heard from). Taps are left out: they are the reference.
 */
export function lossByVantage(
  rows: readonly SessionRow[],
  observationsOf: (sessionId: string) => readonly ObservationLoss[],
  bucketMs: number,
  from?: number,
  to?: number,
  limit = MAX_LOSS_SESSIONS,
): VantageLossBucket[] {
  const seen: SessionRow[] = [];
  for (const row of rows) {
    if (row.observations < 2) continue;
    const at = row.terminalAt ?? row.lastAt;
    if (at === null || (from !== undefined && at < from) || (to !== undefined && at > to)) continue;
    seen.push(row);
  }
  seen.sort((a, b) => (b.lastAt ?? 0) - (a.lastAt ?? 0));
  const buckets = new Map<string, VantageLossBucket>();
  for (const row of seen.slice(0, limit)) {
    const start = Math.floor((row.terminalAt ?? row.lastAt)! / bucketMs) * bucketMs;
    for (const observation of observationsOf(row.sessionId)) {
      if (observation.tap !== undefined) continue;
      const vantage = vantageLabel(observation.source === undefined ? { connection: observation.connection } : { connection: observation.connection, source: observation.source });
      const key = `${start}\u0000${vantage}`;
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { start, vantage, sessions: 0, expected: 0, lost: 0 };
        buckets.set(key, bucket);
      }
      bucket.sessions++;
      bucket.expected += observation.uniqueSequences + observation.deliveryLoss;
      bucket.lost += observation.deliveryLoss;
    }
  }
  return [...buckets.values()].sort((a, b) => a.start - b.start || a.vantage.localeCompare(b.vantage));
}
