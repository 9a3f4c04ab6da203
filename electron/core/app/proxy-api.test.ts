/**
 * The fault proxy through the App API (what the Proxy view calls): started in front of the real
 * mock, a real pusher-js client through it, its rules changed while it runs. Expected values come
 * from what the test published and the rules it set.
 */
import Pusher from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock';
import { signChannel } from '../../mock/signature';
import { eventually } from '../../../test-support/raw-pusher-client';
import { AppService } from './app-service';

let mock: MockServer | undefined;
let service: AppService | undefined;
let client: Pusher | undefined;
afterEach(async () => {
  client?.disconnect();
  service?.close();
  await mock?.close();
});

const payload = (sequence: number, state = 'generating') => ({
  session_id: 'pa',
  sequence,
  state,
  chunk: state === 'generating' ? `t${sequence} ` : '',
  termination_code: state === 'generating' ? null : 'end_turn',
});

describe('proxy.* commands', () => {
  it('start, change the rules while a client streams through it, stop with the ground truth; its clients are sessions in Live', async () => {
    mock = await startMockServer();
    const app = mock.apps[0]!;
    service = new AppService({ transport: 'browser', version: 't', monitor: { tickMs: 50 } });
    expect(await service.invoke('proxy.status', {})).toEqual({ ok: true, value: null });
    const started = await service.invoke('proxy.start', { upstream: `ws://127.0.0.1:${mock.port}` });
    if (!started.ok) throw new Error(started.error.message);
    expect(started.value).toMatchObject({ upstream: `ws://127.0.0.1:${mock.port}`, protocol: 'pusher', connectionPrefix: 'proxy', clients: 0, faults: { faults: [] } });
    const unknownWire = await service.invoke('proxy.start', { upstream: `ws://127.0.0.1:${mock.port}`, protocol: 'stomp' } as never);
    expect(unknownWire.ok ? null : unknownWire.error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('protocol') });
    const again = await service.invoke('proxy.start', { upstream: `ws://127.0.0.1:${mock.port}` });
    expect(again.ok ? null : again.error.code).toBe('conflict');

    client = new Pusher(app.key, {
      cluster: 'mt1',
      wsHost: '127.0.0.1',
      wsPort: Number(new URL(started.value.url).port),
      forceTLS: false,
      enabledTransports: ['ws'],
      channelAuthorization: { endpoint: 'unused', transport: 'ajax', customHandler: (p, cb) => cb(null, { auth: signChannel(app.key, app.secret, p.socketId, p.channelName) }) },
    });
    const got: number[] = [];
    await new Promise<void>((resolve) => client!.subscribe('private-ai.pa').bind('pusher:subscription_succeeded', () => resolve()));
    client.channel('private-ai.pa')!.bind('chunk.delivered', (data: { sequence: number }) => got.push(data.sequence));
    for (const sequence of [1, 2]) mock.publish({ channel: 'private-ai.pa', event: 'chunk.delivered', data: payload(sequence) });
    await eventually(() => got.length === 2, 5000, 'two events');

    const changed = await service.invoke('proxy.faults', { faults: [{ kind: 'drop', event: 'chunk.delivered', nth: [1] }] });
    expect(changed.ok && changed.value.faults.faults).toEqual([{ kind: 'drop', event: 'chunk.delivered', nth: [1] }]);
    const refused = await service.invoke('proxy.faults', { faults: [{ kind: 'delay' } as never] });
    expect(refused.ok ? '' : refused.error.message).toMatch(/delayMs/);
    for (const sequence of [3, 4]) mock.publish({ channel: 'private-ai.pa', event: 'chunk.delivered', data: payload(sequence) });
    mock.publish({ channel: 'private-ai.pa', event: 'chunk.delivered', data: payload(5, 'completed') });
    await eventually(() => got.length === 4, 5000, 'the rest but the dropped one');
    expect(got).toEqual([1, 2, 4, 5]);

    const status = await service.invoke('proxy.status', {});
    expect(status.ok && status.value).toMatchObject({ clients: 1, open: 1, applied: { drop: 1, duplicate: 0 } });
    await eventually(() => service!.monitor.list().rows.some((r) => r.sessionId === 'pa' && r.status === 'completed'), 5000, 'the session in Live');
    expect(service.monitor.list().rows.find((r) => r.sessionId === 'pa')).toMatchObject({ missing: 1, connection: 'proxy:1' });

    const stopped = await service.invoke('proxy.stop', {});
    expect(stopped.ok && stopped.value.stopped).toBe(true);
    const truth = (stopped.ok ? stopped.value.truth : null) as { clients: Array<{ events: Array<{ index: number; deliveries: unknown[] }> }>; ruleSets: unknown[] };
    expect(truth.ruleSets).toHaveLength(2);
    expect(truth.clients[0]!.events.map((e) => e.deliveries.length)).toEqual([1, 1, 0, 1, 1]);
    expect(await service.invoke('proxy.status', {})).toEqual({ ok: true, value: null });
    const second = await service.invoke('proxy.start', { upstream: `ws://127.0.0.1:${mock.port}` });
    expect(second.ok && second.value.connectionPrefix).toBe('proxy-2');
    await service.invoke('proxy.stop', {});
  }, 20_000);

  it('says what is wrong with an upstream or a port', async () => {
    service = new AppService({ transport: 'browser', version: 't' });
    const bad = await service.invoke('proxy.start', { upstream: 'http://example.test' });
    expect(bad.ok ? '' : bad.error.message).toMatch(/ws:\/\/host:port/);
    const first = await service.invoke('proxy.start', { upstream: 'ws://127.0.0.1:9' });
    if (!first.ok) throw new Error(first.error.message);
    const port = Number(new URL(first.value.url).port);
    await service.invoke('proxy.stop', {});
    const holder = await service.invoke('proxy.start', { upstream: 'ws://127.0.0.1:9', port });
    expect(holder.ok).toBe(true);
    const other = new AppService({ transport: 'browser', version: 't' });
    const taken = await other.invoke('proxy.start', { upstream: 'ws://127.0.0.1:9', port });
    expect(taken.ok ? '' : taken.error.message).toBe(`port ${port} is in use: choose another, or 0 for any free port`);
    other.close();
    await service.invoke('proxy.stop', {});
  });
});
