/**
 * Several mock nodes as one fleet, the way Reverb scales: three nodes in this process share one
 * real redis-server (Debian's, on a port the test picks) and its scaling channel. Real pusher-js
 * clients on every node, the official `pusher` SDK publishing to one node's HTTP API, the simulator
 * playing a generation on another, a client event whispered on the third, and EchoScope's Reverb
 * tap on the channel. Every expected event is one the test published (or the scenario it gave).
 */
import PusherSdk from 'pusher';
import Pusher from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { TapSettingsSchema, type TapStatus } from '../../shared/api';
import { parseScenario } from '../../shared/scenario';
import type { FrameRecord, JournalRecord } from '../../shared/journal';
import { RedisTap } from '../core/taps';
import { redisUnavailableReason, startRedis, type RedisServer } from '../../test-support/peers/redis';
import { RedisClient } from '../../test-support/peers/resp';
import { startMockServer, startScenario, type MockServer, type ScalingNotice } from './index';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Resolves when `done()` holds, checked on every `poke()`; rejects naming `what` after the timeout. */
function waiter() {
  const checks = new Set<() => void>();
  const poke = () => {
    for (const check of [...checks]) check();
  };
  const until = (done: () => boolean, what: string, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        checks.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        checks.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      checks.add(check);
      check();
    });
  return { poke, until };
}

interface Received {
  event: string;
  data: unknown;
}

/** A pusher-js client on `node` that records, per channel, every event it is given (protocol events left out). */
async function subscriber(node: MockServer, channels: string[], poke: () => void) {
  const client = new Pusher(node.apps[0]!.key, {
    cluster: '',
    wsHost: node.host,
    wsPort: node.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    channelAuthorization: { endpoint: `${node.httpUrl}/broadcasting/auth`, transport: 'ajax' },
  });
  cleanups.push(() => client.disconnect());
  const got = new Map<string, Received[]>(channels.map((name) => [name, []]));
  await Promise.all(
    channels.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const channel = client.subscribe(name);
          channel.bind_global((event: string, data: unknown) => {
            if (event.startsWith('pusher:') || event.startsWith('pusher_internal:')) return;
            got.get(name)!.push({ event, data });
            poke();
          });
          channel.bind('pusher:subscription_succeeded', () => resolve());
          channel.bind('pusher:subscription_error', (error: unknown) => reject(new Error(`subscription_error on ${name}: ${JSON.stringify(error)}`)));
        }),
    ),
  );
  return { client, got, socketId: () => client.connection.socket_id };
}

type Subscriber = Awaited<ReturnType<typeof subscriber>>;

/** EchoScope's Reverb tap on the scaling channel, recording its frames. */
async function tapOn(redis: RedisServer, poke: () => void, until: ReturnType<typeof waiter>['until']) {
  const records: JournalRecord[] = [];
  let status: TapStatus | undefined;
  const tap = new RedisTap(
    'fleet:tap',
    TapSettingsSchema.parse({ url: redis.url, format: 'reverb', channel: 'reverb', appId: 'echoscope' }),
    { record: (r) => (records.push(r), poke()), status: (s) => ((status = s), poke()) },
    () => Date.now(),
  );
  cleanups.push(() => tap.stop());
  tap.start();
  await until(() => status?.state === 'connected', 'the tap to subscribe');
  return { tap, frames: () => records.filter((r): r is FrameRecord => r.type === 'frame') };
}

async function node(redis: RedisServer, channel?: string): Promise<MockServer> {
  const server = await startMockServer({ scaling: channel === undefined ? { url: redis.url } : { url: redis.url, channel } });
  cleanups.push(() => server.close());
  return server;
}

const sdkFor = (server: MockServer) => {
  const app = server.apps[0]!;
  return new PusherSdk({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
};

const redisReason = redisUnavailableReason();
if (redisReason) console.log(`[mock scaling] skipped: ${redisReason}`);

describe.skipIf(redisReason !== null)('three mock nodes on one Redis scaling channel', () => {
  it('every subscriber on every node gets every event exactly once, in order — HTTP API on one node, the simulator on another, a whisper on the third — and the tap sees the fleet', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const { poke, until } = waiter();
    const tap = await tapOn(redis, poke, until);
    const [a, b, c] = [await node(redis), await node(redis), await node(redis)];
    const channels = ['news', 'private-ai.fleet', 'private-ai.sim1'];
    // Two subscribers per node, each on a public and two private channels.
    const subscribers: Subscriber[] = [];
    for (const server of [a, b, c]) for (let i = 0; i < 2; i++) subscribers.push(await subscriber(server, channels, poke));

    // 1. The official SDK publishes to node A only: five events on two channels, then a batch.
    const sdk = sdkFor(a);
    for (let n = 1; n <= 5; n++) await sdk.trigger(['news', 'private-ai.fleet'], 'chunk.delivered', { n });
    await sdk.triggerBatch([6, 7, 8].map((n) => ({ channel: 'private-ai.fleet', name: 'chunk.delivered', data: JSON.stringify({ n }) })));
    // One left out by socket id: a subscriber on node C.
    const leftOut = subscribers[4]!;
    await sdk.trigger('news', 'not-for-you', { n: 9 }, { socket_id: leftOut.socketId() });

    // 2. Node B plays a generation of six tokens on private-ai.sim1 (its own subscribers are there).
    const scenario = parseScenario({ name: 'fleet', seed: 7, tokens: 6, timing: { ttftMs: 5, interTokenMs: { uniform: [1, 3] } }, sessions: [{ id: 'sim1' }] });
    const run = startScenario(b, scenario, { appId: 'echoscope', waitForSubscriber: true });
    await run.done;

    // 3. A subscriber on node C whispers on the private channel: everyone but itself gets it.
    const whisperer = subscribers[5]!;
    whisperer.client.channel('private-ai.fleet')!.trigger('client-typing', { who: 'c2' });

    // Every publish confirmed by Redis, then a last marker on each channel from node A: the nodes
    // read the channel in one order, so once the marker is in, whatever came before it is too.
    await until(() => b.scaling()!.published === 7 && c.scaling()!.published === 1, 'nodes B and C to have published');
    for (const name of channels) await sdk.trigger(name, 'marker', {});
    await until(() => subscribers.every((s) => channels.every((name) => s.got.get(name)!.at(-1)?.event === 'marker')), 'the marker everywhere');

    const tokens = (name: string) => subscribers[0]!.got.get(name)!.filter((r) => r.event === 'chunk.delivered');
    const generation = tokens('private-ai.sim1').map((r) => r.data as { sequence: number; state: string; session_id: string });
    expect(generation.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(generation.map((e) => e.state)).toEqual(['generating', 'generating', 'generating', 'generating', 'generating', 'generating', 'completed']);
    const marker = { event: 'marker', data: {} };
    const expectedOf = (s: Subscriber) => ({
      news: [...[1, 2, 3, 4, 5].map((n) => ({ event: 'chunk.delivered', data: { n } })), ...(s === leftOut ? [] : [{ event: 'not-for-you', data: { n: 9 } }]), marker],
      'private-ai.fleet': [
        ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ event: 'chunk.delivered', data: { n } })),
        ...(s === whisperer ? [] : [{ event: 'client-typing', data: { who: 'c2' } }]),
        marker,
      ],
      'private-ai.sim1': [...generation.map((data) => ({ event: 'chunk.delivered', data })), marker],
    });
    for (const [index, s] of subscribers.entries()) {
      expect({ subscriber: index, got: Object.fromEntries(s.got) }).toEqual({ subscriber: index, got: expectedOf(s) });
    }

    // The tap read every broadcast of every node from the channel, the left-out socket named.
    const tapped = (name: string) => tap.frames().filter((f) => f.channel === name);
    await until(() => channels.every((name) => tapped(name).at(-1)?.event === 'marker'), 'the tap to read the markers');
    expect(tapped('news').map((f) => [f.event, f.data, f.exceptSocketId])).toEqual([
      ...[1, 2, 3, 4, 5].map((n) => ['chunk.delivered', { n }, undefined]),
      ['not-for-you', { n: 9 }, leftOut.socketId()],
      ['marker', {}, undefined],
    ]);
    expect(tapped('private-ai.fleet').map((f) => [f.event, f.data, f.exceptSocketId])).toEqual([
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => ['chunk.delivered', { n }, undefined]),
      ['client-typing', { who: 'c2' }, whisperer.socketId()],
      ['marker', {}, undefined],
    ]);
    expect(tapped('private-ai.sim1').map((f) => f.data)).toEqual([...generation, {}]);

    // Each node's generation records are its own: node B played sim1, node A never did.
    expect((await fetch(`${b.httpUrl}/api/generations/sim1`)).status).toBe(200);
    expect((await fetch(`${a.httpUrl}/api/generations/sim1`)).status).toBe(404);
    // Published is counted where it was published (one per channel), delivered where it was delivered.
    expect(a.counters()[0]!.apiEvents).toBe(5 * 2 + 3 + 1 + 3);
    expect(b.counters()[0]!.apiEvents).toBe(7);
    expect(c.counters()[0]!.clientEvents).toBe(1);
    expect(c.metricsText()).toContain('echoscope_mock_scaling_published_total{channel="reverb"} 1\n');
  }, 60_000);

  it('presence: a whisper carries its sender’s user_id to the other nodes, and terminate_connections reaches the user on every node', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const { poke, until } = waiter();
    const [a, b] = [await node(redis, 'fleet-2'), await node(redis, 'fleet-2')];
    const onA = await subscriber(a, ['presence-room'], poke);
    // The member on node B is "bob" (the auth endpoint takes the user from X-User-Id).
    const bob = new Pusher(b.apps[0]!.key, {
      cluster: '',
      wsHost: b.host,
      wsPort: b.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      channelAuthorization: { endpoint: `${b.httpUrl}/broadcasting/auth`, transport: 'ajax', headers: { 'X-User-Id': 'bob' } },
    });
    cleanups.push(() => bob.disconnect());
    await new Promise<void>((resolve) => bob.subscribe('presence-room').bind('pusher:subscription_succeeded', () => resolve()));
    let userIdSeen: string | undefined;
    onA.client.channel('presence-room')!.bind('client-wave', (_data: unknown, metadata: { user_id?: string }) => ((userIdSeen = metadata.user_id), poke()));
    bob.channel('presence-room')!.trigger('client-wave', { hi: 1 });
    await until(() => userIdSeen !== undefined, 'the whisper on node A');
    expect(userIdSeen).toBe('bob');

    // Terminated through node A's HTTP API; bob is connected to node B.
    const closed = new Promise<number>((resolve) => bob.connection.bind('error', (error: { data?: { code?: number } }) => resolve(error.data?.code ?? -1)));
    await sdkFor(a).terminateUserConnections('bob');
    expect(await closed).toBe(4009);
  }, 60_000);

  it('Redis unreachable at start: the node does not start, saying where it looked and why', async () => {
    const redis = await startRedis();
    await redis.close();
    await expect(startMockServer({ scaling: { url: redis.url } })).rejects.toThrow(
      new RegExp(`^cannot reach the scaling Redis at redis://127\\.0\\.0\\.1:${redis.port}: .*ECONNREFUSED`),
    );
  }, 30_000);

  it('Redis lost at run time: said, the HTTP API answers 503, every broadcast not published is counted; back, it delivers again', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const { poke, until } = waiter();
    const server = await node(redis);
    const notices: ScalingNotice[] = [];
    cleanups.push(server.onScalingNotice((notice) => (notices.push(notice), poke())));
    const client = await subscriber(server, ['news'], poke);
    const sdk = sdkFor(server);

    await redis.stop();
    await until(() => notices.some((n) => n.kind === 'lost'), 'the loss to be said');
    expect(server.scaling()).toMatchObject({ state: 'reconnecting', outages: 1 });
    // Published while Redis is down: the HTTP API refuses (nothing published), the simulator's path counts.
    await expect(sdk.trigger('news', 'during', { n: 1 })).rejects.toMatchObject({ status: 503 });
    server.publish({ channel: 'news', event: 'during', data: { n: 2 } });
    expect(notices.filter((n) => n.kind === 'not-published')).toEqual([{ kind: 'not-published', event: 'during', reason: expect.stringMatching(/^Redis is unreachable/) }]);
    expect(server.scaling()!.notPublished).toBe(2);
    expect(server.metricsText()).toContain('echoscope_mock_scaling_not_published_total{channel="reverb"} 2\n');

    await redis.restart();
    await until(() => notices.some((n) => n.kind === 'restored'), 'Redis to be back', 30_000);
    expect(notices.find((n) => n.kind === 'restored')).toMatchObject({ kind: 'restored', notPublished: 2 });
    await sdk.trigger('news', 'after', { n: 3 });
    await until(() => client.got.get('news')!.length > 0, 'the event after the restart');
    expect(client.got.get('news')).toEqual([{ event: 'after', data: { n: 3 } }]);
  }, 60_000);

  it('without scaling nothing changes: delivered at once, nothing written to Redis', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const { poke, until } = waiter();
    const tap = await tapOn(redis, poke, until);
    const server = await startMockServer();
    cleanups.push(() => server.close());
    const client = await subscriber(server, ['news'], poke);
    expect(server.publish({ channel: 'news', event: 'direct', data: { n: 1 } })).toBe(1);
    await until(() => client.got.get('news')!.length === 1, 'the direct event');
    expect(client.got.get('news')).toEqual([{ event: 'direct', data: { n: 1 } }]);
    expect(server.scaling()).toBeNull();
    expect(server.metricsText()).not.toContain('scaling');
    // A marker published straight to Redis: once the tap has it, it would have had the node's too.
    const publisher = await RedisClient.connect(redis.port);
    cleanups.push(() => publisher.close());
    const application = 'O:26:"Laravel\\Reverb\\Application":1:{s:5:"\u0000*\u0000id";s:9:"echoscope";}';
    await publisher.command('PUBLISH', 'reverb', JSON.stringify({ type: 'message', application, payload: { event: 'marker', channels: ['news'], data: '{}' } }));
    await until(() => tap.frames().length === 1, 'the marker');
    expect(tap.frames().map((f) => f.event)).toEqual(['marker']);
  }, 30_000);
});
