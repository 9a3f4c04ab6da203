import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Analyzer, analyzeJournal, combineObservations, MAX_REORDER_DEPTH } from '.';
import type { FrameRecord, JournalRecord } from '../journal';

/**
 * Issue 15's rules: observations per vantage, coverage and late joins, order and restarts per
 * attempt, TTFT from a known start. Every expected value below follows from how the stream was
 * built (which events were sent, when the vantage subscribed), never from running the analyzer.
 */

const token = (at: number, sequence: number, connection = 'c1', extra: Partial<FrameRecord> = {}, chunk = `t${sequence} `): FrameRecord => ({
  type: 'frame',
  at,
  connection,
  channel: 'private-ai.s1',
  event: 'chunk.delivered',
  data: { session_id: 's1', chunk, sequence, state: 'generating', termination_code: null },
  ...extra,
});
const terminal = (at: number, sequence: number, connection = 'c1', extra: Partial<FrameRecord> = {}): FrameRecord => ({
  ...token(at, sequence, connection, extra),
  data: { session_id: 's1', chunk: '', sequence, state: 'completed', termination_code: 'end_turn' },
});
const subscribed = (at: number, connection = 'c1', extra: Partial<JournalRecord> = {}): JournalRecord =>
  ({ type: 'subscription', at, connection, channel: 'private-ai.s1', status: 'subscribed', ...extra }) as JournalRecord;

/** Tokens `from..to` every `step` ms from `t0`, then (optionally) the terminal. */
function stream(t0: number, from: number, to: number, options: { step?: number; connection?: string; terminalSeq?: number; extra?: Partial<FrameRecord> } = {}): FrameRecord[] {
  const step = options.step ?? 20;
  const out: FrameRecord[] = [];
  for (let s = from; s <= to; s++) out.push(token(t0 + (s - from) * step, s, options.connection, options.extra));
  if (options.terminalSeq !== undefined) out.push(terminal(t0 + (to - from + 1) * step, options.terminalSeq, options.connection, options.extra));
  return out;
}

describe('coverage: late joins are unobserved, not lost', () => {
  it('a healthy stream joined at #31 has no gaps, no missing, no TTFT, and says where it joined', () => {
    // subscribed at 1000 while the job was at #30; the next token comes 15 ms later
    const records = [subscribed(1000), ...stream(1015, 31, 60, { terminalSeq: 61 })];
    const [v] = analyzeJournal(records).sessions;
    expect(v).toMatchObject({
      joinedLate: true,
      coverage: { subscribedAt: 1000, fromSequence: 31 },
      missing: 0,
      gaps: [],
      outOfOrder: 0,
      replays: 0,
      attempts: 1,
      ttftMs: null,
      ttftNote: 'joined_late',
      status: 'completed',
    });
  });

  it('subscribed long before a first event that is not #1: the head was lost (a gap from 1)', () => {
    // subscribed at 0, nothing until #5 at 5000 (> lateJoinWindowMs 2000): 1..4 were sent while we listened
    const records = [subscribed(0), ...stream(5000, 5, 10, { terminalSeq: 11 })];
    const [v] = analyzeJournal(records).sessions;
    expect(v).toMatchObject({ joinedLate: false, coverage: { fromSequence: 1 }, missing: 4, gaps: [{ from: 1, to: 4 }] });
    expect(v!.anomalies).toContainEqual({ kind: 'gap', at: 5000, sequence: 1, to: 4, count: 4 });
  });

  it('the window is an option: a first #5 1.5 s after subscribing is a late join by default, a loss with a 1 s window', () => {
    const records = [subscribed(0), ...stream(1500, 5, 10, { terminalSeq: 11 })];
    expect(analyzeJournal(records).sessions[0]).toMatchObject({ joinedLate: true, missing: 0 });
    expect(analyzeJournal(records, { lateJoinWindowMs: 1000 }).sessions[0]).toMatchObject({ joinedLate: false, missing: 4 });
  });

  it('a known start decides instead of the window: subscribed before the job began ⇒ a missing head is loss', () => {
    const records = [subscribed(50), ...stream(300, 5, 10, { terminalSeq: 11 })];
    const before = analyzeJournal(records, { starts: new Map([['s1', { at: 100, from: 'run' as const }]]) }).sessions[0];
    expect(before).toMatchObject({ joinedLate: false, missing: 4, gaps: [{ from: 1, to: 4 }] });
    const after = analyzeJournal(records, { starts: new Map([['s1', { at: 0, from: 'record' as const }]]) }).sessions[0];
    expect(after).toMatchObject({ joinedLate: true, missing: 0, ttftMs: null, ttftNote: 'joined_late' });
  });

  it('without any subscription record (a HAR file, a journal cut at its start) a first event above #1 is a late join', () => {
    const [v] = analyzeJournal(stream(0, 10, 20, { terminalSeq: 21 })).sessions;
    expect(v).toMatchObject({ joinedLate: true, coverage: { subscribedAt: null, fromSequence: 10 }, missing: 0 });
  });

  it('a hole inside the covered part is still a gap', () => {
    const records = [subscribed(0), ...stream(10, 31, 40), ...stream(300, 43, 50, { terminalSeq: 51 })];
    expect(analyzeJournal(records).sessions[0]).toMatchObject({ joinedLate: true, missing: 2, gaps: [{ from: 41, to: 42 }] });
  });
});

describe('restarts and order per attempt', () => {
  it('a crash + retry seen after a late join is one replay with nothing out of order', () => {
    // joined at #31; the job crashes after #50; the retry re-sends 1..50 and goes on to 60 + terminal
    const records = [subscribed(0), ...stream(10, 31, 50), ...stream(5000, 1, 60, { terminalSeq: 61 })];
    const [v] = analyzeJournal(records).sessions;
    expect(v).toMatchObject({ replays: 1, attempts: 2, outOfOrder: 0, duplicates: 20, missing: 0, gaps: [], joinedLate: true, ttftMs: null, status: 'completed' });
    expect(v!.anomalies.filter((a) => a.kind === 'replay')).toEqual([{ kind: 'replay', at: 5000, sequence: 1, restartedAfter: 50 }]);
    // a correct client shows 1..60 once
    expect(v!.text).toBe(Array.from({ length: 60 }, (_, i) => `t${i + 1} `).join(''));
  });

  it('a second crash of the retry is a second replay (the duplicate of the attempt’s lowest sequence)', () => {
    const records = [subscribed(0), ...stream(10, 31, 50), ...stream(5000, 1, 40), ...stream(9000, 1, 60, { terminalSeq: 61 })];
    expect(analyzeJournal(records).sessions[0]).toMatchObject({ replays: 2, attempts: 3, outOfOrder: 0, missing: 0 });
  });

  it('a retry that dies before reaching the join point leaves no invented gap between them', () => {
    // seen: 31..50 (attempt 1, joined late), then 1..10 of the retry, then silence: 11..30 were never observed
    const records = [subscribed(0), ...stream(10, 31, 50), ...stream(5000, 1, 10)];
    expect(analyzeJournal(records).sessions[0]).toMatchObject({ replays: 1, missing: 0, gaps: [], outOfOrder: 0 });
  });

  it('out of order is judged within the attempt: the retry’s own late event is out of order', () => {
    const records = [subscribed(0), ...stream(10, 31, 50), token(5000, 1), token(5020, 3), token(5040, 2), ...stream(5060, 4, 60, { terminalSeq: 61 })];
    expect(analyzeJournal(records).sessions[0]).toMatchObject({ replays: 1, outOfOrder: 1, missing: 0 });
  });

  it(`an unseen #1 right behind #2 is a reorder, not a restart (shallow: at most #${1 + MAX_REORDER_DEPTH}, within the reorder window)`, () => {
    const records = [subscribed(0), token(300, 2), token(305, 1), ...stream(320, 3, 10, { terminalSeq: 11 })];
    expect(analyzeJournal(records).sessions[0]).toMatchObject({ replays: 0, outOfOrder: 1, joinedLate: false, missing: 0, coverage: { fromSequence: 1 } });
  });

  it('an unseen #1 long after higher ones is a restart even when shallow', () => {
    const records = [subscribed(0), token(10, 4), token(30, 5), ...stream(5000, 1, 8, { terminalSeq: 9 })];
    expect(analyzeJournal(records).sessions[0]).toMatchObject({ replays: 1, outOfOrder: 0, duplicates: 2, joinedLate: true });
  });
});

describe('TTFT only from a known start', () => {
  it('is measured from the run’s start to the first token and says so', () => {
    const analyzer = new Analyzer();
    analyzer.ingest(subscribed(0));
    analyzer.setStart('s1', 100, 'run');
    for (const r of stream(350, 1, 5, { terminalSeq: 6 })) analyzer.ingest(r);
    expect(analyzer.verdicts(1000).sessions[0]).toMatchObject({ ttftMs: 250, ttftFrom: 'run' });
  });

  it('never from a subscription made long before the job (idle time), never after joining late', () => {
    const idle = analyzeJournal([subscribed(0), ...stream(33_000, 1, 5, { terminalSeq: 6 })]).sessions[0];
    expect(idle).toMatchObject({ ttftMs: null, ttftNote: 'no_known_start' });
    // the retry's re-sent #1 must not make a late joiner's TTFT
    const late = analyzeJournal([subscribed(0), ...stream(10, 31, 50), ...stream(5000, 1, 60, { terminalSeq: 61 })], {
      starts: new Map([['s1', { at: -1000, from: 'record' as const }]]),
    }).sessions[0];
    expect(late).toMatchObject({ ttftMs: null, ttftNote: 'joined_late' });
  });

  it('a start saved to the second does not make a subscription within that second a late join', () => {
    // Built: subscribed at 400 ms; the job began at 600 ms, but the record saved it as 0 (to the second).
    const start = { at: 0, from: 'record' as const, precisionMs: 1000 };
    const clean = analyzeJournal([subscribed(400), ...stream(900, 1, 5, { terminalSeq: 6 })], { starts: new Map([['s1', start]]) }).sessions[0];
    expect(clean).toMatchObject({ joinedLate: false, ttftMs: 900, ttftFrom: 'record' });
    // the same start taken as exact would say the subscription came after the job began
    const exact = analyzeJournal([subscribed(400), ...stream(900, 1, 5, { terminalSeq: 6 })], { starts: new Map([['s1', { at: 0, from: 'record' as const }]]) }).sessions[0];
    expect(exact).toMatchObject({ ttftMs: null, ttftNote: 'joined_late' });
    // past the second it is certain: subscribed at 1,200 ms, after any instant the record can name
    const after = analyzeJournal([subscribed(1200), ...stream(1300, 1, 5, { terminalSeq: 6 })], { starts: new Map([['s1', start]]) }).sessions[0];
    expect(after).toMatchObject({ ttftMs: null, ttftNote: 'joined_late' });
    // within the second, a first event that is not #1 soon after subscribing is still a late join (no-start rule)
    const late = analyzeJournal([subscribed(400), ...stream(500, 7, 12, { terminalSeq: 13 })], { starts: new Map([['s1', start]]) }).sessions[0];
    expect(late).toMatchObject({ joinedLate: true, coverage: { fromSequence: 7 } });
  });

  it('the earliest known start wins', () => {
    const analyzer = new Analyzer();
    analyzer.ingest(subscribed(0));
    analyzer.setStart('s1', 200, 'record');
    analyzer.setStart('s1', 100, 'run');
    analyzer.setStart('s1', 150, 'record');
    for (const r of stream(300, 1, 2, { terminalSeq: 3 })) analyzer.ingest(r);
    expect(analyzer.verdicts(1000).sessions[0]).toMatchObject({ ttftMs: 200, ttftFrom: 'run' });
  });
});

describe('observations: one per vantage', () => {
  const single = (connection: string, offset: number) => [subscribed(0, connection), ...stream(100 + offset, 1, 40, { connection, terminalSeq: 41 })];

  it('two connections watching one healthy session give two observations, each equal to a single connection’s verdict', () => {
    const a = single('c1', 0);
    const b = single('c2', 3);
    const merged = [...a, ...b].sort((x, y) => x.at - y.at);
    const both = analyzeJournal(merged);
    const alone = [analyzeJournal(a).sessions[0]!, analyzeJournal(b).sessions[0]!];
    expect(both.sessions).toHaveLength(2);
    for (const v of both.sessions) {
      expect(v).toMatchObject({ duplicates: 0, afterTerminal: 0, missing: 0, replays: 0, outOfOrder: 0, deliveryLoss: 0 });
      expect(v).toEqual(alone.find((x) => x.connection === v.connection));
    }
    expect(both.summary).toMatchObject({ sessions: 1, observations: 2, duplicates: 0, byStatus: { completed: 1 } });
    expect(both.comparisons).toHaveLength(1);
    const [c] = both.comparisons;
    expect(c!.observations.map((o) => [o.connection, o.received, o.lost, o.firstArrivals])).toEqual([
      ['c1', [{ from: 1, to: 41 }], [], 41],
      ['c2', [{ from: 1, to: 41 }], [], 0],
    ]);
    // c2 got every event 3 ms after c1
    expect(c!.observations[1]!.lagMs).toEqual({ p50: 3, p95: 3, p99: 3, max: 3 });
    expect(c!.observations[0]!.lagMs).toBeNull();
  });

  it('a vantage that trails far behind is compared from its first event (the lone vantage remembers its recent arrivals)', () => {
    // c1 gets #1..#40 every 20 ms from 100; c2 gets each 500 ms later, so it appears 25 events after c1
    const a = single('c1', 0);
    const b = single('c2', 500);
    const v = analyzeJournal([...a, ...b].sort((x, y) => x.at - y.at));
    const [c1, c2] = v.comparisons[0]!.observations;
    expect(c1).toMatchObject({ firstArrivals: 41, lagMs: null });
    expect(c2).toMatchObject({ firstArrivals: 0, lagMs: { p50: 500, p95: 500, p99: 500, max: 500 } });
  });

  it('a client that lost events shows delivery_loss on that observation only', () => {
    const a = single('c1', 0);
    const b = single('c2', 2).filter((r) => r.type !== 'frame' || ![5, 6, 7, 20].includes((r.data as { sequence: number }).sequence));
    const v = analyzeJournal([...a, ...b].sort((x, y) => x.at - y.at));
    const c1 = v.sessions.find((s) => s.connection === 'c1')!;
    const c2 = v.sessions.find((s) => s.connection === 'c2')!;
    expect(c1).toMatchObject({ deliveryLoss: 0, missing: 0 });
    expect(c1.anomalies.some((x) => x.kind === 'delivery_loss')).toBe(false);
    expect(c2).toMatchObject({
      deliveryLoss: 4,
      missing: 4,
      gaps: [
        { from: 5, to: 7 },
        { from: 20, to: 20 },
      ],
    });
    expect(c2.anomalies.filter((x) => x.kind === 'delivery_loss')).toEqual([
      { kind: 'delivery_loss', at: 100 + 4 * 20, sequence: 5, to: 7, count: 3 },
      { kind: 'delivery_loss', at: 100 + 19 * 20, sequence: 20, to: 20, count: 1 },
    ]);
    expect(v.comparisons[0]!.observations.find((o) => o.connection === 'c2')!.lost).toEqual([
      { from: 5, to: 7 },
      { from: 20, to: 20 },
    ]);
    expect(v.summary).toMatchObject({ sessions: 1, observations: 2, deliveryLoss: 4 });
  });

  it('a late joiner is not blamed for the head it never watched', () => {
    const a = single('c1', 0);
    const late = [subscribed(500, 'c2'), ...stream(100 + 20 * 20 + 1, 21, 40, { connection: 'c2', terminalSeq: 41 })];
    const v = analyzeJournal([...a, ...late].sort((x, y) => x.at - y.at));
    const c2 = v.sessions.find((s) => s.connection === 'c2')!;
    expect(c2).toMatchObject({ joinedLate: true, coverage: { fromSequence: 21 }, deliveryLoss: 0, missing: 0 });
  });

  it('two imported recordings of one session stay two sources, even when both call their connection c1', () => {
    const fileA = single('c1', 0).map((r) => ({ ...r, source: 'a.ndjson' }));
    const fileB = single('c1', 0).map((r) => ({ ...r, source: 'b.ndjson' }));
    const v = analyzeJournal([...fileA, ...fileB]);
    expect(v.sessions.map((s) => [s.source, s.connection, s.duplicates, s.afterTerminal])).toEqual([
      ['a.ndjson', 'c1', 0, 0],
      ['b.ndjson', 'c1', 0, 0],
    ]);
  });

  it('a drop on one connection is a disconnect of its observation only', () => {
    const records = [...single('c1', 0), ...single('c2', 1)].sort((x, y) => x.at - y.at);
    records.splice(10, 0, { type: 'connection', at: records[10]!.at, connection: 'c2', state: 'unavailable' });
    const v = analyzeJournal(records);
    expect(v.sessions.map((s) => [s.connection, s.disconnects])).toEqual([
      ['c1', 0],
      ['c2', 1],
    ]);
  });

  it('combines a session’s observations into one row: the fullest gives status, the worst gives each counter', () => {
    const a = single('c1', 0);
    const b = [subscribed(0, 'c2'), ...stream(101, 1, 10, { connection: 'c2' }), token(400, 3, 'c2')];
    const verdicts = analyzeJournal([...a, ...b].sort((x, y) => x.at - y.at)).sessions;
    const row = combineObservations(verdicts);
    expect(row).toMatchObject({ connection: 'c1', status: 'completed', events: 41, duplicates: 1, observations: 2 });
    expect(row.anomalies.map((x) => x.kind)).toContain('duplicate');
  });
});

describe('property: any join time and crash points give the attempts seen', () => {
  /**
   * A job streams `n` tokens + a terminal; each crash point before the last attempt ends an
   * attempt after that many tokens (≥ 2: a crash after one token is a duplicate #1, which no
   * client can tell from a re-delivered one) and the retry starts after a backoff ≥ the reorder
   * window, as Laravel's queue does. The vantage subscribes at a random moment and receives
   * everything sent from then on, in order, each event a few ms after it was sent.
   */
  const job = fc.record({
    n: fc.integer({ min: 3, max: 60 }),
    crashes: fc.array(fc.integer({ min: 2, max: 60 }), { maxLength: 3 }),
    step: fc.integer({ min: 5, max: 120 }),
    backoff: fc.integer({ min: 2500, max: 20_000 }),
    delay: fc.integer({ min: 0, max: 5 }),
    joinFraction: fc.double({ min: -0.1, max: 1, noNaN: true }),
  });

  it('replays = restarts seen, outOfOrder = 0, missing = 0, duplicates = re-sent events seen', () => {
    fc.assert(
      fc.property(job, ({ n, crashes, step, backoff, delay, joinFraction }) => {
        // plan: [attempt, sequence, sentAt, terminal]
        const sent: Array<{ attempt: number; sequence: number; t: number; last: boolean }> = [];
        let t = 0;
        const ends = [...crashes.map((c) => Math.min(c, n)), n];
        ends.forEach((end, i) => {
          for (let s = 1; s <= end; s++, t += step) sent.push({ attempt: i + 1, sequence: s, t, last: false });
          if (i === ends.length - 1) sent.push({ attempt: i + 1, sequence: n + 1, t, last: true });
          t += backoff;
        });
        const joinAt = Math.round(joinFraction * sent[sent.length - 1]!.t);
        const seen = sent.filter((e) => e.t >= joinAt);
        fc.pre(seen.length > 0);
        const records: JournalRecord[] = [subscribed(joinAt)];
        for (const e of seen) records.push(e.last ? terminal(e.t + delay, e.sequence) : token(e.t + delay, e.sequence));
        const verdict = analyzeJournal(records, { starts: new Map([['s1', { at: 0, from: 'run' as const }]]) }).sessions[0]!;

        const attemptsSeen = new Set(seen.map((e) => e.attempt)).size;
        const once = new Set<number>();
        let duplicates = 0;
        for (const e of seen) {
          if (once.has(e.sequence)) duplicates++;
          once.add(e.sequence);
        }
        const first = seen[0]!;
        expect(verdict.replays).toBe(attemptsSeen - 1);
        expect(verdict.outOfOrder).toBe(0);
        expect(verdict.missing).toBe(0);
        expect(verdict.duplicates).toBe(duplicates);
        expect(verdict.joinedLate).toBe(first.sequence > 1);
        expect(verdict.status).toBe('completed');
        // TTFT: the job started at 0; only a vantage subscribed before it saw the first token
        if (joinAt <= 0) expect(verdict.ttftMs).toBe(delay);
        else expect(verdict.ttftMs).toBeNull();
      }),
      { numRuns: 400 },
    );
  });
});
