import { describe, expect, it } from 'vitest';
import { journalSessionKey, type JournalRecord } from '../../../shared/journal';
import { Monitor, type SessionScope } from './monitor';

/**
 * Compaction of ended sessions (issue 19). The journal a monitor reads a compacted session back
 * from is stood in for by `RecordedJournal`: every record the test fed, answered by the journal's
 * own session key — a test double of JournalService.sessionEvents (the real one is exercised by
 * the runtime test in electron/core/compaction-runtime.test.ts).
 */
class RecordedJournal {
  readonly records: JournalRecord[] = [];
  reads = 0;
  failNext = false;
  read = (scope: SessionScope): Promise<JournalRecord[]> => {
    this.reads++;
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('journal worker restarting'));
    }
    return Promise.resolve(this.records.filter((record) => record.type === 'frame' && journalSessionKey(record) === scope.sessionId));
  };
}

const chunk = (at: number, session: string, sequence: number, state = 'generating', code: string | null = null, connection = 'c1'): JournalRecord => ({
  type: 'frame',
  at,
  connection,
  channel: `private-ai.${session}`,
  event: 'chunk.delivered',
  data: { session_id: session, chunk: state === 'generating' ? `t${sequence} ` : '', sequence, state, termination_code: code },
});

const SETTINGS = { stallAfterMs: 1000, orphanAfterMs: 5000, reorderWindowMs: 200 };
const COMPACT_MS = 10_000;

function setUp(options: { maxEndedSessions?: number; maxHeldFrames?: number } = {}) {
  let now = 0;
  const journal = new RecordedJournal();
  const warnings: string[] = [];
  const monitor = new Monitor({
    clock: () => now,
    analyzer: SETTINGS,
    sessionSource: journal.read,
    compactAfterMs: COMPACT_MS,
    onWarning: (message) => warnings.push(message),
    ...options,
  });
  const feed = (record: JournalRecord) => {
    journal.records.push(record);
    monitor.ingest(record);
  };
  const at = (t: number) => {
    now = t;
    monitor.tick(t);
  };
  return { monitor, journal, feed, at, warnings, now: () => now };
}

/** Lets the journal read's promise chain settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Monitor compaction of ended sessions (issue 19)', () => {
  it("a compacted session read back keeps the frames on its channel no contract reads (soketi's subscription_succeeded without data)", async () => {
    const { monitor, feed, at } = setUp();
    feed({ type: 'frame', at: 90, connection: 'c1', channel: 'private-ai.nd', event: 'pusher_internal:subscription_succeeded' });
    feed(chunk(100, 'nd', 1));
    feed({ type: 'frame', at: 105, connection: 'c1', channel: 'private-ai.nd', event: 'app.notice' });
    feed(chunk(110, 'nd', 2, 'completed', 'end_turn'));
    at(1000);
    const events = () => (monitor.sessionFrames('nd') ?? []).map((frame) => frame.event);
    expect(events()).toEqual(['pusher_internal:subscription_succeeded', 'chunk.delivered', 'app.notice', 'chunk.delivered']);
    at(110 + COMPACT_MS);
    expect(monitor.isCompacted('nd')).toBe(true);
    await monitor.load('nd');
    expect(events()).toEqual(['pusher_internal:subscription_succeeded', 'chunk.delivered', 'app.notice', 'chunk.delivered']);
  });

  it('an imported recording, its frames older than the clock, stays whole for compactAfterMs after it came', () => {
    const { monitor, feed, at } = setUp();
    // Built: a recording of long ago (frames at 100–120) imported when the clock is at 50,000.
    at(50_000);
    for (const sequence of [1, 2]) feed(chunk(100 + sequence * 10, 'old', sequence));
    feed(chunk(130, 'old', 3, 'completed', 'end_turn'));
    at(50_000 + 1);
    expect(monitor.isCompacted('old')).toBe(false);
    at(50_000 + COMPACT_MS - 1);
    expect(monitor.isCompacted('old')).toBe(false);
    expect(monitor.detail('old')?.row).toMatchObject({ status: 'completed', events: 3 });
    at(50_000 + COMPACT_MS);
    expect(monitor.isCompacted('old')).toBe(true);
  });

  it('a second recording of a compacted session, imported later over the same span of time, brings it back with both recordings whole', async () => {
    const { monitor, feed, at } = setUp();
    const recorded = (source: string, sequences: number[]) =>
      sequences.map(
        (sequence) =>
          ({ ...chunk(100 + sequence * 10, 'twice', sequence, sequence === 5 ? 'completed' : 'generating', sequence === 5 ? 'end_turn' : null), source }) as JournalRecord,
      );
    // Built: alice's recording has 1..5; bob's, of the same stream and the same times, lacks #3.
    for (const record of recorded('alice.ndjson', [1, 2, 3, 4, 5])) feed(record);
    at(1000);
    at(1000 + COMPACT_MS);
    expect(monitor.isCompacted('twice')).toBe(true);
    for (const record of recorded('bob.ndjson', [1, 2, 4, 5])) feed(record);
    await monitor.load('twice');
    at(1000 + COMPACT_MS + 1);
    const detail = monitor.detail('twice')!;
    const bySource = Object.fromEntries(detail.observations.map((o) => [o.source, { events: o.events, loss: o.deliveryLoss }]));
    expect(bySource).toEqual({ 'alice.ndjson': { events: 5, loss: 0 }, 'bob.ndjson': { events: 4, loss: 1 } });
  });

  it("a compacted session seen from two vantages keeps each one's delivery loss for the Fleet", () => {
    const { monitor, feed, at } = setUp();
    // Built: a tap published 1..4 and the end; c1 got everything, c2 missed 2 and 3.
    for (let sequence = 1; sequence <= 5; sequence++) {
      const state = sequence === 5 ? 'completed' : 'generating';
      const code = sequence === 5 ? 'end_turn' : null;
      feed({ ...chunk(100 + sequence * 10, 'seen', sequence, state, code, 'app:tap'), tap: 'laravel' } as JournalRecord);
      feed(chunk(101 + sequence * 10, 'seen', sequence, state, code, 'c1'));
      if (sequence !== 2 && sequence !== 3) feed(chunk(102 + sequence * 10, 'seen', sequence, state, code, 'c2'));
    }
    at(1000);
    const live = monitor.observationLosses('seen');
    at(1000 + COMPACT_MS);
    expect(monitor.isCompacted('seen')).toBe(true);
    const compacted = monitor.observationLosses('seen');
    expect(compacted).toEqual(live);
    const byConnection = Object.fromEntries(compacted.filter((o) => o.tap === undefined).map((o) => [o.connection, o.deliveryLoss]));
    expect(byConnection).toEqual({ c1: 0, c2: 2 });
  });

  it('an ended session quiet for compactAfterMs keeps its row but frees its analyzer state and frames; load() brings back the same detail', async () => {
    const { monitor, feed, at, journal } = setUp();
    // Built: tokens 1, 2, 4, 5 (3 never sent), 2 again, then completed at 6.
    for (const [i, sequence] of [1, 2, 4, 5, 2].entries()) feed(chunk(100 + i * 10, 'a', sequence));
    feed(chunk(200, 'a', 6, 'completed', 'end_turn'));
    feed(chunk(300, 'open', 1));
    at(1000);
    const before = monitor.detail('a')!;
    expect(before.gaps).toEqual([{ from: 3, to: 3 }]);
    expect(before.row).toMatchObject({ status: 'completed', duplicates: 1, missing: 1 });
    expect(before.text).toBe('t1 t2 t4 t5 ');
    const rowBefore = monitor.list().rows.find((row) => row.sessionId === 'a');

    at(200 + COMPACT_MS - 1);
    expect(monitor.isCompacted('a')).toBe(false);
    at(200 + COMPACT_MS);
    expect(monitor.isCompacted('a')).toBe(true);
    expect(monitor.isCompacted('open')).toBe(false);
    // Its row is the summary: Live, Fleet and the summary still count it.
    expect(monitor.list().rows.find((row) => row.sessionId === 'a')).toEqual(rowBefore);
    expect(monitor.summary()).toMatchObject({ sessions: 2, byStatus: { completed: 1 } });
    expect(monitor.fleet(60_000).reduce((n, bucket) => n + bucket.sessions, 0)).toBe(2);
    // Nothing of it is analyzed or held any more: one live session, its one frame.
    expect(monitor.footprint()).toMatchObject({ analyzerSessions: 1, summaries: 1, heldFrames: 1 });
    expect(monitor.detail('a')).toBeUndefined();
    expect(monitor.sessionScope('a')).toEqual({ channels: ['private-ai.a'], profile: expect.objectContaining({ name: 'default', event: 'chunk.delivered' }) });

    await monitor.load('a');
    expect(journal.reads).toBe(1);
    expect(monitor.isCompacted('a')).toBe(false);
    expect(monitor.detail('a')).toEqual(before);
    expect(monitor.sessionAnalysis('a')?.frames.map((frame) => (frame.data as { sequence: number }).sequence)).toEqual([1, 2, 4, 5, 2, 6]);
    // Kept whole for compactAfterMs from its return, then compacted again.
    const back = 200 + COMPACT_MS;
    at(back + COMPACT_MS - 1);
    expect(monitor.isCompacted('a')).toBe(false);
    at(back + COMPACT_MS + 1);
    expect(monitor.isCompacted('a')).toBe(true);
  });

  it('read back with the context of its time: a drop while it streamed and its subscription before it began', async () => {
    const { monitor, feed, at } = setUp();
    feed({ type: 'connection', at: 1, connection: 'c1', state: 'connected' });
    feed({ type: 'subscription', at: 2, connection: 'c1', channel: 'private-ai.e', status: 'subscribed' });
    feed(chunk(100, 'e', 1));
    // Built: the socket drops between tokens 1 and 2 and is back for 3 (2 is lost with it).
    feed({ type: 'connection', at: 150, connection: 'c1', state: 'unavailable' });
    feed({ type: 'connection', at: 160, connection: 'c1', state: 'connected' });
    feed(chunk(170, 'e', 3));
    feed(chunk(180, 'e', 4, 'completed', 'end_turn'));
    // Later traffic on the same connection (another session, another drop) is not its context.
    feed(chunk(5000, 'f', 1));
    feed({ type: 'connection', at: 5100, connection: 'c1', state: 'unavailable' });
    at(1000);
    const before = monitor.detail('e')!;
    expect(before.row).toMatchObject({ disconnects: 1, joinedLate: false, missing: 1, status: 'completed' });
    at(180 + COMPACT_MS);
    expect(monitor.isCompacted('e')).toBe(true);
    await monitor.load('e');
    expect(monitor.detail('e')).toEqual(before);
  });

  it('a late frame of a compacted session brings it back, and counts after its terminal event', async () => {
    const { monitor, feed, at } = setUp();
    const updates: string[] = [];
    monitor.onUpdate((update) => updates.push(...update.items.map((row) => `${row.sessionId}:${row.afterTerminal}`)));
    feed(chunk(100, 'a', 1));
    feed(chunk(110, 'a', 2));
    feed(chunk(120, 'a', 3, 'completed', 'end_turn'));
    at(120 + COMPACT_MS);
    expect(monitor.isCompacted('a')).toBe(true);
    // Built: token 2 sent again long after the end (a replayed job).
    feed(chunk(20_000, 'a', 2));
    // While it is read back, its row is still the summary (not a partial session of one frame).
    at(20_001);
    expect(monitor.list().rows.find((row) => row.sessionId === 'a')).toMatchObject({ afterTerminal: 0, events: 3 });
    await settle();
    at(20_002);
    expect(monitor.isCompacted('a')).toBe(false);
    expect(monitor.list().rows.find((row) => row.sessionId === 'a')).toMatchObject({ status: 'completed', afterTerminal: 1, duplicates: 1 });
    expect(updates).toEqual(['a:0', 'a:1']);
  });

  it('a journal that cannot answer leaves the summary standing and says why', async () => {
    const { monitor, feed, at, journal, warnings } = setUp();
    feed(chunk(100, 'a', 1));
    feed(chunk(110, 'a', 2, 'completed', 'end_turn'));
    at(110 + COMPACT_MS);
    journal.failNext = true;
    await monitor.load('a');
    expect(warnings).toEqual([expect.stringMatching(/session a: cannot read it back from the journal \(journal worker restarting\)/)]);
    expect(monitor.isCompacted('a')).toBe(true);
    expect(monitor.list().rows.find((row) => row.sessionId === 'a')).toMatchObject({ status: 'completed' });
    // The next ask reads again.
    await monitor.load('a');
    expect(monitor.detail('a')?.row.status).toBe('completed');
  });

  it('a settings change verdicts compacted sessions again from the journal, one at a time, and compacts them again', async () => {
    const { monitor, feed, at } = setUp();
    // Built: b waits 600 ms between tokens 1 and 2 — a stall once stallAfterMs is 500, not at 1000.
    feed(chunk(100, 'b', 1));
    feed(chunk(700, 'b', 2));
    feed(chunk(710, 'b', 3, 'completed', 'end_turn'));
    feed(chunk(800, 'c', 1));
    feed(chunk(810, 'c', 2, 'completed', 'end_turn'));
    at(810 + COMPACT_MS);
    expect([monitor.isCompacted('b'), monitor.isCompacted('c')]).toEqual([true, true]);
    expect(monitor.list().rows.find((row) => row.sessionId === 'b')?.stalls).toBe(0);
    monitor.updateSettings({ stallAfterMs: 500 });
    expect(monitor.pendingReverdicts).toBeGreaterThan(0);
    for (let i = 0; i < 10 && monitor.pendingReverdicts > 0; i++) await settle();
    at(810 + COMPACT_MS + 1);
    expect(monitor.list().rows.find((row) => row.sessionId === 'b')).toMatchObject({ stalls: 1, status: 'completed' });
    expect(monitor.list().rows.find((row) => row.sessionId === 'c')?.stalls).toBe(0);
    // Verdicted again, they were long quiet: compacted at once.
    expect([monitor.isCompacted('b'), monitor.isCompacted('c')]).toEqual([true, true]);
  });

  it('a settings change replays the live sessions with their context: a drop while a session streamed still counts', () => {
    const { monitor, feed, at } = setUp();
    feed({ type: 'connection', at: 1, connection: 'c1', state: 'connected' });
    feed({ type: 'subscription', at: 2, connection: 'c1', channel: 'private-ai.d', status: 'subscribed' });
    feed(chunk(100, 'd', 1));
    feed({ type: 'connection', at: 150, connection: 'c1', state: 'unavailable' });
    feed({ type: 'connection', at: 160, connection: 'c1', state: 'connected' });
    feed(chunk(170, 'd', 2));
    at(200);
    expect(monitor.list().rows[0]).toMatchObject({ disconnects: 1, joinedLate: false });
    monitor.updateSettings({ stallAfterMs: 2000 });
    at(201);
    expect(monitor.list().rows[0]).toMatchObject({ disconnects: 1, joinedLate: false, events: 2 });
  });
});

describe('Monitor memory bound with compaction (issue 19)', () => {
  it('200,000 sessions through the monitor: analyzer state, held frames and summaries stay within their bounds', () => {
    const cap = 5000;
    const { monitor, at } = setUp({ maxEndedSessions: cap, maxHeldFrames: 20_000 });
    // Not recorded: the journal is not read in this test (nothing asks for a detail).
    let peakAnalyzed = 0;
    let peakHeld = 0;
    const sessions = 200_000;
    // Ten sessions a millisecond of the virtual clock, three frames each; one tick every 1,000 sessions.
    for (let i = 0; i < sessions; i++) {
      const t = i / 10;
      const id = `s${i}`;
      monitor.ingest(chunk(t, id, 1));
      monitor.ingest(chunk(t, id, 2));
      monitor.ingest(chunk(t, id, 3, 'completed', 'end_turn'));
      if (i % 1000 === 999) {
        at(t);
        const footprint = monitor.footprint();
        peakAnalyzed = Math.max(peakAnalyzed, footprint.analyzerSessions);
        peakHeld = Math.max(peakHeld, footprint.heldFrames);
      }
    }
    at(sessions / 10 + COMPACT_MS);
    const footprint = monitor.footprint();
    // Analyzed whole: only the sessions that ended within compactAfterMs (10 s of the clock = 100,000 sessions here, bounded by the
    // ended-sessions cap) plus what one tick interval adds.
    expect(peakAnalyzed).toBeLessThanOrEqual(cap + 1000);
    expect(peakHeld).toBeLessThanOrEqual(20_000);
    expect(footprint.rows).toBe(cap);
    expect(footprint.summaries).toBe(cap);
    expect(footprint.analyzerSessions).toBe(0);
    expect(footprint.heldFrames).toBe(0);
    expect(monitor.summary()).toMatchObject({ sessions: cap, byStatus: { completed: cap } });
    expect(monitor.evictedCount).toBe(sessions - cap);
  }, 120_000);
});
