/**
 * The fault proxy in front of real servers — our mock and soketi (when installed) — with the real
 * pusher-js, laravel-echo and the official `pusher` SDK. Expected verdicts come from how each case
 * was built: the mock's ground truth (what it published) joined with the proxy's (what it did to
 * each event), never from EchoScope's own output.
 */
import Echo from 'laravel-echo';
import PusherServer from 'pusher';
import Pusher from 'pusher-js';
import type { Options } from 'pusher-js';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzeJournal } from '../../../shared/analysis';
import { JournalRecordSchema, type JournalRecord } from '../../../shared/journal';
import { ProxyFaultsSchema, type ProxyFaultsInput } from '../../../shared/proxy';
import {
  addSessionScore,
  detectedAnomalies,
  emptyScores,
  expectedAnomalies,
  parseScenarioDocument,
  proxiedSessionTruth,
  proxySettled,
  publishedEvents,
  zeroCounts,
  type Scenario,
} from '../../../shared/scenario';
import { startMockServer, type MockServer } from '../../mock';
import { signChannel } from '../../mock/signature';
import { startScenario } from '../../mock/simulator/simulator';
import { eventually } from '../../../test-support/raw-pusher-client';
import { DELIVERY_FAULTS, expectPerfectDetection } from '../../../test-support/proxy-rules';
import { soketiUnavailableReason, startSoketi, type SoketiProcess } from '../../../test-support/peers/soketi';
import { FaultProxy } from './fault-proxy';
import { PROXY_CONTROL_PATH } from './proxy-control';

interface Peer {
  name: string;
  host: string;
  port: number;
  app: { id: string; key: string; secret: string };
  close(): Promise<void>;
}

const open: Array<{ disconnect(): void }> = [];
const proxies: FaultProxy[] = [];
afterEach(async () => {
  for (const client of open.splice(0)) client.disconnect();
  for (const proxy of proxies.splice(0)) await proxy.close();
});

async function proxyTo(peer: Peer, faults: ProxyFaultsInput = {}, records: JournalRecord[] = []): Promise<FaultProxy> {
  const proxy = await FaultProxy.start({ upstream: `ws://${peer.host}:${peer.port}`, faults: ProxyFaultsSchema.parse(faults), record: (r) => records.push(r) });
  proxies.push(proxy);
  return proxy;
}

function portOf(proxy: FaultProxy): number {
  return Number(new URL(proxy.url).port);
}

function signing(peer: Peer, userId: string): Options['channelAuthorization'] {
  return {
    endpoint: 'unused',
    transport: 'ajax',
    customHandler: ({ socketId, channelName }, callback) => {
      const channelData = channelName.startsWith('presence-') ? JSON.stringify({ user_id: userId, user_info: { name: userId } }) : undefined;
      callback(null, { auth: signChannel(peer.app.key, peer.app.secret, socketId, channelName, channelData), channel_data: channelData });
    },
  };
}

function pusherOptions(peer: Peer, proxy: FaultProxy, userId: string, extra: Partial<Options> = {}): Options {
  return {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: portOf(proxy),
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: signing(peer, userId),
    ...extra,
  };
}

function echoThrough(peer: Peer, proxy: FaultProxy, userId: string): Echo<'pusher'> {
  const client = new Pusher(peer.app.key, pusherOptions(peer, proxy, userId));
  const echo = new Echo({ broadcaster: 'pusher', key: peer.app.key, client });
  open.push(echo);
  return echo;
}

function sdk(peer: Peer): PusherServer {
  return new PusherServer({ appId: peer.app.id, key: peer.app.key, secret: peer.app.secret, host: peer.host, port: String(peer.port), useTLS: false });
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function putFaults(proxy: FaultProxy, faults: ProxyFaultsInput): Promise<Response> {
  const url = proxy.url.replace(/^ws:/, 'http:') + `${PROXY_CONTROL_PATH}/faults`;
  return fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
}

/** Echo's view through the proxy: private channel auth, presence members, whispers, and a reconnect after a close code. */
async function clientsWorkThrough(peer: Peer): Promise<void> {
  const records: JournalRecord[] = [];
  const proxy = await proxyTo(peer, {}, records);
  const alice = echoThrough(peer, proxy, 'alice');
  const bob = echoThrough(peer, proxy, 'bob');

  // private channel: the auth signature (made for the socket id the server gave through the proxy) passes untouched
  const delivered = deferred<unknown>();
  const joined = deferred<void>();
  alice
    .private('ai.p1')
    .listen('.chunk.delivered', (data: unknown) => delivered.resolve(data))
    .subscribed(() => joined.resolve());
  await joined.promise;
  await sdk(peer).trigger('private-ai.p1', 'chunk.delivered', { sequence: 1, chunk: 'héllo' });
  expect(await delivered.promise).toEqual({ sequence: 1, chunk: 'héllo' });

  // presence: both members seen by the second to join
  const aliceHere = deferred<void>();
  alice.join('room').here(() => aliceHere.resolve());
  await aliceHere.promise;
  const bobHere = deferred<Array<{ name: string }>>();
  bob.join('room').here((members: Array<{ name: string }>) => bobHere.resolve(members));
  expect((await bobHere.promise).map((m) => m.name).sort()).toEqual(['alice', 'bob']);

  // client events: alice's whisper reaches bob through two proxied sockets
  const whispered = deferred<unknown>();
  const bobJoined = deferred<void>();
  bob
    .private('ai.p1')
    .listenForWhisper('typing', (data: unknown) => whispered.resolve(data))
    .subscribed(() => bobJoined.resolve());
  await bobJoined.promise;
  alice.private('ai.p1').whisper('typing', { who: 'alice' });
  expect(await whispered.promise).toEqual({ who: 'alice' });

  // reconnect: the rule set changed at run time closes alice's socket after the next event with 4200; pusher-js comes back through the proxy
  const changed = await putFaults(proxy, { faults: [{ kind: 'disconnect', event: 'chunk.delivered', channel: 'private-ai.p1', clients: [1], code: 4200 }] });
  expect(changed.status).toBe(200);
  const states: string[] = [];
  const client = alice.connector.pusher;
  client.connection.bind('state_change', (change: { current: string }) => states.push(change.current));
  const again = deferred<unknown>();
  let seen = 0;
  alice.private('ai.p1').listen('.chunk.delivered', (data: unknown) => {
    if (++seen === 2) again.resolve(data);
  });
  await sdk(peer).trigger('private-ai.p1', 'chunk.delivered', { sequence: 2, chunk: 'b' });
  await eventually(() => states.filter((s) => s === 'connected').length >= 1, 10_000, 'alice to reconnect');
  await eventually(() => alice.private('ai.p1').subscription.subscribed, 10_000, 'alice to resubscribe');
  await sdk(peer).trigger('private-ai.p1', 'chunk.delivered', { sequence: 3, chunk: 'c' });
  expect(await again.promise).toEqual({ sequence: 3, chunk: 'c' });
  const truth = proxy.truth();
  expect(truth.clients[0]).toMatchObject({ client: 1, closedBy: 'proxy', closeCode: 4200 });
  expect(truth.clients[0]!.moments).toEqual([expect.objectContaining({ kind: 'disconnect', channel: 'private-ai.p1', code: 4200 })]);
  expect(truth.ruleSets).toHaveLength(2);
  // every socket is an observation in the journal, every record valid
  for (const record of records) expect(JournalRecordSchema.safeParse(record).success).toBe(true);
  expect(records.some((r) => r.type === 'connection' && r.connection === 'proxy:1' && r.state === 'disconnected' && r.code === 4200)).toBe(true);
  expect(records.some((r) => r.type === 'subscription' && r.connection === 'proxy:3' && r.channel === 'private-ai.p1' && r.status === 'subscribed')).toBe(true);
}

/** Raw sockets direct and through the proxy get the same bytes for every channel event. */
async function byteIdentical(peer: Peer): Promise<void> {
  const proxy = await proxyTo(peer);
  const texts = async (url: string) => {
    const ws = new WebSocket(`${url}/app/${peer.app.key}?protocol=7&client=js&version=8.4.0`);
    const got: string[] = [];
    ws.on('message', (data) => got.push(data.toString()));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await eventually(() => got.some((t) => t.includes('pusher:connection_established')), 5000, 'connection_established');
    ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'bytes' } }));
    await eventually(() => got.some((t) => t.includes('subscription_succeeded')), 5000, 'subscription');
    return { ws, got };
  };
  const direct = await texts(`ws://${peer.host}:${peer.port}`);
  const proxied = await texts(proxy.url);
  const payloads: unknown[] = [{ sequence: 1, chunk: 'plain' }, { chunk: 'ünïcödé 🙂 "quoted" \\ back' }, 'a string payload', { big: 'x'.repeat(9000) }, [1, 2, 3]];
  for (const [i, data] of payloads.entries()) await sdk(peer).trigger('bytes', `e${i}`, data);
  const events = (got: string[]) => got.filter((t) => t.includes('"channel":"bytes"') && !t.includes('pusher_internal'));
  await eventually(() => events(proxied.got).length === payloads.length && events(direct.got).length === payloads.length, 5000, 'every event on both sockets');
  expect(events(proxied.got)).toEqual(events(direct.got));
  direct.ws.close();
  proxied.ws.close();
}

describe('the fault proxy in front of the mock', () => {
  let mock: MockServer;
  let peer: Peer;
  beforeAll(async () => {
    mock = await startMockServer({ activityTimeoutSec: 1, pongTimeoutSec: 2 });
    peer = { name: 'mock', host: '127.0.0.1', port: mock.port, app: mock.apps[0]!, close: () => mock.close() };
  });
  afterAll(() => mock.close());

  it('pusher-js and laravel-echo work through it unchanged: auth, presence, client events, reconnect', async () => clientsWorkThrough(peer), 30_000);
  it('with no faults the proxied stream is byte-identical to the direct one', async () => byteIdentical(peer), 15_000);

  it('its control answers only loopback JSON, and says what is wrong with a request', async () => {
    const proxy = await proxyTo(peer);
    const base = proxy.url.replace(/^ws:/, 'http:');
    const put = (body: string, type = 'application/json') => fetch(`${base}${PROXY_CONTROL_PATH}/faults`, { method: 'PUT', headers: { 'content-type': type }, body });
    expect(await (await fetch(`${base}${PROXY_CONTROL_PATH}`)).json()).toMatchObject({ upstream: `ws://127.0.0.1:${peer.port}`, clients: 0 });
    expect((await put('{"faults":[]}', 'text/plain')).status).toBe(415);
    const broken = await put('{"faults":');
    expect([broken.status, ((await broken.json()) as { error: string }).error]).toEqual([400, expect.stringMatching(/^not JSON/)]);
    const bad = await put(JSON.stringify({ faults: [{ kind: 'delay', nth: [1] }] }));
    expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([400, expect.stringMatching(/faults\.0\.delayMs/)]);
    expect((await put(JSON.stringify({ faults: [], pad: 'x'.repeat(300 * 1024) }))).status).toBe(413);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
    // a page on another name rebound to 127.0.0.1 (DNS rebinding) gets nothing
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}${PROXY_CONTROL_PATH}`, { headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    expect(proxy.faults.faults).toEqual([]);
  });

  it('ping-silence: pings pass through while idle, and under the fault the client drops the socket on its pong timeout and comes back', async () => {
    const idle = async (faults: ProxyFaultsInput, settled: (records: JournalRecord[], states: string[], proxy: FaultProxy) => boolean, what: string) => {
      const records: JournalRecord[] = [];
      const proxy = await proxyTo(peer, faults, records);
      // pusher-js pings after the server's activity timeout (1 s here) and gives up after pongTimeout
      const client = new Pusher(peer.app.key, pusherOptions(peer, proxy, 'idle', { pongTimeout: 400 }));
      open.push(client);
      const states: string[] = [];
      client.connection.bind('state_change', (change: { current: string }) => states.push(change.current));
      await new Promise<void>((resolve) => client.subscribe('quiet').bind('pusher:subscription_succeeded', () => resolve()));
      mock.publish({ channel: 'quiet', event: 'hello', data: { n: 1 } });
      await eventually(() => settled(records, states, proxy), 10_000, what);
      client.disconnect();
      return { states, truth: proxy.truth() };
    };
    // healthy: the idle client's ping was answered through the proxy (a pong reached it), so it kept its socket
    const healthy = await idle({}, (records) => records.some((r) => r.type === 'frame' && r.connection === 'proxy:1' && r.event === 'pusher:pong'), 'a pong through the proxy');
    expect(healthy.states.filter((s) => s === 'connected')).toHaveLength(1);
    expect(healthy.truth.clients).toHaveLength(1);

    const silenced = await idle(
      { faults: [{ kind: 'ping-silence', event: 'hello', durationMs: 5000, clients: [1] }] },
      (_records, states, proxy) => states.filter((s) => s === 'connected').length >= 2 && proxy.truth().clients.length >= 2,
      'the client to drop its silent socket and come back',
    );
    expect(silenced.truth.clients[0]!.moments).toEqual([expect.objectContaining({ kind: 'ping-silence', channel: 'quiet', index: 1, durationMs: 5000 })]);
    expect(silenced.truth.clients[0]!.closedAt! - silenced.truth.clients[0]!.moments[0]!.at).toBeLessThan(5000);
    expect(silenced.states.filter((s) => s === 'connected').length).toBeGreaterThanOrEqual(2);
    expect(silenced.truth.clients.length).toBeGreaterThanOrEqual(2);
  }, 20_000);

  it('a disconnect the proxy makes mid-session is the disconnect EchoScope reports, on that vantage: P = R = 1 against the truth', async () => {
    const scenario = scenarioOf({
      name: 'proxied-moments',
      seed: 4,
      tokens: 40,
      timing: { ttftMs: 5, interTokenMs: { uniform: [20, 25] } },
      analyzer: { stallAfterMs: 5000 },
      sessions: [{ id: 'pm1' }],
    });
    // client 1 is closed with 4200 after #10; pusher-js comes back at once as client 2 and resubscribes
    const rules: ProxyFaultsInput = { faults: [{ kind: 'disconnect', event: 'chunk.delivered', nth: [10], code: 4200, clients: [1] }] };
    const records: JournalRecord[] = [];
    const proxy = await proxyTo(peer, rules, records);
    const client = new Pusher(peer.app.key, pusherOptions(peer, proxy, 'qa'));
    open.push(client);
    const channel = 'private-ai.pm1';
    const subscribed = deferred<void>();
    client.subscribe(channel).bind('pusher:subscription_succeeded', () => subscribed.resolve());
    await subscribed.promise;
    const run = startScenario(mock, scenario);
    await run.done;
    await eventually(
      () =>
        proxy.truth().clients.length >= 2 &&
        records.some((r) => r.type === 'frame' && r.connection === 'proxy:2' && (r.data as { state?: string } | undefined)?.state === 'completed'),
      10_000,
      'the stream to end on the second socket',
    );

    const truth = proxy.truth();
    // what the proxy did: one close, after the 10th event, of the first socket only
    const moments = truth.clients.flatMap((c) => c.moments.map((m) => [c.connection, m.kind, m.index, m.code]));
    expect(moments).toEqual([['proxy:1', 'disconnect', 10, 4200]]);
    expect(truth.clients[0]).toMatchObject({ closedBy: 'proxy', closeCode: 4200 });
    // what EchoScope reports from the journal: that close, once, on that vantage
    const verdict = analyzeJournal(records, scenario.analyzer);
    const session = verdict.sessions.find((s) => s.sessionId === 'pm1')!;
    const disconnects = session.anomalies.filter((a) => a.kind === 'disconnect');
    expect(disconnects.map((a) => [a.connection, a.code])).toEqual([['proxy:1', 4200]]);
    const scores = addSessionScore(emptyScores(), { ...zeroCounts(), disconnect: moments.length }, detectedAnomalies(session));
    expect([scores.disconnect.precision, scores.disconnect.recall]).toEqual([1, 1]);
  }, 30_000);

  it('each delivery fault applied to a live session is detected with precision = recall = 1 against the ground truth', async () => {
    const scenario = scenarioOf({
      name: 'proxied',
      seed: 3,
      tokens: 40,
      timing: { ttftMs: 5, interTokenMs: { uniform: [3, 5] } },
      analyzer: { stallAfterMs: 400 },
      sessions: [{ id: 'px1' }],
    });
    const rules = DELIVERY_FAULTS;
    const records: JournalRecord[] = [];
    const proxy = await proxyTo(peer, rules, records);
    const client = new Pusher(peer.app.key, pusherOptions(peer, proxy, 'qa'));
    open.push(client);
    const session = scenario.sessions[0]!;
    const channel = `private-ai.${session.id}`;
    const subscribed = deferred<void>();
    client.subscribe(channel).bind('pusher:subscription_succeeded', () => subscribed.resolve());
    await subscribed.promise;
    const run = startScenario(mock, scenario);
    await run.done;
    const sessionTruth = run.truth.sessions[0]!;
    const published = publishedEvents(sessionTruth).length;
    await eventually(() => proxy.truth().clients[0]!.events.length === published, 10_000, 'every published event to reach the proxy');
    await eventually(() => proxySettled(proxy.truth().clients[0]!), 5000, 'held and delayed events to go out');

    const expected = expectedAnomalies(proxiedSessionTruth(sessionTruth, proxy.truth()), { stallAfterMs: 400 });
    // What the rules were built to cause (3–4, 20 and the unresent 34 missing; #8 twice more; #12 late; a 700 ms silence; two broken payloads):
    expect(expected).toMatchObject({ gap: 3, duplicate: 2, out_of_order: 1, stall: 1, violation: 2, replay: 0, disconnect: 0 });

    const verdict = analyzeJournal(records, scenario.analyzer);
    const detected = verdict.sessions.find((s) => s.sessionId === session.id);
    expect(detected, 'the proxied client observation holds the session').toBeDefined();
    expectPerfectDetection(expected, detectedAnomalies(detected!));
    expect(detected!.missing).toBe(4);
    for (const record of records) expect(JournalRecordSchema.safeParse(record).success).toBe(true);
  }, 30_000);
});

describe.skipIf(soketiUnavailableReason() !== null)(`the fault proxy in front of soketi${soketiUnavailableReason() ? ` (${soketiUnavailableReason()})` : ''}`, () => {
  let soketi: SoketiProcess;
  let peer: Peer;
  beforeAll(async () => {
    soketi = await startSoketi({ clientEventRate: 50 });
    peer = { name: 'soketi', host: soketi.host, port: soketi.port, app: soketi.app, close: () => soketi.close() };
  }, 30_000);
  afterAll(() => soketi?.close());

  it('pusher-js and laravel-echo work through it unchanged: auth, presence, client events, reconnect', async () => clientsWorkThrough(peer), 30_000);
  it('with no faults the proxied stream is byte-identical to the direct one', async () => byteIdentical(peer), 15_000);
});

function scenarioOf(input: unknown): Scenario {
  const parsed = parseScenarioDocument(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenarios[0]!;
}
