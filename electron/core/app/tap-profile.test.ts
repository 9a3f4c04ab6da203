import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer } from '../../mock';
import { redisUnavailableReason, startRedis } from '../../../test-support/peers/redis';
import { RedisClient } from '../../../test-support/peers/resp';
import { AppService } from './app-service';

/**
 * A session only a profile's tap saw (published on a channel no client subscribed to) is that
 * profile's: its reconciliation follows the profile's record URL. Real redis-server, our mock
 * provider for the profile's connection; the app's record route is a stub (outside our control).
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const reason = redisUnavailableReason();
if (reason) console.log(`[tap profile] skipped: ${reason}`);

describe.skipIf(reason !== null)("a profile's tap", () => {
  it('a session first seen by the tap is reconciled with its profile’s record', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const mock = await startMockServer({ port: 0 });
    cleanups.push(() => mock.close());
    const asked: string[] = [];
    const records: Server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ progress: 'completed', last_seq: 3, final_text: 'ab', termination_code: 'end_turn' }));
    });
    await new Promise<void>((resolve) => records.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => records.close(() => resolve())));
    const app = mock.apps[0]!;
    const service = new AppService({ transport: 'browser', version: 't', monitor: { tickMs: 50 } });
    cleanups.push(() => service.close());
    const saved = await service.invoke('profiles.save', {
      id: 'local',
      name: 'local',
      kind: 'reverb',
      host: mock.host,
      port: mock.port,
      key: app.key,
      auth: { mode: 'secret', secret: app.secret },
      reconcile: { url: `http://127.0.0.1:${(records.address() as AddressInfo).port}/api/generations/{sessionId}`, headers: {}, settleMs: 60_000 },
      tap: { url: redis.url, prefix: '' },
    });
    expect(saved.ok).toBe(true);
    await service.invoke('connections.connect', { profileId: 'local' });
    const connected = () => service.hub.status('local')?.tap?.state === 'connected';
    for (const deadline = Date.now() + 15_000; !connected();) {
      if (Date.now() > deadline) throw new Error('the tap did not connect');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const publisher = await RedisClient.connect(redis.port);
    cleanups.push(() => publisher.close());
    const chunks = [
      { chunk: 'a', sequence: 1, state: 'generating', termination_code: null },
      { chunk: 'b', sequence: 2, state: 'generating', termination_code: null },
      { chunk: '', sequence: 3, state: 'completed', termination_code: 'end_turn' },
    ];
    for (const c of chunks)
      await publisher.command('PUBLISH', 'private-ai.nobody', JSON.stringify({ event: 'chunk.delivered', data: { session_id: 'nobody', ...c }, socket: null }));
    for (const deadline = Date.now() + 15_000; ;) {
      const detail = await service.invoke('sessions.get', { sessionId: 'nobody' });
      if (detail.ok && detail.value.reconcile !== null) {
        expect(detail.value.row).toMatchObject({ connection: 'local:tap', tap: 'laravel', status: 'completed', observations: 1 });
        expect(detail.value.reconcile).toMatchObject({ ok: true, mismatches: [] });
        break;
      }
      if (Date.now() > deadline) throw new Error(`no reconciliation; the record route was asked ${JSON.stringify(asked)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(asked).toContain('/api/generations/nobody');
  }, 60_000);
});
