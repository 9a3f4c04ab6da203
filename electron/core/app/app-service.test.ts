import Pusher from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY, type ConnectionStatus, type PushPayload, type SessionRow, type TopicDelta, type TopicState } from '../../../shared/api';
import { startMockServer, type MockServer } from '../../mock';
import { AppService } from './app-service';

let mock: MockServer | undefined;
let service: AppService | undefined;
afterEach(async () => {
  service?.close();
  await mock?.close();
  service = undefined;
  mock = undefined;
});

/** Resolves with the first session row matching `check` a subscription to the Live window shows (snapshot or delta). */
function nextRow(svc: AppService, check: (row: SessionRow) => boolean, timeoutMs = 30_000): Promise<SessionRow> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching session row')), timeoutMs);
    const found = (rows: readonly SessionRow[]): boolean => {
      const row = rows.find(check);
      if (row === undefined) return false;
      clearTimeout(timer);
      svc.removePushTarget(target);
      resolve(row);
      return true;
    };
    const target = svc.addPushTarget((push, payload) => {
      if (push !== 'subscriptions.deltas') return;
      for (const { delta } of (payload as PushPayload<'subscriptions.deltas'>).items) if (found((delta as TopicDelta<'live'>).rows)) return;
    });
    target.ready();
    void svc.handle('subscriptions.subscribe', { id: 'rows', topic: 'live', params: { offset: 0, limit: 1000, query: DEFAULT_QUERY } }, target).then((result) => {
      if (result.ok) found((result.value as { snapshot: TopicState<'live'> }).snapshot.rows);
    });
  });
}

/** Resolves when a push matching `check` arrives. */
function nextPush<T>(svc: AppService, name: 'connections.status', check: (payload: T) => boolean, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching ${name} push`)), timeoutMs);
    const target = svc.addPushTarget((push, payload) => {
      if (push === name && check(payload as T)) {
        clearTimeout(timer);
        svc.removePushTarget(target);
        resolve(payload as T);
      }
    });
    target.ready();
  });
}

describe('AppService monitor path against the mock provider', () => {
  it('reconnects after a server restart; the session spanning the outage shows a disconnect and its gap', async () => {
    mock = await startMockServer({ port: 0 });
    const port = mock.port;
    const app = mock.apps[0]!;
    service = new AppService({ transport: 'browser', version: 't', monitor: { tickMs: 100 } });
    await service.invoke('profiles.save', {
      id: 'p',
      name: 'p',
      kind: 'reverb',
      host: mock.host,
      port,
      key: app.key,
      auth: { mode: 'secret', secret: app.secret },
      channels: ['private-ai.r1'],
    });
    const subscribed = nextPush<{ items: ConnectionStatus[] }>(service, 'connections.status', (p) => p.items.some((s) => s.channels.some((c) => c.status === 'subscribed')));
    await service.invoke('connections.connect', { profileId: 'p' });
    await subscribed;
    const send = async (server: MockServer, sequence: number, state = 'generating', code: string | null = null) =>
      new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false }).trigger('private-ai.r1', 'chunk.delivered', {
        session_id: 'r1',
        chunk: `${sequence} `,
        sequence,
        state,
        termination_code: code,
      });
    const three = nextRow(service, (r) => r.sessionId === 'r1' && r.events === 3);
    for (const sequence of [1, 2, 3]) await send(mock, sequence);
    await three;

    await mock.close();
    const down = nextPush<{ items: ConnectionStatus[] }>(service, 'connections.status', (p) =>
      p.items.some((s) => s.state === 'unavailable' || s.state === 'connecting' || s.state === 'disconnected'),
    );
    await down;
    // Sequences 4 and 5 are emitted while the socket is down: nobody receives them.
    mock = await startMockServer({ port, apps: [app] });
    const back = nextPush<{ items: ConnectionStatus[] }>(
      service,
      'connections.status',
      (p) => p.items.some((s) => s.state === 'connected' && s.channels.some((c) => c.name === 'private-ai.r1' && c.status === 'subscribed')),
      40_000,
    );
    await back;
    const done = nextRow(service, (r) => r.sessionId === 'r1' && r.status === 'completed');
    for (const sequence of [6, 7]) await send(mock, sequence);
    await send(mock, 8, 'completed', 'end_turn');
    const final = await done;
    expect(final).toMatchObject({ disconnects: 1, missing: 2, maxSequence: 8, anomalyKinds: expect.arrayContaining(['disconnect', 'gap']) });
    const detail = await service.invoke('sessions.get', { sessionId: 'r1' });
    expect(detail.ok && detail.value.gaps).toEqual([{ from: 4, to: 5 }]);
    const events = await service.invoke('sessions.events', { sessionId: 'r1', limit: 100 });
    expect(events.ok && events.value.map((e) => (e.data as { sequence: number }).sequence)).toEqual([1, 2, 3, 6, 7, 8]);
  }, 90_000);

  it('reconciles an ended session with the generation record and reports the mismatch', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    service = new AppService({ transport: 'browser', version: 't', monitor: { tickMs: 100 } });
    await service.invoke('profiles.save', {
      id: 'p',
      name: 'p',
      kind: 'reverb',
      host: mock.host,
      port: mock.port,
      key: app.key,
      auth: { mode: 'secret', secret: app.secret },
      channels: ['private-ai.g1', 'private-ai.g2'],
      reconcile: { url: `${mock.httpUrl}/api/generations/{sessionId}`, headers: {} },
    });
    const record = (id: string, text: string, last: number) => ({
      session_id: id,
      progress: 'completed',
      last_seq: last,
      accumulated_text: text,
      final_text: text,
      termination_code: 'end_turn',
      failure_detail: null,
      initiated_at: null,
      last_save_at: null,
      resolved_at: null,
    });
    mock.generations.put(record('g1', 'ab', 2));
    mock.generations.put(record('g2', 'abcd', 4)); // the app saved 4 tokens; the client will get 2
    const subscribed = nextPush<{ items: ConnectionStatus[] }>(service, 'connections.status', (p) =>
      p.items.some((s) => s.channels.filter((c) => c.status === 'subscribed').length === 2),
    );
    await service.invoke('connections.connect', { profileId: 'p' });
    await subscribed;
    const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: mock.host, port: String(mock.port), useTLS: false });
    const reconciled = nextRow(service, (r) => r.sessionId === 'g2' && r.anomalyKinds.includes('reconcile_mismatch'));
    for (const id of ['g1', 'g2']) {
      await sdk.trigger(`private-ai.${id}`, 'chunk.delivered', { session_id: id, chunk: 'a', sequence: 1, state: 'generating', termination_code: null });
      await sdk.trigger(`private-ai.${id}`, 'chunk.delivered', { session_id: id, chunk: 'b', sequence: 2, state: 'generating', termination_code: null });
      await sdk.trigger(`private-ai.${id}`, 'chunk.delivered', { session_id: id, chunk: '', sequence: 3, state: 'completed', termination_code: 'end_turn' });
    }
    await reconciled;
    const g1 = await service.invoke('sessions.get', { sessionId: 'g1' });
    const g2 = await service.invoke('sessions.get', { sessionId: 'g2' });
    expect(g1.ok && g1.value.reconcile).toMatchObject({ ok: true, mismatches: [] });
    expect(g2.ok && g2.value.reconcile?.mismatches.map((m) => m.field).sort()).toEqual(['last_seq', 'text']);
    expect(g2.ok && g2.value.anomalies.some((a) => a.kind === 'reconcile_mismatch')).toBe(true);
  }, 30_000);

  it('sessions.reconcile compares again on demand: a mismatch the app fixed since shows as resolved', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    // A long settle window: only the first terminal and the command compare here.
    service = new AppService({ transport: 'browser', version: 't', monitor: { tickMs: 100 }, reconcile: { settleMs: 3_600_000 } });
    await service.invoke('profiles.save', {
      id: 'p',
      name: 'p',
      kind: 'reverb',
      host: mock.host,
      port: mock.port,
      key: app.key,
      auth: { mode: 'secret', secret: app.secret },
      channels: ['private-ai.m1'],
      reconcile: { url: `${mock.httpUrl}/api/generations/{sessionId}`, headers: {} },
    });
    const record = (progress: string, text: string) => ({
      session_id: 'm1',
      progress,
      last_seq: 2,
      accumulated_text: text,
      final_text: progress === 'completed' ? text : null,
      termination_code: null,
      failure_detail: null,
      initiated_at: null,
      last_save_at: null,
      resolved_at: null,
    });
    mock.generations.put(record('active', 'a'));
    const subscribed = nextPush<{ items: ConnectionStatus[] }>(service, 'connections.status', (p) => p.items.some((s) => s.channels.some((c) => c.status === 'subscribed')));
    await service.invoke('connections.connect', { profileId: 'p' });
    await subscribed;
    const mismatched = nextRow(service, (r) => r.sessionId === 'm1' && r.anomalyKinds.includes('reconcile_mismatch'));
    const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: mock.host, port: String(mock.port), useTLS: false });
    await sdk.trigger('private-ai.m1', 'chunk.delivered', { session_id: 'm1', chunk: 'a', sequence: 1, state: 'generating', termination_code: null });
    await sdk.trigger('private-ai.m1', 'chunk.delivered', { session_id: 'm1', chunk: 'b', sequence: 2, state: 'generating', termination_code: null });
    await sdk.trigger('private-ai.m1', 'chunk.delivered', { session_id: 'm1', chunk: '', sequence: 3, state: 'completed', termination_code: 'end_turn' });
    await mismatched;

    mock.generations.put(record('completed', 'ab'));
    const rerun = await service.invoke('sessions.reconcile', { sessionId: 'm1' });
    expect(rerun.ok).toBe(true);
    if (!rerun.ok) return;
    expect(rerun.value).toMatchObject({ ok: true, trigger: 'manual', mismatches: [] });
    expect(rerun.value.history!.map((c) => c.trigger)).toEqual(['terminal', 'manual']);
    expect(rerun.value.resolved!.map((r) => r.field).sort()).toEqual(['progress', 'text']);
    const detail = await service.invoke('sessions.get', { sessionId: 'm1' });
    expect(detail.ok && detail.value.reconcile?.resolved).toHaveLength(2);

    expect(await service.invoke('sessions.reconcile', { sessionId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  }, 30_000);
});
