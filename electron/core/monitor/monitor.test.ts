import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../shared/journal';
import { ContractProfileSchema } from '../../../shared/contract';
import { Monitor, recordTime } from './monitor';
import { VirtualClock } from '../../../test-support/virtual-clock';

const chunk = (at: number, session: string, sequence: number, state = 'generating', code: string | null = null): JournalRecord => ({
  type: 'frame',
  at,
  connection: 'c1',
  channel: `private-ai.${session}`,
  event: 'chunk.delivered',
  data: { session_id: session, chunk: state === 'generating' ? `t${sequence}` : '', sequence, state, termination_code: code },
});

const STALL_MS = 1000;
const ORPHAN_MS = 5000;
const REORDER_MS = 2000;
const TICK_MS = 500;

/** A monitor on the shared virtual clock: its `Clock` and its tick timer are the same clock. */
function monitorAt(start: number) {
  const clock = new VirtualClock(start);
  const monitor = new Monitor({ clock: clock.now, timers: clock, tickMs: TICK_MS, analyzer: { stallAfterMs: STALL_MS, orphanAfterMs: ORPHAN_MS, reorderWindowMs: REORDER_MS } });
  return { monitor, clock, advance: (ms: number) => clock.advance(ms), set: (t: number) => clock.advanceTo(t) };
}

describe('Monitor', () => {
  it('reports only changed rows per tick, and runs the stall clock live', () => {
    const { monitor, set } = monitorAt(0);
    const updates: number[] = [];
    monitor.onUpdate((u) => updates.push(u.items.length));
    monitor.ingest(chunk(10, 'a', 1));
    monitor.ingest(chunk(20, 'b', 1));
    set(30);
    expect(
      monitor
        .tick()
        .map((r) => r.sessionId)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(monitor.tick()).toEqual([]);
    monitor.ingest(chunk(40, 'a', 2));
    set(50);
    expect(monitor.tick().map((r) => r.sessionId)).toEqual(['a']);
    set(1100); // b silent for 1080 ms ≥ stallAfterMs
    const stalled = monitor.tick();
    expect(stalled.find((r) => r.sessionId === 'b')).toMatchObject({ status: 'stalled', anomalyKinds: ['stall'] });
    monitor.ingest(chunk(1150, 'b', 2));
    set(1160);
    expect(monitor.tick().find((r) => r.sessionId === 'b')?.status).toBe('streaming');
    // a, b; a; a and b stalled (silent 1060 and 1080 ms); b streaming again. A tick with nothing changed pushes nothing.
    expect(updates).toEqual([2, 1, 2, 1]);
  });

  it('filters sessions by status, anomaly, text and time', () => {
    const { monitor, set } = monitorAt(0);
    for (const r of [chunk(1, 'ok', 1), chunk(2, 'ok', 2, 'completed', 'end_turn'), chunk(3, 'dup', 1), chunk(4, 'dup', 1), chunk(500, 'late', 1)]) monitor.ingest(r);
    set(600);
    expect(monitor.list({ status: ['completed'] }).rows.map((r) => r.sessionId)).toEqual(['ok']);
    expect(monitor.list({ anomaly: 'duplicate' }).rows.map((r) => r.sessionId)).toEqual(['dup']);
    expect(monitor.list({ text: 'lat' }).rows.map((r) => r.sessionId)).toEqual(['late']);
    expect(monitor.list({ from: 100 }).rows.map((r) => r.sessionId)).toEqual(['late']);
    expect(monitor.list({ limit: 1 })).toMatchObject({ total: 3, rows: [expect.anything()] });
  });

  it('gives one session in detail with texts, and its events', () => {
    const { monitor } = monitorAt(100);
    for (const r of [chunk(1, 's', 1), chunk(2, 's', 2), chunk(3, 's', 1), chunk(4, 's', 2), chunk(5, 's', 3, 'completed', 'end_turn')]) monitor.ingest(r);
    const detail = monitor.detail('s')!;
    expect(detail.text).toBe('t1t2');
    expect(detail.naiveText).toBe('t1t2t1t2');
    expect(detail.row).toMatchObject({ replays: 1, duplicates: 2, status: 'completed', firstAt: 1, terminalAt: 5 });
    expect(monitor.recentEvents('s', 3).map((r) => (r.data as { sequence: number }).sequence)).toEqual([1, 2, 3]);
    expect(monitor.detail('nope')).toBeUndefined();
  });

  it('buckets the fleet by when sessions ended', () => {
    const { monitor } = monitorAt(100_000);
    for (const r of [
      chunk(1000, 'a', 1),
      chunk(1500, 'a', 2, 'completed', 'end_turn'),
      chunk(2000, 'b', 1),
      chunk(12_500, 'b', 2, 'truncated', 'max_tokens'),
      chunk(12_600, 'c', 1),
      chunk(12_700, 'c', 2, 'completed', 'end_turn'),
    ])
      monitor.ingest(r);
    const buckets = monitor.fleet(10_000);
    expect(buckets.map((b) => [b.start, b.byStatus])).toEqual([
      [0, { completed: 1 }],
      [10_000, { truncated: 1, completed: 1 }],
    ]);
  });

  it('re-analyzes what it saw when thresholds change', () => {
    const { monitor, set } = monitorAt(0);
    monitor.ingest(chunk(0, 'q', 1));
    set(3000);
    expect(monitor.list().rows[0]?.status).toBe('stalled');
    monitor.updateSettings({ stallAfterMs: 10_000 });
    expect(monitor.list().rows[0]?.status).toBe('streaming');
    expect(monitor.settings()).toMatchObject({ stallAfterMs: 10_000, orphanAfterMs: 5000 });
  });

  it('announces each session end once', () => {
    const { monitor } = monitorAt(10);
    const ended: string[] = [];
    monitor.onSessionEnd((id) => ended.push(id));
    monitor.ingest(chunk(1, 'e', 1, 'errored', 'exception'));
    monitor.tick();
    monitor.tick();
    expect(ended).toEqual(['e']);
  });
});

describe('Monitor deadlines on the virtual clock', () => {
  const statusOf = (monitor: Monitor, id: string) => monitor.list().rows.find((r) => r.sessionId === id)?.status;

  it('a session is stalled exactly stallAfterMs after its last frame, and orphaned exactly orphanAfterMs after it', () => {
    const { monitor, set } = monitorAt(0);
    monitor.ingest(chunk(100, 'a', 1));
    set(100 + STALL_MS - 1);
    expect(statusOf(monitor, 'a')).toBe('streaming');
    set(100 + STALL_MS);
    expect(statusOf(monitor, 'a')).toBe('stalled');
    expect(monitor.detail('a')!.row.anomalyKinds).toEqual(['stall']);
    set(100 + ORPHAN_MS - 1);
    expect(statusOf(monitor, 'a')).toBe('stalled');
    set(100 + ORPHAN_MS);
    expect(statusOf(monitor, 'a')).toBe('orphaned');
  });

  it('a hole is held for the reorder window from when it showed, then counted missing', () => {
    const { monitor, set } = monitorAt(0);
    monitor.ingest(chunk(10, 'r', 1));
    monitor.ingest(chunk(20, 'r', 3)); // sequence 2 missing from here
    set(20 + REORDER_MS - 1);
    expect(monitor.list().rows[0]).toMatchObject({ missing: 0 });
    set(20 + REORDER_MS);
    expect(monitor.list().rows[0]).toMatchObject({ missing: 1 });
    // Arriving late, within the window, it is out of order, not missing.
    const other = monitorAt(0);
    other.monitor.ingest(chunk(10, 'r', 1));
    other.monitor.ingest(chunk(20, 'r', 3));
    other.monitor.ingest(chunk(20 + REORDER_MS - 1, 'r', 2));
    other.set(20 + 10 * REORDER_MS);
    expect(other.monitor.list().rows[0]).toMatchObject({ missing: 0, outOfOrder: 1 });
  });

  it('once started, pushes the stall on the first tick at or after the deadline, and stops ticking when stopped', () => {
    const { monitor, clock, set } = monitorAt(0);
    const pushes: Array<[number, string | undefined]> = [];
    monitor.onUpdate((u) => {
      for (const row of u.items) pushes.push([clock.now(), row.status]);
    });
    monitor.start();
    monitor.ingest(chunk(100, 'a', 1));
    set(100 + STALL_MS + 2 * TICK_MS);
    // Ticks at 500, 1000, 1500, 2000: the row first at 500, the stall (due at 1100) at 1500.
    expect(pushes).toEqual([
      [TICK_MS, 'streaming'],
      [3 * TICK_MS, 'stalled'],
    ]);
    monitor.stop();
    expect(clock.pending).toBe(0);
    set(100 + ORPHAN_MS + TICK_MS);
    expect(pushes).toHaveLength(2);
  });
});

describe('Monitor contract profile', () => {
  it('re-analyzes what it saw with a user profile mapping other names', () => {
    const monitor = new Monitor({ clock: () => 10 });
    const legacy = (at: number, sequence: number, state: string): JournalRecord => ({
      type: 'frame',
      at,
      connection: 'c',
      channel: 'gen.L1',
      event: 'token.streamed',
      data: { id: 'L1', text: `t${sequence}`, seq: sequence, status: state, code: state === 'done' ? 'end_turn' : null },
    });
    for (const record of [legacy(1, 1, 'generating'), legacy(2, 2, 'generating'), legacy(3, 2, 'generating'), legacy(4, 3, 'done')]) monitor.ingest(record);
    expect(monitor.list().total).toBe(0); // not the default contract: ignored
    monitor.updateProfile(
      ContractProfileSchema.parse({
        name: 'legacy',
        event: 'token.streamed',
        channel: 'gen.{id}',
        fields: { sessionId: 'id', chunk: 'text', sequence: 'seq', state: 'status', terminationCode: 'code' },
        states: { generating: 'generating', done: 'completed' },
      }),
    );
    expect(monitor.list().rows).toMatchObject([{ sessionId: 'L1', status: 'completed', duplicates: 1, events: 4 }]);
    expect(monitor.detail('L1')?.text).toBe('t1t2t3');
  });
});

describe('Monitor: observations and known starts', () => {
  const on = (connection: string, record: JournalRecord): JournalRecord => ({ ...record, connection });

  it('one row per session, however many connections saw it; the row counts them', () => {
    const { monitor, set } = monitorAt(0);
    for (const c of ['c1', 'c2']) {
      monitor.ingest({ type: 'subscription', at: 0, connection: c, channel: 'private-ai.a', status: 'subscribed' });
      for (let s = 1; s <= 3; s++) monitor.ingest(on(c, chunk(10 * s + (c === 'c2' ? 1 : 0), 'a', s)));
      monitor.ingest(on(c, chunk(40, 'a', 4, 'completed', 'end_turn')));
    }
    set(100);
    const rows = monitor.tick();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sessionId: 'a', observations: 2, duplicates: 0, afterTerminal: 0, status: 'completed' });
    expect(monitor.summary()).toMatchObject({ sessions: 1, observations: 2, duplicates: 0 });
    // each observation with its own times (c2 got everything 1 ms later; both got the terminal at 40)
    expect(monitor.detail('a')!.observations.map((o) => [o.connection, o.firstAt, o.terminalAt])).toEqual([
      ['c1', 10, 40],
      ['c2', 11, 40],
    ]);
  });

  it('the record’s initiated_at is a known start: TTFT from it, said to come from the record', () => {
    const { monitor } = monitorAt(0);
    const T = Date.parse('2026-12-02T10:00:00.000Z');
    monitor.ingest({ type: 'subscription', at: T - 5000, connection: 'c1', channel: 'private-ai.a', status: 'subscribed' });
    monitor.ingest(chunk(T + 800, 'a', 1));
    monitor.ingest(chunk(T + 900, 'a', 2, 'completed', 'end_turn'));
    expect(monitor.detail('a')!.row).toMatchObject({ ttftMs: null, ttftNote: 'no_known_start' });
    monitor.recordReconcile('a', { checkedAt: T + 1000, url: 'http://app/api/generations/a', ok: true, record: { initiated_at: '2026-12-02T10:00:00.000000Z' }, mismatches: [] });
    expect(monitor.detail('a')!.row).toMatchObject({ ttftMs: 800, ttftFrom: 'record' });
  });

  it('initiated_at saved to the second: a subscription within that second still measures TTFT', () => {
    // Built like the Laravel suite's clean plan: subscribed 300 ms into the second the job was saved in.
    const { monitor } = monitorAt(0);
    const T = Date.parse('2026-12-02T10:00:00.000Z');
    monitor.ingest({ type: 'subscription', at: T + 300, connection: 'c1', channel: 'private-ai.a', status: 'subscribed' });
    monitor.ingest(chunk(T + 800, 'a', 1));
    monitor.ingest(chunk(T + 900, 'a', 2, 'completed', 'end_turn'));
    monitor.recordReconcile('a', { checkedAt: T + 1000, url: 'http://app/api/generations/a', ok: true, record: { initiated_at: '2026-12-02T10:00:00.000000Z' }, mismatches: [] });
    expect(monitor.detail('a')!.row).toMatchObject({ ttftMs: 800, ttftFrom: 'record', joinedLate: false });
  });
});

describe('recordTime', () => {
  it('reads ISO text, database timestamps (as UTC), Unix seconds and milliseconds; refuses the rest', () => {
    const second = (at: number) => ({ at, precisionMs: 1000 });
    expect(recordTime('2026-12-02T10:00:00Z')).toEqual(second(Date.UTC(2026, 11, 2, 10)));
    expect(recordTime('2026-12-02 10:00:00')).toEqual(second(Date.UTC(2026, 11, 2, 10)));
    expect(recordTime('2026-12-02T12:00:00+02:00')).toEqual(second(Date.UTC(2026, 11, 2, 10)));
    // Laravel's JSON of a column saved to the second: the fraction is there, and zero.
    expect(recordTime('2026-12-02T10:00:00.000000Z')).toEqual(second(Date.UTC(2026, 11, 2, 10)));
    expect(recordTime(1_764_669_600)).toEqual(second(1_764_669_600_000));
    expect(recordTime(1_764_669_600_123)).toEqual({ at: 1_764_669_600_123, precisionMs: 0 });
    expect(recordTime('2026-12-02T10:00:00.250Z')).toEqual({ at: Date.UTC(2026, 11, 2, 10) + 250, precisionMs: 0 });
    expect([recordTime('yesterday'), recordTime(null), recordTime(''), recordTime(-1)]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('Monitor cost by what changed (issue 19)', () => {
  it('a tick recomputes the rows of the sessions touched or due, not every session', () => {
    const { monitor, set } = monitorAt(0);
    // 500 sessions that ended, and one still streaming
    for (let i = 0; i < 500; i++) {
      monitor.ingest(chunk(10, `done-${i}`, 1));
      monitor.ingest(chunk(20, `done-${i}`, 2, 'completed', 'end_turn'));
    }
    monitor.ingest(chunk(30, 'live', 1));
    set(40);
    monitor.tick();
    expect(monitor.rowsComputed).toBe(501);
    // one new frame: one row
    monitor.ingest(chunk(50, 'live', 2));
    set(60);
    expect(monitor.tick().map((row) => row.sessionId)).toEqual(['live']);
    expect(monitor.rowsComputed).toBe(502);
    // nothing arrives: no row is recomputed until the open session's stall deadline (50 + STALL_MS)
    set(50 + STALL_MS - 1);
    monitor.tick();
    expect(monitor.rowsComputed).toBe(502);
    set(50 + STALL_MS);
    expect(monitor.tick().map((row) => [row.sessionId, row.status])).toEqual([['live', 'stalled']]);
    expect(monitor.rowsComputed).toBe(503);
    // list, fleet and summary read the kept rows
    expect(monitor.list().total).toBe(501);
    expect(monitor.fleet(10_000).reduce((n, bucket) => n + bucket.sessions, 0)).toBe(501);
    expect(monitor.summary()).toMatchObject({ sessions: 501, byStatus: { completed: 500, stalled: 1 } });
    expect(monitor.rowsComputed).toBe(503);
  });

  it('the summary kept row by row equals the analyzer’s summary of every verdict, on a mixed fleet with drops and a second vantage', () => {
    const { monitor, set } = monitorAt(0);
    const records: JournalRecord[] = [];
    for (let i = 0; i < 40; i++) {
      const id = `s${i}`;
      records.push(chunk(10 + i, id, 1));
      if (i % 3 !== 0) records.push(chunk(20 + i, id, 3)); // a hole at 2 for most
      if (i % 2 === 0) records.push({ ...chunk(25 + i, id, 1), connection: 'c2' }); // a second vantage
      if (i % 5 === 0) records.push(chunk(30 + i, id, 1)); // a duplicate
      if (i % 4 === 0) records.push(chunk(40 + i, id, 4, 'completed', 'end_turn'));
    }
    records.push({ type: 'connection', at: 200, connection: 'c1', state: 'connected' });
    records.push({ type: 'connection', at: 300, connection: 'c1', state: 'unavailable' });
    records.push({ type: 'frame', at: 310, connection: 'c1', channel: 'other.1', event: 'something', data: {} });
    records.sort((a, b) => a.at - b.at);
    for (const record of records) monitor.ingest(record);
    for (const at of [400, 400 + REORDER_MS, 400 + STALL_MS + REORDER_MS, 400 + ORPHAN_MS]) {
      set(at);
      monitor.tick();
      const fresh = new Monitor({ clock: () => at, analyzer: { stallAfterMs: STALL_MS, orphanAfterMs: ORPHAN_MS, reorderWindowMs: REORDER_MS } });
      for (const record of records) fresh.ingest(record);
      // the reference: one full pass (the analyzer's own summarize over every verdict)
      const reference = (fresh as unknown as { analyzer: { verdicts(now: number, r: object): { summary: unknown } } }).analyzer.verdicts(at, { includeText: false }).summary;
      expect([at, monitor.summary()]).toEqual([at, reference]);
    }
  });
});

describe('Monitor memory bound (issue 19)', () => {
  it('past maxEndedSessions the sessions that ended longest ago are let go; open sessions stay', () => {
    let now = 0;
    const monitor = new Monitor({ clock: () => now, maxEndedSessions: 3, analyzer: { stallAfterMs: STALL_MS, orphanAfterMs: ORPHAN_MS, reorderWindowMs: REORDER_MS } });
    monitor.ingest(chunk(1, 'open', 1));
    for (let i = 1; i <= 5; i++) {
      now = i * 10;
      monitor.ingest(chunk(now, `done-${i}`, 1));
      monitor.ingest(chunk(now, `done-${i}`, 2, 'completed', 'end_turn'));
      monitor.tick(now);
    }
    expect(
      monitor
        .list()
        .rows.map((row) => row.sessionId)
        .sort(),
    ).toEqual(['done-3', 'done-4', 'done-5', 'open']);
    expect(monitor.evictedCount).toBe(2);
    expect(monitor.summary()).toMatchObject({ sessions: 4, byStatus: { completed: 3 } });
    // the analyzer let them go too: nothing is kept of done-1
    expect(monitor.detail('done-1')).toBeUndefined();
    expect(monitor.sessionScope('done-1')).toBeUndefined();
    expect(monitor.detail('open')).toBeDefined();
  });

  it('a session let go stays gone when settings change (its retained frames are not analyzed again, its end not announced again)', () => {
    let now = 0;
    const monitor = new Monitor({ clock: () => now, maxEndedSessions: 1, analyzer: { stallAfterMs: STALL_MS, orphanAfterMs: ORPHAN_MS, reorderWindowMs: REORDER_MS } });
    const ends: string[] = [];
    monitor.onSessionEnd((id) => ends.push(id));
    for (const [i, id] of ['a', 'b'].entries()) {
      now = (i + 1) * 10;
      monitor.ingest(chunk(now, id, 1));
      monitor.ingest(chunk(now, id, 2, 'completed', 'end_turn'));
      monitor.tick(now);
    }
    expect(ends).toEqual(['a', 'b']);
    monitor.updateSettings({ stallAfterMs: 2 * STALL_MS });
    monitor.tick(now);
    expect(monitor.list().rows.map((row) => row.sessionId)).toEqual(['b']);
    expect(ends).toEqual(['a', 'b']);
  });
});
