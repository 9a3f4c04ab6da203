/**
 * Issue 15 on servers we did not write: soketi (Pusher protocol, discovery through its HTTP API)
 * and laravel-echo-server + Redis (Socket.IO, fed exactly as Laravel's RedisBroadcaster does).
 * A real frontend (pusher-js / laravel-echo with socket.io-client 2) subscribes, a job streams at
 * once, and EchoScope joins while it runs: it discovers the channel (its default interval) through
 * each server's own channels API, as on a real stack.
 * Expected verdicts follow from how each case is built: what the job published, in which
 * attempts, and from which sequence EchoScope was there.
 * Skipped with a printed reason where a peer is not installed (scripts/peers/install-*.sh).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Echo from 'laravel-echo';
import Pusher from 'pusher';
import PusherClient from 'pusher-js';
import io from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileInputSchema, type Profile } from '../../../shared/api';
import { analyzeJournal, type SessionVerdict } from '../../../shared/analysis';
import type { FrameRecord, JournalRecord } from '../../../shared/journal';
import { laravelEchoServerUnavailableReason, startLaravelEchoServer } from '../../../test-support/peers/laravel-echo-server';
import { soketiUnavailableReason, startSoketi } from '../../../test-support/peers/soketi';
import { localSigner } from './channel-auth';
import { ConnectionHub } from './connection-hub';

const TOKEN_MS = 15;
/** The queue's backoff before a retry (Laravel retries after seconds; at least the reorder window). */
const RETRY_BACKOFF_MS = 2500;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The contract fields of a `chunk.delivered` frame (servers also send frames without `data`). */
function contractOf(frame: FrameRecord): { sequence?: number; state?: string } | undefined {
  return frame.event === 'chunk.delivered' && typeof frame.data === 'object' && frame.data !== null ? (frame.data as { sequence?: number; state?: string }) : undefined;
}

interface Stack {
  /** A profile of EchoScope's own connection to the stack. */
  profile(id: string): Profile;
  /** The app's frontend: subscribes to the session's channel and counts the tokens it gets. */
  frontend(sessionId: string): Promise<{ received(): number }>;
  /** The job's broadcast of one event. */
  publish(channel: string, payload: Record<string, unknown>): Promise<void>;
  /** A broadcast of an event outside the contract (`echoscope.probe`): who receives it is in. */
  probe(channel: string): Promise<void>;
}

/** The queue job: attempts of `1..end` tokens each, a backoff between them, the last one completes with `end + 1`. */
async function runJob(stack: Stack, sessionId: string, attempts: number[], onToken: (sequence: number) => void = () => undefined): Promise<void> {
  const channel = `private-ai.${sessionId}`;
  for (let a = 0; a < attempts.length; a++) {
    if (a > 0) await pause(RETRY_BACKOFF_MS);
    const end = attempts[a]!;
    for (let sequence = 1; sequence <= end; sequence++) {
      await stack.publish(channel, { session_id: sessionId, chunk: `t${sequence} `, sequence, state: 'generating', termination_code: null });
      onToken(sequence);
      await pause(TOKEN_MS);
    }
    if (a === attempts.length - 1) await stack.publish(channel, { session_id: sessionId, chunk: '', sequence: end + 1, state: 'completed', termination_code: 'end_turn' });
  }
}

/** EchoScope's side: a hub with the given connections; every record kept (minus what `drop` says a lossy client lost). */
function watcher(stack: Stack, ids: string[], drop: (id: string, frame: FrameRecord) => boolean = () => false) {
  const records: JournalRecord[] = [];
  const waiting = new Set<() => void>();
  const hub = new ConnectionHub({
    record: (record) => {
      if (record.type === 'frame' && drop(record.connection, record)) return;
      records.push(record);
      for (const check of waiting) check();
    },
    status: () => undefined,
  });
  cleanups.push(() => hub.closeAll());
  return {
    records,
    /** Connects every profile: each finds the session's channel by discovery, as on a real stack. */
    join() {
      for (const id of ids) hub.connect(stack.profile(id));
    },
    /** Resolves once every connection receives the channel's probes: all are in before the job starts. */
    async ready(sessionId: string): Promise<void> {
      const inAll = () => ids.every((id) => records.some((r) => r.type === 'frame' && r.connection === id && r.event === 'echoscope.probe'));
      for (let tries = 0; !inAll(); tries++) {
        if (tries > 200) throw new Error('EchoScope never received the probe');
        await stack.probe(`private-ai.${sessionId}`);
        await pause(50);
      }
    },
    /** Resolves once every connection got the terminal event (the job's last publish). */
    terminalSeen(sequence: number): Promise<void> {
      const done = () =>
        ids.every((id) => records.some((r) => r.type === 'frame' && r.connection === id && contractOf(r)?.sequence === sequence && contractOf(r)?.state === 'completed'));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not every connection got #${sequence}: ${records.length} records`)), 20_000);
        const check = () => {
          if (!done()) return;
          clearTimeout(timer);
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      });
    },
  };
}

function observation(records: JournalRecord[], sessionId: string, connection: string): SessionVerdict {
  const found = analyzeJournal(records).sessions.find((s) => s.sessionId === sessionId && s.connection === connection);
  if (!found) throw new Error(`no observation of ${sessionId} on ${connection}`);
  return found;
}

/** Sequences a connection received, in arrival order. */
function sequencesOn(records: JournalRecord[], connection: string): number[] {
  return records.filter((r): r is FrameRecord => r.type === 'frame' && r.connection === connection && contractOf(r) !== undefined).map((r) => contractOf(r)!.sequence!);
}

/** Waits (on the frontend's own count, a signal) until the job is well under way. */
async function whenStreaming(frontend: { received(): number }, tokens: number): Promise<void> {
  while (frontend.received() < tokens) await new Promise((resolve) => setImmediate(resolve));
}

function realStackSuite(name: string, reason: string | null, start: () => Promise<Stack>) {
  if (reason) console.log(`[real stacks] ${name} skipped: ${reason}`);
  describe.skipIf(reason !== null)(`${name}: verdicts that hold on a real stack`, () => {
    it('a late join of a healthy stream reads healthy: no gaps, no missing, no TTFT, joined at #N', async () => {
      const stack = await start();
      const frontend = await stack.frontend('late');
      const es = watcher(stack, ['es']);
      const job = runJob(stack, 'late', [60]);
      await whenStreaming(frontend, 10);
      es.join();
      await job;
      await es.terminalSeen(61);
      const seen = sequencesOn(es.records, 'es');
      const joinedAt = seen[0]!;
      // ground truth: EchoScope joined after the frontend had 10 tokens, and got everything from then on
      expect(joinedAt).toBeGreaterThan(10);
      expect(seen).toEqual(Array.from({ length: 61 - joinedAt + 1 }, (_, i) => joinedAt + i));
      expect(observation(es.records, 'late', 'es')).toMatchObject({
        status: 'completed',
        joinedLate: true,
        coverage: { fromSequence: joinedAt },
        missing: 0,
        gaps: [],
        outOfOrder: 0,
        duplicates: 0,
        replays: 0,
        ttftMs: null,
        ttftNote: 'joined_late',
      });
    }, 60_000);

    it('a worker crash + retry seen after a late join is one replay with nothing out of order', async () => {
      const stack = await start();
      const frontend = await stack.frontend('crash');
      const es = watcher(stack, ['es']);
      const job = runJob(stack, 'crash', [40, 60]);
      await whenStreaming(frontend, 10);
      es.join();
      await job;
      await es.terminalSeen(61);
      const joinedAt = sequencesOn(es.records, 'es')[0]!;
      expect(joinedAt).toBeGreaterThan(10);
      expect(observation(es.records, 'crash', 'es')).toMatchObject({
        status: 'completed',
        replays: 1,
        attempts: 2,
        outOfOrder: 0,
        missing: 0,
        gaps: [],
        joinedLate: true,
        ttftMs: null,
        // the retry re-sent 1..40; EchoScope had seen joinedAt..40 of them
        duplicates: 40 - joinedAt + 1,
        uniqueSequences: 61,
      });
    }, 60_000);

    it('two EchoScope connections give two observations, each equal to a single connection’s verdict', async () => {
      const stack = await start();
      await stack.frontend('two');
      const es = watcher(stack, ['es-a', 'es-b']);
      es.join();
      await es.ready('two');
      await runJob(stack, 'two', [40]);
      await es.terminalSeen(41);
      const verdict = analyzeJournal(es.records);
      const mine = verdict.sessions.filter((s) => s.sessionId === 'two');
      expect(mine.map((s) => s.connection).sort()).toEqual(['es-a', 'es-b']);
      for (const v of mine) {
        expect(v).toMatchObject({ status: 'completed', events: 41, duplicates: 0, afterTerminal: 0, missing: 0, replays: 0, outOfOrder: 0, deliveryLoss: 0 });
        const alone = analyzeJournal(es.records.filter((r) => r.connection === v.connection)).sessions.find((s) => s.sessionId === 'two');
        expect(v).toEqual(alone);
      }
      expect(verdict.summary).toMatchObject({ sessions: 1, observations: 2 });
      expect(verdict.comparisons[0]!.observations.map((o) => o.lost)).toEqual([[], []]);
    }, 60_000);

    it('a client that loses events shows delivery_loss on that observation only', async () => {
      const stack = await start();
      await stack.frontend('lossy');
      const lost = new Set([10, 11, 12, 30]);
      // the test's own client drops what it receives for these sequences (a lossy client, outside EchoScope)
      const es = watcher(stack, ['es-good', 'es-lossy'], (id, frame) => id === 'es-lossy' && lost.has(contractOf(frame)?.sequence ?? 0));
      es.join();
      await es.ready('lossy');
      await runJob(stack, 'lossy', [40]);
      await es.terminalSeen(41);
      const good = observation(es.records, 'lossy', 'es-good');
      const lossy = observation(es.records, 'lossy', 'es-lossy');
      expect(good).toMatchObject({ deliveryLoss: 0, missing: 0 });
      expect(good.anomalies.some((a) => a.kind === 'delivery_loss')).toBe(false);
      expect(lossy).toMatchObject({
        deliveryLoss: 4,
        missing: 4,
        gaps: [
          { from: 10, to: 12 },
          { from: 30, to: 30 },
        ],
      });
      expect(lossy.anomalies.filter((a) => a.kind === 'delivery_loss').map((a) => [a.sequence, a.to])).toEqual([
        [10, 12],
        [30, 30],
      ]);
    }, 60_000);
  });
}

realStackSuite('soketi', soketiUnavailableReason(), async () => {
  const soketi = await startSoketi();
  cleanups.push(() => soketi.close());
  const { app } = soketi;
  const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: soketi.host, port: String(soketi.port), useTLS: false });
  return {
    profile: (id) =>
      // discovery with its default interval, as a user sets it up
      ProfileInputSchema.parse({
        id,
        name: id,
        kind: 'reverb',
        host: soketi.host,
        port: soketi.port,
        key: app.key,
        appId: app.id,
        auth: { mode: 'secret', secret: app.secret },
        discover: { prefix: 'private-ai.' },
      }),
    async frontend(sessionId) {
      // The app's browser: pusher-js, authorized as the app's /broadcasting/auth would (signed with the app secret).
      const sign = localSigner(app.key, app.secret);
      const client = new PusherClient(app.key, {
        cluster: '',
        wsHost: soketi.host,
        wsPort: soketi.port,
        forceTLS: false,
        enabledTransports: ['ws'],
        channelAuthorization: {
          endpoint: 'unused',
          transport: 'ajax',
          customHandler: ({ socketId, channelName }, callback) =>
            void sign(socketId, channelName).then(
              (auth) => callback(null, auth),
              (error: Error) => callback(error, null),
            ),
        },
      });
      cleanups.push(() => client.disconnect());
      let received = 0;
      const channel = client.subscribe(`private-ai.${sessionId}`);
      channel.bind('chunk.delivered', () => void received++);
      await new Promise<void>((resolve, reject) => {
        channel.bind('pusher:subscription_succeeded', () => resolve());
        channel.bind('pusher:subscription_error', (error: unknown) => reject(new Error(`frontend subscription failed: ${JSON.stringify(error)}`)));
      });
      return { received: () => received };
    },
    publish: async (channel, payload) => void (await sdk.trigger(channel, 'chunk.delivered', payload)),
    probe: async (channel) => void (await sdk.trigger(channel, 'echoscope.probe', {})),
  };
});

realStackSuite('laravel-echo-server + Redis', laravelEchoServerUnavailableReason(), async () => {
  // The user's Laravel app (outside our control): authorizes private channels for a bearer token.
  const app: Server = createServer((req, res) => {
    const ok = req.headers.authorization === 'Bearer qa-token';
    res.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' }).end(ok ? '{"channel_data":null}' : '{"message":"Unauthorized"}');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => app.close(() => resolve())));
  // An API client in its config, as `laravel-echo-server client:add` makes: what discovery authenticates with.
  const client = { appId: 'echoscope', key: 'les-api-key' };
  const les = await startLaravelEchoServer({ authHost: `http://127.0.0.1:${(app.address() as AddressInfo).port}`, clients: [client] });
  cleanups.push(() => les.close());
  return {
    profile: (id) =>
      ProfileInputSchema.parse({
        id,
        name: id,
        kind: 'socketio',
        host: les.host,
        port: les.port,
        key: 'unused',
        appId: client.appId,
        auth: { mode: 'endpoint', url: 'http://127.0.0.1/broadcasting/auth', headers: { Authorization: 'Bearer qa-token' } },
        // discovery with its default interval, through laravel-echo-server's own channels API
        discover: { prefix: 'private-ai.', apiKey: client.key },
      }),
    async frontend(sessionId) {
      // The app's browser: laravel-echo on socket.io-client 2, as Laravel's docs set it up for laravel-echo-server.
      const echo = new Echo({
        broadcaster: 'socket.io',
        host: `http://${les.host}:${les.port}`,
        client: io,
        auth: { headers: { Authorization: 'Bearer qa-token' } },
        transports: ['websocket'],
      });
      cleanups.push(() => echo.disconnect());
      let received = 0;
      echo.private(`ai.${sessionId}`).listen('.chunk.delivered', () => void received++);
      const socket = echo.connector.socket as unknown as SocketIOClient.Socket;
      if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      // laravel-echo-server acknowledges nothing: the frontend is in once a probe broadcast reaches it
      let probed = false;
      echo.private(`ai.${sessionId}`).listen('.echoscope.probe', () => (probed = true));
      while (!probed) {
        await les.broadcast(`private-ai.${sessionId}`, 'echoscope.probe', {});
        await pause(50);
      }
      return { received: () => received };
    },
    probe: (channel) => les.broadcast(channel, 'echoscope.probe', {}),
    publish: (channel, payload) => les.broadcast(channel, 'chunk.delivered', payload),
  };
});
