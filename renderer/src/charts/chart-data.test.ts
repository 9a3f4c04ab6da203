import { describe, expect, it } from 'vitest';
import type { FleetBucket } from '../../../shared/api';
import type { ConnectionRecord } from '../../../shared/journal';
import { connectionSegments, fleetRows, statusTotals } from './fleet-data';

// Timeline, latency and text preparation moved to the host: their tests are in shared/analysis/timeline/timeline.test.ts.

describe('fleet buckets', () => {
  const bucket = (start: number, byStatus: Record<string, number>, events = 100, duplicates = 0, missing = 0): FleetBucket => ({
    start,
    byStatus,
    sessions: Object.values(byStatus).reduce((a, b) => a + b, 0),
    events,
    duplicates,
    missing,
    ttftP95: null,
    interTokenP95: 20,
  });

  it('fills empty buckets and keeps every session count', () => {
    const buckets = [bucket(30_000, { truncated: 1, completed: 2 }, 200, 10, 5), bucket(0, { completed: 3, errored: 1 }), bucket(10_000, { finished: 1, orphaned: 2 })];
    const rows = fleetRows(buckets, 10_000);
    expect(rows.map((r) => r.start)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(rows[2]!.events).toBe(0);
    expect(rows[2]!.duplicationRate).toBeNull();
    expect(statusTotals(rows)).toEqual({ completed: 6, truncated: 1, errored: 1, abandoned: 0, orphaned: 2, stalled: 0, streaming: 0 });
    expect(rows[3]!.duplicationRate).toBeCloseTo(5);
    expect(rows[3]!.gapRate).toBeCloseTo((100 * 5) / 205);
  });

  it('splits connection records into state segments', () => {
    const record = (at: number, state: ConnectionRecord['state'], code?: number): ConnectionRecord => ({
      type: 'connection',
      at,
      connection: 'demo',
      state,
      ...(code ? { code } : {}),
    });
    const segments = connectionSegments([record(0, 'connecting'), record(10, 'connected'), record(50, 'unavailable', 4201), record(60, 'connected')], [], 100);
    expect(segments.get('demo')!.map((s) => [s.state, s.from, s.to, s.code])).toEqual([
      ['connecting', 0, 10, undefined],
      ['connected', 10, 50, undefined],
      ['unavailable', 50, 60, 4201],
      ['connected', 60, 100, undefined],
    ]);
  });
});
