/**
 * The hub against servers we did not write: soketi (Pusher protocol) and laravel-echo-server
 * (Socket.IO 2, fed through Redis exactly as Laravel's RedisBroadcaster publishes). Each receives
 * the same contract stream as our mock provider, and the analyzer must reach the same verdict.
 * Skipped with a printed reason where a peer is not installed (scripts/peers/install-*.sh).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Pusher from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileInputSchema, type Profile } from '../../../shared/api';
import { analyzeJournal } from '../../../shared/analysis';
import { CapturedBatchBuilder, capturedRecords, type JournalRecord } from '../../../shared/journal';
import { startMockServer } from '../../mock';
import { laravelEchoServerUnavailableReason, startLaravelEchoServer } from '../../../test-support/peers/laravel-echo-server';
import { soketiUnavailableReason, startSoketi } from '../../../test-support/peers/soketi';
import { ConnectionHub } from './connection-hub';

const STREAM = [
  { chunk: 'Hel', sequence: 1, state: 'generating' },
  { chunk: 'lo', sequence: 2, state: 'generating' },
  { chunk: ' wor', sequence: 3, state: 'generating' },
  { chunk: ' wor', sequence: 3, state: 'generating' },
  { chunk: 'ld', sequence: 4, state: 'generating' },
  { chunk: '', sequence: 5, state: 'completed', termination_code: 'end_turn' },
];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Subscribes through the hub, sends the stream with `publish`, returns the verdict of what was captured. */
async function captureStream(profile: Profile, sessionId: string, publish: (payload: Record<string, unknown>) => Promise<void>) {
  const records: JournalRecord[] = [];
  // What the journal gets: each record, or a Pusher frame's wire text in its place.
  const captured = new CapturedBatchBuilder();
  let wireTexts = 0;
  let wake = () => undefined as void;
  const hub = new ConnectionHub({
    record: (r, wireText) => (records.push(r), captured.add(r, wireText), (wireTexts += wireText === undefined ? 0 : 1), wake()),
    status: () => wake(),
  });
  cleanups.push(() => hub.closeAll());
  hub.connect(profile);
  const channel = `private-ai.${sessionId}`;
  const subscribed = await hub.subscribe(profile.id, channel);
  expect(subscribed.status).toBe('subscribed');
  for (const event of STREAM) await publish({ session_id: sessionId, termination_code: null, ...event });
  const frames = () => records.filter((r) => r.type === 'frame' && r.event === 'chunk.delivered').length;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`captured ${frames()} of ${STREAM.length} frames`)), 10_000);
    wake = () => {
      if (frames() >= STREAM.length) {
        clearTimeout(timer);
        resolve();
      }
    };
    wake();
  });
  // The journal decodes this server's wire text into the very records the hub analyzed live.
  const decoded = capturedRecords(captured.take());
  expect(decoded).toEqual({ ok: true, records });
  // Pusher-protocol frames come with their wire text; Socket.IO ones as objects.
  if (profile.kind === 'socketio') expect(wireTexts).toBe(0);
  else expect(wireTexts).toBeGreaterThanOrEqual(STREAM.length);
  const verdict = analyzeJournal(records);
  return verdict.sessions.find((s) => s.sessionId === sessionId)!;
}

function expectSameAnalysis(session: Awaited<ReturnType<typeof captureStream>>) {
  expect(session).toMatchObject({
    status: 'completed',
    terminationCode: 'end_turn',
    events: 6,
    uniqueSequences: 5,
    maxSequence: 5,
    duplicates: 1,
    conflicts: 0,
    missing: 0,
    violations: 0,
    text: 'Hello world',
    naiveText: 'Hello wor world',
  });
}

describe('frames from servers we did not write are captured and analyzed like ours', () => {
  it('our mock provider (reference)', async () => {
    const mock = await startMockServer({ port: 0 });
    cleanups.push(() => mock.close());
    const app = mock.apps[0]!;
    const pusher = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: mock.host, port: String(mock.port), useTLS: false });
    const profile = ProfileInputSchema.parse({
      id: 'mock',
      name: 'mock',
      kind: 'reverb',
      host: mock.host,
      port: mock.port,
      key: app.key,
      auth: { mode: 'secret', secret: app.secret },
    });
    expectSameAnalysis(await captureStream(profile, 'ref', async (payload) => void (await pusher.trigger('private-ai.ref', 'chunk.delivered', payload))));
  });

  const soketiReason = soketiUnavailableReason();
  if (soketiReason) console.log(`[peers] soketi tests skipped: ${soketiReason}`);
  it.skipIf(soketiReason !== null)(
    'soketi (Pusher protocol)',
    async () => {
      const soketi = await startSoketi();
      cleanups.push(() => soketi.close());
      const pusher = new Pusher({ appId: soketi.app.id, key: soketi.app.key, secret: soketi.app.secret, host: soketi.host, port: String(soketi.port), useTLS: false });
      const profile = ProfileInputSchema.parse({
        id: 'soketi',
        name: 'soketi',
        kind: 'reverb',
        host: soketi.host,
        port: soketi.port,
        key: soketi.app.key,
        auth: { mode: 'secret', secret: soketi.app.secret },
      });
      expectSameAnalysis(await captureStream(profile, 'sk', async (payload) => void (await pusher.trigger('private-ai.sk', 'chunk.delivered', payload))));
    },
    60_000,
  );

  const lesReason = laravelEchoServerUnavailableReason();
  if (lesReason) console.log(`[peers] laravel-echo-server tests skipped: ${lesReason}`);
  it.skipIf(lesReason !== null)(
    'laravel-echo-server + Redis (Socket.IO), auth through the app with a bearer header',
    async () => {
      // The user's Laravel app (outside our control): authorizes private channels for a bearer token.
      const authorizations: string[] = [];
      const app: Server = createServer((req, res) => {
        authorizations.push(String(req.headers.authorization));
        const ok = req.headers.authorization === 'Bearer qa-token';
        res.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' }).end(ok ? '{"channel_data":null}' : '{"message":"Unauthorized"}');
      });
      await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', () => resolve()));
      cleanups.push(() => new Promise<void>((resolve) => app.close(() => resolve())));
      const les = await startLaravelEchoServer({ authHost: `http://127.0.0.1:${(app.address() as AddressInfo).port}` });
      cleanups.push(() => les.close());
      const profile = ProfileInputSchema.parse({
        id: 'les',
        name: 'les',
        kind: 'socketio',
        host: les.host,
        port: les.port,
        key: 'unused',
        auth: { mode: 'endpoint', url: 'http://127.0.0.1/broadcasting/auth', headers: { Authorization: 'Bearer qa-token' } },
      });
      // laravel-echo-server sends no subscription ack: give its auth round trip time by waiting for the app to be asked.
      const session = await captureStream(profile, 'les', async (payload) => {
        while (authorizations.length === 0) await new Promise((resolve) => setImmediate(resolve));
        await les.broadcast('private-ai.les', 'chunk.delivered', payload);
      });
      expect(authorizations[0]).toBe('Bearer qa-token');
      expectSameAnalysis(session);
    },
    60_000,
  );
});
