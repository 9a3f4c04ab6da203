/**
 * Published versus delivered on a real stack (issue 20): laravel-echo-server with its Redis
 * (test-support/peers), broadcasts published to that Redis exactly as Laravel's RedisBroadcaster
 * does, two EchoScope client connections (Socket.IO, through laravel-echo) and a tap on the same
 * Redis riding on the first one's profile. The second client is disconnected after #10 and comes
 * back after #20, so it cannot have received #11–#20; #21 is published leaving its socket out
 * (`toOthers()`), so it is not its to get. The expected loss is what the test did, not what the
 * analyzer says. Only the Laravel app's auth endpoint is played by a stub (outside our
 * control), as in the peer tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { tapConnectionId, type ProfileInput } from '../../../shared/api';
import { analyzeJournal } from '../../../shared/analysis';
import type { FrameRecord, JournalRecord } from '../../../shared/journal';
import { laravelEchoServerUnavailableReason, LARAVEL_REDIS_PREFIX, startLaravelEchoServer } from '../../../test-support/peers/laravel-echo-server';
import { RedisClient } from '../../../test-support/peers/resp';
import { AppService } from '../app';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const SESSION = 'pd1';
const CHANNEL = `private-ai.${SESSION}`;
const LES_CLIENT = { appId: 'echoscope-test', key: 'les-api-key' };

const payload = (sequence: number, last: number) => ({
  session_id: SESSION,
  chunk: sequence === last ? '' : `t${sequence} `,
  sequence,
  state: sequence === last ? 'completed' : 'generating',
  termination_code: sequence === last ? 'end_turn' : null,
});

const reason = laravelEchoServerUnavailableReason();
if (reason) console.log(`[taps] published-versus-delivered skipped: ${reason}`);

describe.skipIf(reason !== null)('published versus delivered through laravel-echo-server', () => {
  it('a session published to two clients while one was away: its missing sequences are delivery loss of that client only', async () => {
    // The user's Laravel app (outside our control): authorizes every private channel.
    const app: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"channel_data":null}'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => app.close(() => resolve())));
    const les = await startLaravelEchoServer({ authHost: `http://127.0.0.1:${(app.address() as AddressInfo).port}`, clients: [LES_CLIENT], devMode: false });
    cleanups.push(() => les.close());
    const subscribers = async () =>
      ((await (await fetch(`http://${les.host}:${les.port}/apps/${LES_CLIENT.appId}/channels/${CHANNEL}?auth_key=${LES_CLIENT.key}`)).json()) as { subscription_count?: number })
        .subscription_count ?? 0;

    const service = new AppService({ transport: 'browser', version: 'test', monitor: { tickMs: 60_000 } });
    cleanups.push(() => service.close());
    const records: JournalRecord[] = [];
    let wake = () => undefined as void;
    service.onRecords((record) => (records.push(record), wake()));
    /** Resolves once `done` holds (checked on every record, and every 50 ms for the server's counts); bounded. */
    const until = (done: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => (clearInterval(poll), reject(new Error(`timed out waiting for ${what}`))), timeoutMs);
        const check = async () => {
          if (await done()) {
            clearTimeout(timer);
            clearInterval(poll);
            resolve();
          }
        };
        const poll = setInterval(() => void check(), 50);
        wake = () => void check();
        void check();
      });
    const got = (connection: string, sequence: number) =>
      records.some((r) => r.type === 'frame' && r.connection === connection && (r.data as { sequence?: number } | undefined)?.sequence === sequence);
    const publish = async (from: number, to: number, last: number) => {
      for (let s = from; s <= to; s++) await les.broadcast(CHANNEL, 'chunk.delivered', payload(s, last));
    };

    const client = (id: string, extra: Partial<ProfileInput> = {}): ProfileInput => ({
      id,
      name: id,
      kind: 'socketio',
      host: les.host,
      port: les.port,
      key: 'unused',
      auth: { mode: 'endpoint', url: 'http://127.0.0.1/broadcasting/auth', headers: {} },
      ...extra,
    });
    const tap = tapConnectionId('c1');
    for (const profile of [client('c1', { tap: { url: `redis://${les.host}:${les.redisPort}`, prefix: LARAVEL_REDIS_PREFIX } }), client('c2')]) {
      expect((await service.invoke('profiles.save', profile)).ok).toBe(true);
      expect((await service.invoke('connections.connect', { profileId: profile.id })).ok).toBe(true);
    }
    await until(() => records.some((r) => r.type === 'connection' && r.connection === tap && r.state === 'connected'), 'the tap to subscribe');
    await service.invoke('channels.subscribe', { profileId: 'c1', channel: CHANNEL });
    await service.invoke('channels.subscribe', { profileId: 'c2', channel: CHANNEL });
    await until(async () => (await subscribers()) === 2, 'both clients to join the channel');

    // #1–#10 reach everyone; then c2 leaves, #11–#20 are published, c2 comes back for #21–#30 and the terminal #31.
    await publish(1, 10, 31);
    await until(() => got('c1', 10) && got('c2', 10) && got(tap, 10), 'both clients and the tap to get #10');
    expect((await service.invoke('connections.disconnect', { profileId: 'c2' })).ok).toBe(true);
    await until(async () => (await subscribers()) === 1, 'c2 to be gone');
    await publish(11, 20, 31);
    await until(() => got('c1', 20) && got(tap, 20), 'c1 and the tap to get #20');
    expect((await service.invoke('connections.connect', { profileId: 'c2' })).ok).toBe(true);
    await service.invoke('channels.subscribe', { profileId: 'c2', channel: CHANNEL });
    await until(async () => (await subscribers()) === 2, 'c2 to join again');
    // #21 is published toOthers() of c2's socket, as Laravel does for a request carrying its X-Socket-ID: laravel-echo-server leaves c2 out
    const c2Connected = records.filter((r) => r.type === 'connection' && r.connection === 'c2' && r.state === 'connected').at(-1);
    const socketId = c2Connected?.type === 'connection' ? c2Connected.socketId : undefined;
    expect(socketId).toBeDefined();
    const redis = await RedisClient.connect(les.redisPort);
    cleanups.push(() => redis.close());
    await redis.command(
      'PUBLISH',
      `${LARAVEL_REDIS_PREFIX}${CHANNEL}`,
      JSON.stringify({ event: 'chunk.delivered', data: { ...payload(21, 31), socket: socketId }, socket: socketId }),
    );
    await publish(22, 31, 31);
    await until(() => got('c1', 31) && got('c2', 31) && got(tap, 31), 'both clients and the tap to get the terminal');

    // The verdict JSON: c2 missed exactly what was published while it was away.
    const verdict = analyzeJournal(records);
    const of = (connection: string) => verdict.sessions.find((s) => s.sessionId === SESSION && s.connection === connection)!;
    expect(of(tap)).toMatchObject({ tap: 'laravel', events: 31, missing: 0, status: 'completed', deliveryLoss: 0 });
    expect(of('c1')).toMatchObject({ events: 31, deliveryLoss: 0, published: { taps: [tap], notDelivered: [], notDeliveredCount: 0, notPublishedCount: 0, leftOut: 0 } });
    // c2 did not get #21 either (the same socket delivered #22–#31 after it), but it was published leaving c2 out: not its loss
    expect(got('c2', 21)).toBe(false);
    expect(of('c2')).toMatchObject({
      events: 20,
      deliveryLoss: 10,
      published: { taps: [tap], notDelivered: [{ from: 11, to: 20 }], notDeliveredCount: 10, notPublished: [], notPublishedCount: 0, tapInterrupted: false, leftOut: 1 },
    });
    expect(of('c2').anomalies.filter((a) => a.kind === 'delivery_loss')).toEqual([
      // placed where the tap read #11
      {
        kind: 'delivery_loss',
        at: records.find((r): r is FrameRecord => r.type === 'frame' && r.connection === tap && (r.data as { sequence: number }).sequence === 11)!.at,
        sequence: 11,
        to: 20,
        count: 10,
      },
    ]);
    for (const connection of ['c1', 'c2']) {
      const latency = of(connection).published!.publishToArrivalMs!;
      expect(latency.p50).toBeLessThanOrEqual(latency.p95);
      expect(latency.p99).toBeLessThanOrEqual(latency.max);
    }

    // The session detail says the same, per observation and in its comparison.
    const detail = await service.invoke('sessions.get', { sessionId: SESSION });
    if (!detail.ok) throw new Error(detail.error.message);
    expect(detail.value.row).toMatchObject({ observations: 3, deliveryLoss: 10 });
    // (the two clients' order is the order their first frames arrived in: a race between two sockets)
    const byVantage = (a: { connection: string }, b: { connection: string }) => a.connection.localeCompare(b.connection);
    expect([...detail.value.observations].sort(byVantage).map((o) => [o.connection, o.tap ?? null, o.deliveryLoss, o.published?.notDeliveredCount ?? null])).toEqual(
      [
        ['c1', null, 0, 0],
        ['c2', null, 10, 10],
        [tap, 'laravel', 0, null],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(detail.value.comparison!.observations.find((o) => o.connection === 'c2')!.published!.notDelivered).toEqual([{ from: 11, to: 20 }]);
    // the profile's status carries its tap's
    const listed = await service.invoke('connections.list', {});
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.value.find((s) => s.profileId === 'c1')!.tap).toMatchObject({
      connection: tap,
      format: 'laravel',
      state: 'connected',
      watching: `PSUBSCRIBE ${LARAVEL_REDIS_PREFIX}*`,
      events: 31,
    });
  }, 90_000);
});
