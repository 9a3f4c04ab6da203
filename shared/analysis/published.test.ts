import { describe, expect, it } from 'vitest';
import { Analyzer, analyzeJournal, combineObservations } from '.';
import { checkRecord, type FrameRecord, type JournalRecord } from '../journal';

/**
 * Published versus delivered (issue 20, item 2): a server-side tap's observation of a session is
 * what was published; each client observation is compared with it. Every journal below is built by
 * hand — which events the tap read, which each client received, and when — and every expected value
 * follows from how it was built, never from running the analyzer.
 */

const TAP = 'watch:tap';

const frame = (at: number, sequence: number, connection: string, extra: Partial<FrameRecord> = {}, state = 'generating'): FrameRecord => ({
  type: 'frame',
  at,
  connection,
  channel: 'private-ai.s1',
  event: 'chunk.delivered',
  data: { session_id: 's1', chunk: state === 'generating' ? `t${sequence} ` : '', sequence, state, termination_code: state === 'generating' ? null : 'end_turn' },
  ...extra,
});
const tapFrame = (at: number, sequence: number, state?: string): FrameRecord => frame(at, sequence, TAP, { tap: 'laravel' }, state);
const tapConnected = (at: number): JournalRecord => ({ type: 'connection', at, connection: TAP, tap: 'laravel', state: 'connected' });
const subscribed = (at: number, connection: string): JournalRecord => ({ type: 'subscription', at, connection, channel: 'private-ai.s1', status: 'subscribed' });

/**
 * A session of `last - 1` tokens and a terminal `last`, published every 20 ms from 1000 (the tap
 * reads each at its publish time), and what each client received `delay` ms later, minus `drop`.
 */
function session(options: { last: number; clients: Array<{ connection: string; delay: number; drop?: number[] }>; tapDrop?: number[] }): JournalRecord[] {
  const records: JournalRecord[] = [tapConnected(0)];
  for (const client of options.clients) records.push(subscribed(10, client.connection));
  for (let s = 1; s <= options.last; s++) {
    const publishAt = 1000 + (s - 1) * 20;
    const state = s === options.last ? 'completed' : 'generating';
    if (!options.tapDrop?.includes(s)) records.push(tapFrame(publishAt, s, state));
    for (const client of options.clients) if (!client.drop?.includes(s)) records.push(frame(publishAt + client.delay, s, client.connection, {}, state));
  }
  return records.sort((a, b) => a.at - b.at);
}

describe('published versus delivered', () => {
  it('a client that missed published events: their sequences as not delivered and delivery_loss; the other client lost nothing', () => {
    const verdict = analyzeJournal(
      session({
        last: 41,
        clients: [
          { connection: 'c1', delay: 5 },
          { connection: 'c2', delay: 8, drop: [5, 6, 7, 20] },
        ],
      }),
    );
    const tap = verdict.sessions.find((s) => s.connection === TAP)!;
    const c1 = verdict.sessions.find((s) => s.connection === 'c1')!;
    const c2 = verdict.sessions.find((s) => s.connection === 'c2')!;
    // the tap is what was published: 41 events, nothing lost, no comparison of its own
    expect(tap).toMatchObject({ tap: 'laravel', events: 41, deliveryLoss: 0, missing: 0, status: 'completed' });
    expect(tap.published).toBeUndefined();
    expect(c1.published).toEqual({
      taps: [TAP],
      notDelivered: [],
      notDeliveredCount: 0,
      notPublished: [],
      notPublishedCount: 0,
      publishToArrivalMs: { p50: 5, p95: 5, p99: 5, max: 5 },
      tapInterrupted: false,
      leftOut: 0,
    });
    expect(c2.published).toEqual({
      taps: [TAP],
      notDelivered: [
        { from: 5, to: 7 },
        { from: 20, to: 20 },
      ],
      notDeliveredCount: 4,
      notPublished: [],
      notPublishedCount: 0,
      publishToArrivalMs: { p50: 8, p95: 8, p99: 8, max: 8 },
      tapInterrupted: false,
      leftOut: 0,
    });
    expect(c2.deliveryLoss).toBe(4);
    // each loss is placed where the tap read the first missing event: #5 was published at 1000 + 4 × 20
    expect(c2.anomalies.filter((a) => a.kind === 'delivery_loss')).toEqual([
      { kind: 'delivery_loss', at: 1080, sequence: 5, to: 7, count: 3 },
      { kind: 'delivery_loss', at: 1380, sequence: 20, to: 20, count: 1 },
    ]);
    expect(c1.anomalies.some((a) => a.kind === 'delivery_loss')).toBe(false);
    const compared = verdict.comparisons[0]!.observations;
    expect(compared.map((o) => [o.connection, o.tap ?? null, o.deliveryLoss, o.published?.notDeliveredCount ?? null])).toEqual([
      [TAP, 'laravel', 0, null],
      ['c1', null, 0, 0],
      ['c2', null, 4, 4],
    ]);
    expect(verdict.summary).toMatchObject({ sessions: 1, observations: 3, deliveryLoss: 4 });
  });

  it('an event a client received that the tap never saw published is "not published"', () => {
    // the tap read #1..#10 and the terminal #11; c1 also got a #12 that reached it some other way
    const records = [...session({ last: 11, clients: [{ connection: 'c1', delay: 4 }] }), frame(2000, 12, 'c1')];
    const c1 = analyzeJournal(records).sessions.find((s) => s.connection === 'c1')!;
    expect(c1.published).toMatchObject({ notDelivered: [], notDeliveredCount: 0, notPublished: [{ from: 12, to: 12 }], notPublishedCount: 1 });
    // nothing the tap saw was missing from the client: no loss
    expect(c1.deliveryLoss).toBe(0);
  });

  it('an event the tap did not read (it was published another way) is not published for every client, and no client lost it', () => {
    const c = analyzeJournal(
      session({
        last: 11,
        tapDrop: [6],
        clients: [
          { connection: 'c1', delay: 4 },
          { connection: 'c2', delay: 6 },
        ],
      }),
    ).sessions;
    for (const connection of ['c1', 'c2']) {
      expect(c.find((s) => s.connection === connection)).toMatchObject({
        deliveryLoss: 0,
        published: { notPublished: [{ from: 6, to: 6 }], notPublishedCount: 1, notDeliveredCount: 0 },
      });
    }
    // the tap's own view: #6 was never published through the tapped path
    expect(c.find((s) => s.connection === TAP)).toMatchObject({ missing: 1, gaps: [{ from: 6, to: 6 }], deliveryLoss: 0 });
  });

  it('publish→arrival times events a client got before the tap read them as 0 ms, a lone client’s first ones included', () => {
    // c1 gets #1..#6 2 ms before the tap reads each (so c1's observation comes first), #7..#10 3 ms after
    const records: JournalRecord[] = [tapConnected(0), subscribed(10, 'c1')];
    for (let s = 1; s <= 10; s++) {
      const publishAt = 1000 + s * 20;
      records.push(tapFrame(publishAt, s), frame(publishAt + (s <= 6 ? -2 : 3), s, 'c1'));
    }
    const c1 = analyzeJournal(records.sort((a, b) => a.at - b.at)).sessions.find((s) => s.connection === 'c1')!;
    // ten samples: six of 0 ms, four of 3 ms (nearest rank: p50 is the 5th smallest)
    expect(c1.published!.publishToArrivalMs).toEqual({ p50: 0, p95: 3, p99: 3, max: 3 });
  });

  it('a tap that connected mid-stream covers from the event it joined at: what came before is not "not published"', () => {
    // c1 watched from #1; the tap connected while the job was at #30 and read #31..#40 (+ terminal #41)
    const records: JournalRecord[] = [subscribed(0, 'c1')];
    for (let s = 1; s <= 41; s++) {
      const publishAt = 1000 + s * 20;
      const state = s === 41 ? 'completed' : 'generating';
      if (s === 31) records.push(tapConnected(publishAt - 5));
      if (s >= 31) records.push(tapFrame(publishAt, s, state));
      records.push(frame(publishAt + 4, s, 'c1', {}, state));
    }
    const verdict = analyzeJournal(records.sort((a, b) => a.at - b.at));
    expect(verdict.sessions.find((s) => s.connection === TAP)).toMatchObject({ joinedLate: true, coverage: { fromSequence: 31 }, missing: 0 });
    expect(verdict.sessions.find((s) => s.connection === 'c1')).toMatchObject({
      published: { notPublishedCount: 0, notDeliveredCount: 0, publishToArrivalMs: { p50: 4, max: 4 } },
    });
  });

  it('a tap that dropped while the session was open says so (tapInterrupted)', () => {
    const records = session({ last: 11, clients: [{ connection: 'c1', delay: 4 }] });
    records.splice(8, 0, { type: 'connection', at: records[8]!.at, connection: TAP, tap: 'laravel', state: 'disconnected', reason: 'redis closed' });
    const c1 = analyzeJournal(records).sessions.find((s) => s.connection === 'c1')!;
    expect(c1.published!.tapInterrupted).toBe(true);
  });

  it('an event published leaving a client’s socket out (toOthers) is not that client’s loss, and still the others’', () => {
    // #5 was published for everyone but socket 2.2 (c2's); neither client received it
    const records = session({
      last: 11,
      clients: [
        { connection: 'c1', delay: 4, drop: [5] },
        { connection: 'c2', delay: 6, drop: [5] },
      ],
    }).map((r) => (r.type === 'frame' && r.connection === TAP && (r.data as { sequence: number }).sequence === 5 ? { ...r, exceptSocketId: '2.2' } : r));
    records.unshift(
      { type: 'connection', at: -2, connection: 'c1', state: 'connected', socketId: '1.1' },
      { type: 'connection', at: -1, connection: 'c2', state: 'connected', socketId: '2.2' },
    );
    const sessions = analyzeJournal(records).sessions;
    expect(sessions.find((s) => s.connection === 'c2')).toMatchObject({ deliveryLoss: 0, published: { notDelivered: [], notDeliveredCount: 0, leftOut: 1 } });
    expect(sessions.find((s) => s.connection === 'c1')).toMatchObject({ deliveryLoss: 1, published: { notDelivered: [{ from: 5, to: 5 }], notDeliveredCount: 1, leftOut: 0 } });
  });

  it('the session row is a client’s even though the tap saw more', () => {
    const verdicts = analyzeJournal(session({ last: 11, clients: [{ connection: 'c1', delay: 4, drop: [3, 4, 5, 11] }] })).sessions;
    const row = combineObservations(verdicts);
    expect(row).toMatchObject({ connection: 'c1', events: 7, status: 'streaming', deliveryLoss: 4, observations: 2 });
  });

  it('a session only the tap saw is one observation, with no comparison', () => {
    const analyzer = new Analyzer();
    for (const r of session({ last: 6, clients: [] })) analyzer.ingest(r);
    const verdict = analyzer.verdicts(5000, { endOfJournal: true });
    expect(verdict.sessions).toHaveLength(1);
    expect(verdict.sessions[0]).toMatchObject({ connection: TAP, tap: 'laravel', events: 6, status: 'completed', joinedLate: false });
    expect(verdict.sessions[0]!.published).toBeUndefined();
    expect(verdict.comparisons).toEqual([]);
  });

  it('the journal refuses a tap that is not a non-empty string, naming the field', () => {
    expect(checkRecord({ type: 'frame', at: 1, connection: TAP, event: 'x', tap: 3 })).toEqual({
      ok: false,
      unknownType: false,
      message: 'frame record: "tap" must be a non-empty string (the tap\'s format: laravel or reverb)',
    });
    expect(checkRecord({ type: 'frame', at: 1, connection: TAP, event: 'x', tap: 'reverb' }).ok).toBe(true);
  });
});
