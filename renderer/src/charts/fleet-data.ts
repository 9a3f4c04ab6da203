import type { ConnectionStatus, FleetBucket, VantageLossBucket } from '../../../shared/api';
import type { SessionStatus } from '../../../shared/contract/states';
import type { ConnectionRecord } from '../../../shared/journal';

/** Fleet chart data: one row per time bucket (empty buckets included) and connection state segments. */

/** The chart's stacking order: ended sessions first, open ones on top. Every status, once (checked below). */
export const FLEET_STATUSES = ['completed', 'truncated', 'errored', 'abandoned', 'orphaned', 'stalled', 'streaming'] as const satisfies readonly SessionStatus[];
export type FleetStatus = (typeof FLEET_STATUSES)[number];
// A status added to shared/contract/states.ts and missing here fails the build.
export const EVERY_STATUS_CHARTED: [Exclude<SessionStatus, FleetStatus>] extends [never] ? true : never = true;

export interface FleetRow extends Record<FleetStatus, number> {
  start: number;
  sessions: number;
  events: number;
  /** Duplicates per 100 events received in the bucket. */
  duplicationRate: number | null;
  /** Missing sequences per 100 expected (received + missing). */
  gapRate: number | null;
  ttftP95: number | null;
  interTokenP95: number | null;
}

/**
 * Turns the host's buckets into chart rows: sorted, with the empty buckets in between filled
 * with zeros so the time axis is even and a quiet minute shows as quiet, not skipped.
 */
export function fleetRows(buckets: readonly FleetBucket[], bucketMs: number, maxRows = 720): FleetRow[] {
  if (buckets.length === 0) return [];
  const byStart = new Map<number, FleetBucket>();
  for (const bucket of buckets) byStart.set(bucket.start, bucket);
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  const last = starts[starts.length - 1] as number;
  const first = Math.max(starts[0] as number, last - (maxRows - 1) * bucketMs);
  const rows: FleetRow[] = [];
  for (let start = first; start <= last; start += bucketMs) {
    const bucket = byStart.get(start);
    const row: FleetRow = {
      start,
      sessions: bucket?.sessions ?? 0,
      events: bucket?.events ?? 0,
      duplicationRate: null,
      gapRate: null,
      ttftP95: bucket?.ttftP95 ?? null,
      interTokenP95: bucket?.interTokenP95 ?? null,
      completed: 0,
      truncated: 0,
      errored: 0,
      abandoned: 0,
      orphaned: 0,
      stalled: 0,
      streaming: 0,
    };
    if (bucket) {
      for (const status of FLEET_STATUSES) row[status] = bucket.byStatus[status] ?? 0;
      // `finished` is the contract's alias of `completed`.
      row.completed += bucket.byStatus.finished ?? 0;
      if (bucket.events > 0) row.duplicationRate = (100 * bucket.duplicates) / bucket.events;
      if (bucket.events + bucket.missing > 0) row.gapRate = (100 * bucket.missing) / (bucket.events + bucket.missing);
    }
    rows.push(row);
  }
  return rows;
}

/** Loss rate per client vantage over time: one row per bucket (empty ones included), a percentage per vantage, null where it had nothing. */
export interface VantageLossRows {
  vantages: string[];
  rows: Array<{ start: number } & Record<string, number | null>>;
}

export function vantageLossRows(buckets: readonly VantageLossBucket[], bucketMs: number, maxRows = 720): VantageLossRows {
  if (buckets.length === 0) return { vantages: [], rows: [] };
  const vantages = [...new Set(buckets.map((b) => b.vantage))].sort();
  const byStart = new Map<number, Map<string, VantageLossBucket>>();
  for (const bucket of buckets) {
    const at = byStart.get(bucket.start) ?? new Map<string, VantageLossBucket>();
    at.set(bucket.vantage, bucket);
    byStart.set(bucket.start, at);
  }
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  const last = starts[starts.length - 1] as number;
  const first = Math.max(starts[0] as number, last - (maxRows - 1) * bucketMs);
  const rows: VantageLossRows['rows'] = [];
  for (let start = first; start <= last; start += bucketMs) {
    const row: { start: number } & Record<string, number | null> = { start };
    for (const vantage of vantages) {
      const bucket = byStart.get(start)?.get(vantage);
      row[vantage] = bucket === undefined || bucket.expected === 0 ? null : (100 * bucket.lost) / bucket.expected;
    }
    rows.push(row);
  }
  return { vantages, rows };
}

/** Sessions counted in the rows, by status (should equal the buckets' totals). */
export function statusTotals(rows: readonly FleetRow[]): Record<FleetStatus, number> {
  const totals = Object.fromEntries(FLEET_STATUSES.map((s) => [s, 0])) as Record<FleetStatus, number>;
  for (const row of rows) for (const status of FLEET_STATUSES) totals[status] += row[status];
  return totals;
}

export interface ConnectionSegment {
  state: string;
  from: number;
  to: number;
  code?: number;
  reason?: string;
}

/**
 * Connection state over time per connection, from the journal's connection records (in arrival
 * order) up to `now`; a connection known only from its current status gets one segment from `since`.
 */
export function connectionSegments(records: readonly ConnectionRecord[], statuses: readonly ConnectionStatus[], now: number): Map<string, ConnectionSegment[]> {
  const out = new Map<string, ConnectionSegment[]>();
  for (const record of records) {
    const list = out.get(record.connection) ?? [];
    const open = list[list.length - 1];
    if (open && open.state === record.state) continue;
    if (open) open.to = record.at;
    const segment: ConnectionSegment = { state: record.state, from: record.at, to: now };
    if (record.code !== undefined) segment.code = record.code;
    if (record.reason !== undefined) segment.reason = record.reason;
    list.push(segment);
    out.set(record.connection, list);
  }
  for (const status of statuses) {
    if (out.has(status.profileId)) continue;
    const segment: ConnectionSegment = { state: status.state, from: status.since, to: now };
    if (status.lastError) segment.reason = status.lastError.message;
    out.set(status.profileId, [segment]);
  }
  return out;
}
