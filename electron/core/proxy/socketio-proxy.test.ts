/**
 * The fault proxy in front of laravel-echo-server (Socket.IO 2) with Redis, fed exactly as
 * Laravel's RedisBroadcaster publishes, and the real laravel-echo on socket.io-client 2 as the
 * frontend. Expected values come from how each case was built: what the test published joined
 * with the proxy's ground truth of what it did to each event — never from EchoScope's output.
 *
 * laravel-echo-server acknowledges no subscription: a client is in once a `probe` broadcast on
 * the channel reached it. Probes are the test's handshake, not the session: they are left out of
 * what the analyzer reads and of the positions the rules count (the rules choose `chunk.delivered`).
 * Skipped with a printed reason where the peer is not installed (scripts/peers/install-laravel-echo-server.sh).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Echo from 'laravel-echo';
import io from 'socket.io-client';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzeJournal } from '../../../shared/analysis';
import { ProfileInputSchema } from '../../../shared/api';
import { JournalRecordSchema, type JournalRecord } from '../../../shared/journal';
import { ProxyFaultsSchema, type ProxyFaultsInput } from '../../../shared/proxy';
import { detectedAnomalies, expectedAnomalies, type SessionTruth, type TruthEvent } from '../../../shared/scenario';
import { DELIVERY_FAULTS, expectPerfectDetection } from '../../../test-support/proxy-rules';
import { laravelEchoServerUnavailableReason, startLaravelEchoServer, type LaravelEchoServer } from '../../../test-support/peers/laravel-echo-server';
import { deliveredThrough, proxySettled } from '../../../shared/scenario';
import { eventually } from '../../../test-support/raw-pusher-client';
import { ConnectionHub } from '../hub/connection-hub';
import { FaultProxy } from './fault-proxy';

const unavailable = laravelEchoServerUnavailableReason();
if (unavailable) console.log(`[peers] Socket.IO proxy tests skipped: ${unavailable}`);

/** engine.io 3: the client pings every interval and gives up when no packet came within the timeout after a ping. */
const PING_INTERVAL_MS = 1000;
const PING_TIMEOUT_MS = 1500;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe.skipIf(unavailable !== null)(`the fault proxy in front of laravel-echo-server${unavailable ? ` (${unavailable})` : ''}`, () => {
  let les: LaravelEchoServer;
  let app: Server;
  /** The Authorization header of every auth request laravel-echo-server made to the app. */
  const authorizations: string[] = [];

  beforeAll(async () => {
    // The user's Laravel app: authorizes private channels for one bearer token.
    app = createServer((req, res) => {
      authorizations.push(String(req.headers.authorization));
      const ok = req.headers.authorization === 'Bearer qa-token';
      res.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' }).end(ok ? '{"channel_data":null}' : '{"message":"Unauthorized"}');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', () => resolve()));
    les = await startLaravelEchoServer({
      authHost: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
      socketio: { pingInterval: PING_INTERVAL_MS, pingTimeout: PING_TIMEOUT_MS },
    });
  }, 30_000);
  afterAll(async () => {
    await les?.close();
    await new Promise<void>((resolve) => app?.close(() => resolve()));
  });

  async function proxyTo(faults: ProxyFaultsInput = {}, records: JournalRecord[] = [], log?: (line: string) => void): Promise<FaultProxy> {
    const proxy = await FaultProxy.start({
      upstream: `ws://${les.host}:${les.port}`,
      protocol: 'socketio',
      faults: ProxyFaultsSchema.parse(faults),
      record: (r) => records.push(r),
      log,
    });
    cleanups.push(() => proxy.close());
    return proxy;
  }

  const portOf = (proxy: FaultProxy) => Number(new URL(proxy.url).port);

  /** The frontend: laravel-echo's socket.io broadcaster as Laravel's docs set it up, pointed at the proxy. */
  function echoThrough(proxy: FaultProxy, options: { token?: string; transports?: string[]; reconnectionDelay?: number } = {}): Echo<'socket.io'> {
    const echo = new Echo({
      broadcaster: 'socket.io',
      host: `http://127.0.0.1:${portOf(proxy)}`,
      client: io,
      auth: { headers: { Authorization: `Bearer ${options.token ?? 'qa-token'}` } },
      ...(options.transports === undefined ? { transports: ['websocket'] } : { transports: options.transports }),
      ...(options.reconnectionDelay === undefined ? {} : { reconnectionDelay: options.reconnectionDelay, reconnectionDelayMax: options.reconnectionDelay }),
    });
    cleanups.push(() => echo.disconnect());
    return echo;
  }

  /** Broadcasts `probe` on the channel until `arrived` says a client got one: laravel-echo-server acknowledges nothing. */
  async function probeUntil(channel: string, arrived: () => boolean): Promise<void> {
    for (let n = 1; !arrived(); n++) {
      if (n > 200) throw new Error(`no probe on ${channel} reached the client`);
      await les.broadcast(channel, 'probe', { n });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** A private channel of the frontend with a listener for the stream; resolves once the client is in. */
  async function privateStream(echo: Echo<'socket.io'>, sessionId: string): Promise<{ got: unknown[]; probes: () => number }> {
    const got: unknown[] = [];
    let probes = 0;
    echo
      .private(`ai.${sessionId}`)
      .listen('.chunk.delivered', (data: unknown) => got.push(data))
      .listen('.probe', () => void probes++);
    await probeUntil(`private-ai.${sessionId}`, () => probes > 0);
    return { got, probes: () => probes };
  }

  const payload = (sessionId: string, sequence: number, last: number) => ({
    session_id: sessionId,
    chunk: sequence === last ? '' : `t${sequence} `,
    sequence,
    state: sequence === last ? 'completed' : 'generating',
    termination_code: sequence === last ? 'end_turn' : null,
  });

  const notProbe = (r: JournalRecord) => !(r.type === 'frame' && r.event === 'probe');

  it('laravel-echo works through it: private channel auth passes with its headers, events arrive, and the journal is what EchoScope’s own Socket.IO connection records', async () => {
    const records: JournalRecord[] = [];
    const proxy = await proxyTo({}, records);
    const before = authorizations.length;
    const frontend = await privateStream(echoThrough(proxy), 'p1');
    expect(authorizations.slice(before)).toEqual(['Bearer qa-token']);
    await les.broadcast('private-ai.p1', 'chunk.delivered', { sequence: 1, chunk: 'héllo' });
    await eventually(() => frontend.got.length === 1, 5000, 'the event through the proxy');
    expect(frontend.got).toEqual([{ sequence: 1, chunk: 'héllo' }]);

    // a refused token: laravel-echo-server's subscription_error comes through, journaled as the failed subscription
    const refused = echoThrough(proxy, { token: 'wrong' });
    const failed = deferred<unknown[]>();
    (refused.connector.socket as unknown as SocketIOClient.Socket).on('subscription_error', (...args: unknown[]) => failed.resolve(args));
    refused.private('ai.p1');
    expect(await failed.promise).toEqual(['private-ai.p1', 403]);
    expect(records).toContainEqual(expect.objectContaining({ type: 'subscription', connection: 'proxy:2', channel: 'private-ai.p1', status: 'failed', code: 403 }));

    // EchoScope's own Socket.IO connection through the proxy: what it journals and what the proxy journals for its socket agree
    const hubRecords: JournalRecord[] = [];
    const hub = new ConnectionHub({ record: (r) => void hubRecords.push(r), status: () => undefined });
    cleanups.push(() => hub.closeAll());
    hub.connect(
      ProfileInputSchema.parse({
        id: 'les',
        name: 'les',
        kind: 'socketio',
        host: '127.0.0.1',
        port: portOf(proxy),
        key: 'unused',
        auth: { mode: 'endpoint', url: 'http://127.0.0.1/broadcasting/auth', headers: { Authorization: 'Bearer qa-token' } },
      }),
    );
    expect((await hub.subscribe('les', 'private-ai.p2')).status).toBe('subscribed');
    await probeUntil('private-ai.p2', () => hubRecords.some((r) => r.type === 'frame' && r.event === 'probe'));
    for (const sequence of [1, 2, 3]) await les.broadcast('private-ai.p2', 'chunk.delivered', payload('p2', sequence, 3));
    const ofProxy = () => records.filter((r) => r.connection === 'proxy:3');
    const chunks = (list: JournalRecord[]) => list.filter((r) => r.type === 'frame' && r.event === 'chunk.delivered').length;
    await eventually(() => chunks(hubRecords) === 3 && chunks(ofProxy()) === 3, 5000, 'the stream on both sides');
    const meaning = (r: JournalRecord) =>
      r.type === 'connection'
        ? { type: r.type, state: r.state, socketId: r.socketId }
        : r.type === 'subscription'
          ? { type: r.type, channel: r.channel, status: r.status }
          : r.type === 'frame'
            ? { type: r.type, channel: r.channel, event: r.event, data: r.data }
            : r;
    expect(ofProxy().map(meaning)).toEqual(hubRecords.map(meaning));
    expect(ofProxy().find((r) => r.type === 'connection' && r.state === 'connected')).toMatchObject({ socketId: expect.stringMatching(/.+/) });
    for (const record of records) expect(JournalRecordSchema.safeParse(record).success).toBe(true);
  }, 30_000);

  it('with no faults the proxied event packets are byte-identical to the direct ones', async () => {
    const proxy = await proxyTo();
    const socketOf = async (base: string) => {
      const ws = new WebSocket(`${base}/socket.io/?EIO=3&transport=websocket`);
      const got: string[] = [];
      ws.on('message', (data) => got.push(data.toString()));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      // engine.io 3: the client keeps the socket alive with pings
      const pinging = setInterval(() => ws.send('2'), PING_INTERVAL_MS / 2);
      cleanups.push(() => (clearInterval(pinging), ws.close()));
      await eventually(() => got.includes('40'), 5000, 'the socket.io connect packet');
      ws.send('42["subscribe",{"channel":"bytes","auth":{"headers":{}}}]');
      return got;
    };
    const direct = await socketOf(`ws://${les.host}:${les.port}`);
    const proxied = await socketOf(proxy.url);
    const probed = (got: string[]) => got.some((t) => t.startsWith('42["probe","bytes"'));
    await probeUntil('bytes', () => probed(direct) && probed(proxied));
    const payloads: Array<Record<string, unknown>> = [
      { sequence: 1, chunk: 'plain' },
      { chunk: 'ünïcödé 🙂 "quoted" \\ back', nested: { list: [1, 2.5, null, true] } },
      { big: 'x'.repeat(9000) },
      { text: 'a "string" with </script> and \u2028' },
    ];
    for (const [i, data] of payloads.entries()) await les.broadcast('bytes', `App\\Events\\E${i}`, data);
    const events = (got: string[]) => got.filter((t) => t.startsWith('42["App'));
    await eventually(() => events(proxied).length === payloads.length && events(direct).length === payloads.length, 5000, 'every event on both sockets');
    expect(events(proxied)).toEqual(events(direct));
    // laravel-echo-server sends the class name as the event, with the channel then the data
    expect(JSON.parse(events(direct)[0]!.slice(2))).toEqual(['App\\Events\\E0', 'bytes', payloads[0]]);
  }, 15_000);

  it('each delivery fault applied to a live session is detected with precision = recall = 1 against the ground truth', async () => {
    const rules = DELIVERY_FAULTS;
    const records: JournalRecord[] = [];
    const proxy = await proxyTo(rules, records);
    const frontend = await privateStream(echoThrough(proxy), 'sx1');
    const TOKENS = 40;
    const published: TruthEvent[] = [];
    for (let sequence = 1; sequence <= TOKENS; sequence++) {
      const data = payload('sx1', sequence, TOKENS);
      await les.broadcast('private-ai.sx1', 'chunk.delivered', data);
      published.push({ t: 0, attempt: 1, sequence, state: data.state as TruthEvent['state'], chunk: data.chunk, terminationCode: data.termination_code, delivery: 'sent' });
    }
    const client = () => proxy.truth().clients[0]!;
    await eventually(() => client().events.filter((e) => e.event === 'chunk.delivered').length === TOKENS, 10_000, 'every published event to reach the proxy');
    await eventually(() => proxySettled(client()), 5000, 'held and delayed events to go out');

    const session: SessionTruth = {
      sessionId: 'sx1',
      channel: 'private-ai.sx1',
      group: 0,
      attempts: 1,
      outcome: 'completed',
      finalText: published.map((e) => e.chunk).join(''),
      terminationCode: 'end_turn',
      events: published,
      faults: [],
    };
    const expected = expectedAnomalies(deliveredThrough(session, published, client(), session.channel, 'chunk.delivered'), { stallAfterMs: 400 });
    // What the rules were built to cause (3–4, 20 and the unresent 34 missing; #8 twice more; #12 late; a 700 ms silence; two broken payloads):
    expect(expected).toMatchObject({ gap: 3, duplicate: 2, out_of_order: 1, stall: 1, violation: 2, replay: 0, disconnect: 0 });

    const verdict = analyzeJournal(records.filter(notProbe), { stallAfterMs: 400 });
    const detected = verdict.sessions.find((s) => s.sessionId === 'sx1');
    expect(detected, 'the proxied client observation holds the session').toBeDefined();
    expectPerfectDetection(expected, detectedAnomalies(detected!));
    expect(detected!.missing).toBe(4);
    // socket.io-client handed every delivery to the listener: 40 − 3 dropped + 2 copies + 1 broken before its resend; the broken two as strings
    await eventually(() => frontend.got.length === TOKENS, 5000, 'every delivery at the listener');
    expect(frontend.got.filter((d) => typeof d === 'string')).toHaveLength(2);
    for (const record of records) expect(JournalRecordSchema.safeParse(record).success).toBe(true);
  }, 30_000);

  it('disconnect: the client socket is closed with the code after the chosen event; socket.io-client reconnects through the proxy, resubscribes and gets the stream again', async () => {
    const records: JournalRecord[] = [];
    const proxy = await proxyTo({ faults: [{ kind: 'disconnect', event: 'chunk.delivered', nth: [2], clients: [1], code: 4200 }] }, records);
    const echo = echoThrough(proxy, { reconnectionDelay: 100 });
    const socket = echo.connector.socket as unknown as SocketIOClient.Socket;
    const disconnected = deferred<string>();
    socket.on('disconnect', (reason: string) => disconnected.resolve(reason));
    const frontend = await privateStream(echo, 'dx1');
    await les.broadcast('private-ai.dx1', 'chunk.delivered', payload('dx1', 1, 4));
    await les.broadcast('private-ai.dx1', 'chunk.delivered', payload('dx1', 2, 4));
    expect(await disconnected.promise).toBe('transport close');
    const reconnected = deferred<void>();
    socket.once('reconnect', () => reconnected.resolve());
    await reconnected.promise;
    // Echo subscribes again on reconnect (a new socket id, so laravel-echo-server asks the app again)
    const probes = frontend.probes();
    await probeUntil('private-ai.dx1', () => frontend.probes() > probes);
    await les.broadcast('private-ai.dx1', 'chunk.delivered', payload('dx1', 3, 4));
    await les.broadcast('private-ai.dx1', 'chunk.delivered', payload('dx1', 4, 4));
    await eventually(() => frontend.got.length === 4, 5000, 'the rest of the stream after the reconnect');
    expect(frontend.got.map((d) => (d as { sequence: number }).sequence)).toEqual([1, 2, 3, 4]);

    const truth = proxy.truth();
    expect(truth.clients[0]).toMatchObject({ client: 1, closedBy: 'proxy', closeCode: 4200 });
    const second = truth.clients[0]!.events.filter((e) => e.event === 'chunk.delivered')[1]!;
    expect(truth.clients[0]!.moments).toEqual([expect.objectContaining({ kind: 'disconnect', channel: 'private-ai.dx1', index: second.index, code: 4200 })]);
    expect(truth.clients[1]!.moments).toEqual([]);
    expect(records).toContainEqual(expect.objectContaining({ type: 'connection', connection: 'proxy:1', state: 'disconnected', code: 4200 }));
    expect(records).toContainEqual(expect.objectContaining({ type: 'connection', connection: 'proxy:2', state: 'connected', socketId: socket.id }));
    expect(records).toContainEqual(expect.objectContaining({ type: 'subscription', connection: 'proxy:2', channel: 'private-ai.dx1', status: 'subscribed' }));
    // each socket is its own observation: the first saw 1–2 and the close the rule made while the session was open, the second joined at 3 and saw it end
    const observations = analyzeJournal(records.filter(notProbe)).sessions.filter((s) => s.sessionId === 'dx1');
    expect(observations.map((o) => ({ connection: o.connection, events: o.events, status: o.status, disconnects: o.disconnects, missing: o.missing }))).toEqual([
      { connection: 'proxy:1', events: 2, status: 'streaming', disconnects: 1, missing: 0 },
      { connection: 'proxy:2', events: 2, status: 'completed', disconnects: 0, missing: 0 },
    ]);
    expect(observations[1]!.coverage).toMatchObject({ fromSequence: 3 });
  }, 30_000);

  it('ping-silence: pings and pongs pass while idle, and under the fault the socket drops on its ping timeout and socket.io-client comes back', async () => {
    const healthy = await proxyTo();
    const calm = echoThrough(healthy);
    let pongs = 0;
    (calm.connector.socket as unknown as SocketIOClient.Socket).io.on('pong', () => void pongs++);
    await eventually(() => pongs >= 3, 3 * PING_INTERVAL_MS + 3000, 'three pongs through the proxy');
    expect(healthy.truth().clients).toHaveLength(1);
    expect(healthy.truth().clients[0]!.closedAt).toBeUndefined();

    const records: JournalRecord[] = [];
    const silenced = await proxyTo({ faults: [{ kind: 'ping-silence', event: 'hello', durationMs: 5000, clients: [1] }] }, records);
    const echo = echoThrough(silenced, { reconnectionDelay: 100 });
    const socket = echo.connector.socket as unknown as SocketIOClient.Socket;
    let probes = 0;
    echo.channel('quiet').listen('.probe', () => void probes++);
    await probeUntil('quiet', () => probes > 0);
    const reconnected = deferred<void>();
    socket.once('reconnect', () => reconnected.resolve());
    await les.broadcast('quiet', 'hello', { n: 1 });
    await reconnected.promise;
    const first = silenced.truth().clients[0]!;
    expect(first.moments).toEqual([expect.objectContaining({ kind: 'ping-silence', channel: 'quiet', durationMs: 5000 })]);
    // within the silence, well before it ends: one ping interval and one ping timeout
    expect(first.closedAt! - first.moments[0]!.at).toBeLessThan(PING_INTERVAL_MS + PING_TIMEOUT_MS + 1000);
    expect(silenced.truth().clients.length).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('HTTP long-polling (Echo’s default transports) is passed on: the client connects, upgrades, and what it gets on the WebSocket is journaled', async () => {
    const records: JournalRecord[] = [];
    const log: string[] = [];
    const proxy = await proxyTo({}, records, (line) => log.push(line));
    const echo = echoThrough(proxy, { transports: ['polling', 'websocket'] });
    const socket = echo.connector.socket as unknown as SocketIOClient.Socket & { io: { engine: { transport: { name: string } } } };
    await eventually(() => socket.connected && socket.io.engine.transport.name === 'websocket', 10_000, 'the upgrade to a WebSocket');
    let probes = 0;
    echo.channel('polled').listen('.probe', () => void probes++);
    await probeUntil('polled', () => probes > 0);
    expect(log.some((line) => line.includes('long-polling'))).toBe(true);
    expect(records).toContainEqual(expect.objectContaining({ type: 'connection', connection: 'proxy:1', state: 'connected', socketId: socket.id }));
    expect(records).toContainEqual(expect.objectContaining({ type: 'frame', connection: 'proxy:1', channel: 'polled', event: 'probe' }));
  }, 30_000);
});
