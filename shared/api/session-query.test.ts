/**
 * What the Live table shows of the session store's rows: filtered by status ("problems" = not
 * streaming or completed, or any anomaly), by anomaly kind and by text in the id or channel;
 * sorted newest first by default, by alarm rank for status, ties by session id. Rows by hand.
 */
import { describe, expect, it } from 'vitest';
import { sessionRow } from '../../test-support/session-rows';
import { countByStatus, DEFAULT_QUERY, isProblem, querySessions, type SessionQuery } from './session-query';

const ids = (query: Partial<SessionQuery>, rows = ROWS) => querySessions(rows, { ...DEFAULT_QUERY, ...query }).map((row) => row.sessionId);

// firstAt: b newest, then d, a, e, c; statuses and anomalies chosen per case below
const ROWS = [
  sessionRow('a', { status: 'completed', firstAt: 3_000, events: 10, interTokenMs: { p50: 5, p95: 20, p99: 30, max: 40 } }),
  sessionRow('b', { status: 'streaming', firstAt: 5_000, events: 2, channel: 'private-ai.Checkout-42' }),
  sessionRow('c', { status: 'errored', firstAt: 1_000, events: 7, interTokenMs: { p50: 5, p95: 90, p99: 95, max: 99 } }),
  sessionRow('d', { status: 'completed', firstAt: 4_000, events: 10, anomalyKinds: ['duplicate'], duplicates: 1 }),
  sessionRow('e', { status: 'stalled', firstAt: 2_000, events: 4, anomalyKinds: ['gap', 'stall'] }),
];

describe('querySessions', () => {
  it('shows every row newest first by default', () => {
    expect(ids({})).toEqual(['b', 'd', 'a', 'e', 'c']);
  });

  it('filters by one status', () => {
    expect(ids({ status: 'completed' })).toEqual(['d', 'a']);
    expect(ids({ status: 'truncated' })).toEqual([]);
  });

  it('"problems" are rows neither streaming nor completed, or with any anomaly', () => {
    expect(ids({ status: 'problems' })).toEqual(['d', 'e', 'c']);
    expect(isProblem(ROWS[0]!)).toBe(false);
    expect(isProblem(ROWS[3]!)).toBe(true);
  });

  it('filters by anomaly kind', () => {
    expect(ids({ anomaly: 'gap' })).toEqual(['e']);
    expect(ids({ anomaly: 'duplicate', status: 'completed' })).toEqual(['d']);
  });

  it('finds text in the session id or the channel, ignoring case and surrounding spaces', () => {
    expect(ids({ text: '  checkout-42 ' })).toEqual(['b']);
    expect(ids({ text: 'D' })).toEqual(['d']);
    expect(ids({ text: 'private-ai.' })).toEqual(['b', 'd', 'a', 'e', 'c']);
  });

  it('sorts by status from the most alarming, and by a counter with ties broken by session id', () => {
    expect(ids({ sort: 'status' })).toEqual(['c', 'e', 'b', 'a', 'd']);
    expect(ids({ sort: 'events' })).toEqual(['b', 'e', 'c', 'a', 'd']);
    // descending flips the order of values, not of ties: a before d either way
    expect(ids({ sort: 'events', descending: true })).toEqual(['a', 'd', 'c', 'e', 'b']);
  });

  it('ranks every status from the most alarming: errored, orphaned, abandoned, truncated, stalled, streaming, completed', () => {
    const statuses = ['completed', 'stalled', 'abandoned', 'streaming', 'errored', 'truncated', 'orphaned'] as const;
    const rows = statuses.map((status, i) => sessionRow(`s${i}`, { status }));
    expect(querySessions(rows, { ...DEFAULT_QUERY, sort: 'status' }).map((row) => row.status)).toEqual([
      'errored',
      'orphaned',
      'abandoned',
      'truncated',
      'stalled',
      'streaming',
      'completed',
    ]);
  });

  it('sorts by inter-token p95 with rows that have none below every measured one', () => {
    expect(ids({ sort: 'p95', descending: true })).toEqual(['c', 'a', 'b', 'd', 'e']);
  });

  it('puts sessions not heard from yet (no firstAt) after every dated one, newest first', () => {
    const rows = [sessionRow('x', { firstAt: null }), sessionRow('y', { firstAt: 10 }), sessionRow('z', { firstAt: 20 })];
    expect(ids({}, rows)).toEqual(['z', 'y', 'x']);
  });

  it('does not reorder the rows it was given', () => {
    const given = [...ROWS];
    querySessions(given, { ...DEFAULT_QUERY, sort: 'status' });
    expect(given.map((row) => row.sessionId)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('countByStatus', () => {
  it('counts every status, zero included', () => {
    expect(countByStatus(ROWS)).toEqual({ streaming: 1, stalled: 1, orphaned: 0, completed: 2, truncated: 0, errored: 1, abandoned: 0 });
  });
});
