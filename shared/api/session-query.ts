import { z } from 'zod';
import { AnomalyKindSchema, SessionStatusSchema, type SessionRow } from './monitor';

/**
 * Filtering and sorting of the Live table: pure, so thousands of rows are one array pass. The host
 * runs it for the `live` topic (the table's visible window); the Journal view over its own list.
 */

export const SORT_KEYS = ['sessionId', 'status', 'code', 'events', 'duplicates', 'replays', 'missing', 'outOfOrder', 'afterTerminal', 'p95', 'age'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const SessionQuerySchema = z
  .object({
    /** `all` = every status; `problems` = anything not streaming or completed, or with anomalies. */
    status: z.union([SessionStatusSchema, z.enum(['all', 'problems'])]),
    anomaly: z.union([AnomalyKindSchema, z.literal('any')]),
    text: z.string().max(200),
    sort: z.enum(SORT_KEYS),
    descending: z.boolean(),
  })
  .strict();
export type SessionQuery = z.infer<typeof SessionQuerySchema>;

export const DEFAULT_QUERY: SessionQuery = { status: 'all', anomaly: 'any', text: '', sort: 'age', descending: false };

/** Status order when sorting by status: the most alarming first. */
const STATUS_RANK: Record<SessionRow['status'], number> = { errored: 0, orphaned: 1, abandoned: 2, truncated: 3, stalled: 4, streaming: 5, completed: 6 };

function sortValue(row: SessionRow, key: SortKey): number | string {
  switch (key) {
    case 'sessionId':
      return row.sessionId;
    case 'status':
      return STATUS_RANK[row.status];
    case 'code':
      // Sessions without a terminal event first (ascending): the ones that never said how they ended.
      return row.terminalAt === null ? '' : (row.terminationCode ?? '\u0000');
    case 'p95':
      return row.interTokenMs?.p95 ?? -1;
    case 'age':
      // Younger first when ascending: newest sessions on top by default.
      return -(row.firstAt ?? 0);
    default:
      return row[key];
  }
}

export function isProblem(row: SessionRow): boolean {
  return (row.status !== 'streaming' && row.status !== 'completed') || row.anomalyKinds.length > 0;
}

export function querySessions(rows: readonly SessionRow[], query: SessionQuery): SessionRow[] {
  const text = query.text.trim().toLowerCase();
  const out = rows.filter(
    (row) =>
      (query.status === 'all' || (query.status === 'problems' ? isProblem(row) : row.status === query.status)) &&
      (query.anomaly === 'any' || row.anomalyKinds.includes(query.anomaly)) &&
      (text === '' || row.sessionId.toLowerCase().includes(text) || row.channel.toLowerCase().includes(text)),
  );
  const direction = query.descending ? -1 : 1;
  out.sort((a, b) => {
    const va = sortValue(a, query.sort);
    const vb = sortValue(b, query.sort);
    if (va < vb) return -direction;
    if (va > vb) return direction;
    return a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0;
  });
  return out;
}

export function countByStatus(rows: readonly SessionRow[]): Record<SessionRow['status'], number> {
  const counts: Record<SessionRow['status'], number> = { streaming: 0, stalled: 0, orphaned: 0, completed: 0, truncated: 0, errored: 0, abandoned: 0 };
  for (const row of rows) counts[row.status]++;
  return counts;
}
