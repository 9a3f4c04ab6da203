import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyTopicDelta, DEFAULT_QUERY, topics, type SessionRow, type TopicDelta, type TopicName, type TopicParams, type TopicState } from '../../../shared/api';
import type { FrameRecord, JournalRecord } from '../../../shared/journal';
import { inProcessClient, type InProcessClient } from '../../../test-support/in-process-client';
import { VirtualClock } from '../../../test-support/virtual-clock';
import { AppService } from './app-service';
import { SESSION_REVALIDATE_MS } from './topics/session-topic';

/**
 * Subscriptions of the App API (issue 19, item 7), in process: AppService with a virtual clock
 * (the monitor's ticks and each client's 100 ms flushes run on it), clients as the transports make
 * them (test-support/in-process-client: every message through JSON, every push counted). Records
 * are captured as the hub hands them over; what is expected follows from the records built here.
 */

const T0 = 1_732_262_400_000;

let services: AppService[] = [];
afterEach(() => {
  for (const service of services) service.close();
  services = [];
});

function host(clock: VirtualClock): AppService {
  const service = new AppService({ transport: 'browser', version: 't', clock: clock.now, monitor: { timers: clock, tickMs: 100 } });
  services.push(service);
  return service;
}

function client(service: AppService, clock: VirtualClock): InProcessClient {
  const made = inProcessClient(service, { timers: clock, intervalMs: 100 });
  made.api.ready();
  return made;
}

const chunk = (sessionId: string, sequence: number, at: number, extra: Partial<{ chunk: string; state: string; code: string | null; connection: string }> = {}): FrameRecord => ({
  type: 'frame',
  at,
  connection: extra.connection ?? 'c1',
  channel: `private-ai.${sessionId}`,
  event: 'chunk.delivered',
  data: {
    session_id: sessionId,
    chunk: extra.chunk ?? `t${sequence} `,
    sequence,
    state: extra.state ?? 'generating',
    termination_code: extra.code ?? null,
  },
});

const subscribed = (sessionId: string, at: number, connection = 'c1'): JournalRecord => ({
  type: 'subscription',
  at,
  connection,
  channel: `private-ai.${sessionId}`,
  status: 'subscribed',
});

/** A subscription's state as a view keeps it: the snapshot, then every delta applied. */
async function follow<T extends TopicName>(api: InProcessClient['api'], topic: T, params: TopicParams<T>) {
  const answer = await api.subscribe(topic, params);
  if (!answer.ok) throw new Error(answer.error.message);
  const parsed = topics[topic].params.parse(params) as Parameters<typeof applyTopicDelta<T>>[3];
  const view = { state: answer.value.snapshot as TopicState<T>, deltas: 0, subscription: answer.value, last: null as TopicDelta<T> | null };
  answer.value.onDelta((delta) => {
    view.state = applyTopicDelta(topic, view.state, delta, parsed);
    view.deltas++;
    view.last = delta;
  });
  return view;
}

/** Deltas of session rows among what a client was sent (the Live window's, with rows in them). */
function rowPushes(sent: InProcessClient['sent']): number {
  return sent.filter((m) => m.push === 'subscriptions.deltas' && JSON.stringify(m.payload).includes('"sessionId"')).length;
}

describe('subscriptions', () => {
  it('a window with no Live view gets no row pushes while frames flow; one with it gets them', async () => {
    const clock = new VirtualClock(T0);
    const service = host(clock);
    const bare = client(service, clock);
    const live = client(service, clock);
    const view = await follow(live.api, 'live', { offset: 0, limit: 50, query: DEFAULT_QUERY });
    expect(view.state).toMatchObject({ total: 0, sessions: 0, rows: [] });

    service.capture(subscribed('a', T0));
    for (let i = 1; i <= 200; i++) {
      service.capture(chunk('a', i, clock.now()));
      if (i % 5 === 0) service.capture(chunk(`b${i}`, 1, clock.now()));
      clock.advance(10);
    }
    clock.advance(200);

    expect(rowPushes(live.sent)).toBeGreaterThan(5);
    expect(view.state.sessions).toBe(41);
    expect(view.state.rows.find((row) => row.sessionId === 'a')).toMatchObject({ events: 200, maxSequence: 200 });
    // The bare window got the connection-less start and nothing since: no rows, no deltas at all.
    expect(bare.sent.filter((m) => m.push !== 'connections.status')).toEqual([]);
    expect(rowPushes(bare.sent)).toBe(0);
  });

  it('the Live window is the host’s filter, sort and slice: a delta names the window’s ids and carries only new or changed rows', async () => {
    const clock = new VirtualClock(T0);
    const service = host(clock);
    const live = client(service, clock);
    for (let i = 0; i < 30; i++) service.capture(chunk(`s${String(i).padStart(2, '0')}`, 1, clock.now() + i));
    clock.advance(100);
    const view = await follow(live.api, 'live', { offset: 5, limit: 10, query: { ...DEFAULT_QUERY, sort: 'sessionId', descending: false } });
    expect(view.state.total).toBe(30);
    expect(view.state.rows.map((row) => row.sessionId)).toEqual(['s05', 's06', 's07', 's08', 's09', 's10', 's11', 's12', 's13', 's14']);

    service.capture(chunk('s07', 2, clock.now()));
    clock.advance(100);
    expect(view.last?.rows.map((row: SessionRow) => row.sessionId)).toEqual(['s07']);
    expect(view.state.rows.find((row) => row.sessionId === 's07')?.events).toBe(2);

    // A session sorted before the window shifts it by one: one new row, the ids in their new order.
    service.capture(chunk('s00a', 1, clock.now()));
    clock.advance(100);
    expect(view.last?.rows.map((row: SessionRow) => row.sessionId)).toEqual(['s04']);
    expect(view.state.rows.map((row) => row.sessionId)).toEqual(['s04', 's05', 's06', 's07', 's08', 's09', 's10', 's11', 's12', 's13']);
    const fresh = await follow(live.api, 'live', { offset: 5, limit: 10, query: { ...DEFAULT_QUERY, sort: 'sessionId', descending: false } });
    expect(view.state).toStrictEqual(fresh.state);
  });

  it('unsubscribe stops the deltas and frees the subscription; a client that goes frees all of its own', async () => {
    const clock = new VirtualClock(T0);
    const service = host(clock);
    const one = client(service, clock);
    const other = client(service, clock);
    const tail = await follow(one.api, 'tail', {});
    const session = await follow(one.api, 'session', { sessionId: 'a' });
    await follow(one.api, 'fleet', {});
    await follow(other.api, 'live', { offset: 0, limit: 10, query: DEFAULT_QUERY });
    expect([service.subscriptionCount(), service.subscriptionCount('tail'), service.subscriptionCount('session')]).toEqual([4, 1, 1]);

    service.capture(chunk('a', 1, clock.now()));
    clock.advance(100);
    expect([tail.deltas, session.deltas]).toEqual([1, 1]);

    await tail.subscription.unsubscribe();
    expect(service.subscriptionCount('tail')).toBe(0);
    service.capture(chunk('a', 2, clock.now()));
    clock.advance(100);
    expect([tail.deltas, session.deltas]).toEqual([1, 2]);
    expect(await one.api.invoke('subscriptions.unsubscribe', { id: tail.subscription.id })).toEqual({ ok: true, value: { unsubscribed: false } });

    // The window closes: its session and fleet subscriptions go with it, the other window's stays.
    const before = one.sent.length;
    service.removePushTarget(one.target);
    expect([service.subscriptionCount(), service.subscriptionCount('live')]).toEqual([1, 1]);
    service.capture(chunk('a', 3, clock.now()));
    clock.advance(100);
    expect(one.sent.length).toBe(before);
  });

  it('a subscription id is the subscriber’s: a second one with it is refused, and another client may use it', async () => {
    const clock = new VirtualClock(T0);
    const service = host(clock);
    const one = client(service, clock);
    const other = client(service, clock);
    const request = { id: 'x-1', topic: 'fleet', params: {} } as const;
    expect(await one.api.invoke('subscriptions.subscribe', request)).toMatchObject({ ok: true, value: { id: 'x-1' } });
    expect(await one.api.invoke('subscriptions.subscribe', request)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await other.api.invoke('subscriptions.subscribe', request)).toMatchObject({ ok: true });
    // In-process callers have no window: nothing to hold a subscription.
    expect(await service.invoke('subscriptions.subscribe', request)).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await one.api.invoke('subscriptions.subscribe', { id: 'x-2', topic: 'live', params: { offset: -1, limit: 10, query: DEFAULT_QUERY } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringContaining('params.offset') },
    });
  });

  it('the record tail is filtered per subscriber: one connection’s frames, or connection changes only', async () => {
    const clock = new VirtualClock(T0);
    const service = host(clock);
    service.capture(chunk('a', 1, T0, { connection: 'c1' }));
    service.capture(chunk('b', 1, T0, { connection: 'c2' }));
    const c = client(service, clock);
    const c2 = await follow(c.api, 'tail', { connection: 'c2' });
    const changes = await follow(c.api, 'tail', { types: ['connection'] });
    expect(c2.state.items.map((r) => r.connection)).toEqual(['c2']);
    expect(changes.state.items).toEqual([]);
    service.capture(chunk('a', 2, T0 + 1, { connection: 'c1' }));
    service.capture({ type: 'connection', at: T0 + 2, connection: 'c2', state: 'unavailable' });
    service.capture(chunk('b', 2, T0 + 3, { connection: 'c2' }));
    clock.advance(100);
    expect(c2.state.items.map((r) => [r.type, r.at])).toEqual([
      ['frame', T0],
      ['connection', T0 + 2],
      ['frame', T0 + 3],
    ]);
    expect(changes.state.items.map((r) => r.type)).toEqual(['connection']);
  });

  it('the fleet topic follows the monitor: a delta is the new summary, equal to a fresh fleet.summary', async () => {
    const clock = new VirtualClock(T0);
    const service = host(clock);
    const c = client(service, clock);
    const fleet = await follow(c.api, 'fleet', { bucketMs: 1000 });
    expect(fleet.state.summary.sessions).toBe(0);
    service.capture(chunk('a', 1, clock.now()));
    service.capture(chunk('a', 2, clock.now(), { state: 'completed', code: 'end_turn', chunk: '' }));
    clock.advance(100);
    expect(fleet.deltas).toBe(1);
    const fresh = await c.api.invoke('fleet.summary', { bucketMs: 1000 });
    expect(fresh.ok && fleet.state).toStrictEqual(fresh.ok && fresh.value);
    // Nothing changed: no delta.
    clock.advance(1000);
    expect(fleet.deltas).toBe(1);
  });

  it('the detail of a streaming session stays equal to a fresh sessions.get after 10,000 deltas', async () => {
    const clock = new VirtualClock(T0);
    const service = host(clock);
    const c = client(service, clock);
    const cut = { sessionId: 's1', maxTextChars: 4000 };
    // Subscribed before the session exists: null, then the whole detail once it is seen, then patches.
    const detail = await follow(c.api, 'session', cut);
    const whole = await follow(c.api, 'session', { sessionId: 's1' });
    expect(detail.state).toBeNull();

    const fresh = async (params: TopicParams<'session'>) => {
      const answer = await c.api.invoke('sessions.get', params);
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.value;
    };
    service.capture(subscribed('s1', clock.now()));
    service.capture(subscribed('s1', clock.now(), 'c2'));
    let sequence = 0;
    let step = 0;
    while (detail.deltas < 10_000) {
      step++;
      const at = clock.now();
      sequence++;
      service.capture(chunk('s1', sequence, at));
      // Faults along the way, so texts change in the middle, anomalies grow and the verdict moves.
      if (step % 97 === 0) service.capture(chunk('s1', sequence - 3, at + 1)); // duplicate
      if (step % 389 === 0) service.capture(chunk('s1', sequence - 5, at + 2, { chunk: 'conflicting ' })); // conflict
      if (step % 151 === 0) sequence++; // a gap, filled late below (out of order)
      if (step % 151 === 3) service.capture(chunk('s1', sequence - 3, at + 3));
      if (step % 500 === 0) service.capture(chunk('s1', sequence, at + 4, { connection: 'c2' })); // a second vantage
      if (step === 6000) clock.advance(9000); // a stall
      clock.advance(100);
      if (step % 2000 === 0) {
        expect(detail.state).toStrictEqual(await fresh(cut));
        expect(whole.state).toStrictEqual(await fresh({ sessionId: 's1' }));
      }
    }
    service.capture(chunk('s1', sequence + 1, clock.now(), { state: 'completed', code: 'end_turn', chunk: '' }));
    service.capture(chunk('s1', sequence + 2, clock.now() + 1)); // after the terminal event
    clock.advance(100);

    expect(detail.deltas).toBeGreaterThanOrEqual(10_000);
    const end = await fresh(cut);
    expect(end.row).toMatchObject({ status: 'completed', afterTerminal: 1, observations: 2 });
    expect(end.row.duplicates).toBeGreaterThan(100);
    expect(end.anomalies.length).toBeGreaterThan(100);
    expect(end.textLength).toBeGreaterThan(4000);
    expect(detail.state).toStrictEqual(end);
    expect(whole.state).toStrictEqual(await fresh({ sessionId: 's1' }));
    // Patches, not the detail again and again: every delta after the first was a patch.
    expect(detail.last?.kind).toBe('patch');
  }, 120_000);
});

describe('an open session detail', () => {
  it('catches up within SESSION_REVALIDATE_MS with a detail that changed without a recompute notice, and sends nothing while it does not change', async () => {
    const clock = new VirtualClock(T0);
    const service = host(clock);
    const tab = client(service, clock);
    service.capture(subscribed('quiet', T0));
    for (let seq = 1; seq <= 3; seq++) service.capture(chunk('quiet', seq, T0 + seq));
    service.capture(chunk('quiet', 4, T0 + 4, { state: 'completed', code: 'end_turn', chunk: '' }));
    await clock.advanceAsync(200);
    const view = await follow(tab.api, 'session', { sessionId: 'quiet' });
    const real = service.monitor.detail('quiet')!;
    expect(view.state).not.toBeNull();
    // nothing changes: however long the page stays open, no delta is sent
    await clock.advanceAsync(SESSION_REVALIDATE_MS * 3);
    expect(view.deltas).toBe(0);
    // the monitor's detail moves on without telling (a stand-in for a change no recompute announced)
    const moved = { ...real, text: `${real.text}!` };
    const spy = vi.spyOn(service.monitor, 'detail').mockReturnValue(moved);
    await clock.advanceAsync(SESSION_REVALIDATE_MS + 200);
    spy.mockRestore();
    expect(view.deltas).toBe(1);
    expect(view.state!.text).toBe(moved.text);
  });
});
