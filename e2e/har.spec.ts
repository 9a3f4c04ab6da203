import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Pusher from 'pusher';
import { expect, test } from './fixtures';

const cli = join(process.cwd(), 'bin', 'echoscope.js');
const app = { id: 'har-app', key: 'har-key', secret: 'har-secret' };

function startCli(args: string[]): { child: ChildProcess; ready: Promise<Record<string, unknown>> } {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not JSON */
      }
    });
    child.once('exit', (code) => reject(new Error(`echoscope ${args[0]} exited with ${code}`)));
  });
  return { child, ready };
}

function analyze(file: string): { sessions: Array<Record<string, unknown>> } {
  const result = spawnSync(process.execPath, [cli, 'analyze', file, '--json'], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { sessions: Array<Record<string, unknown>> };
}

/** What must agree between two recordings of the same run (arrival times differ by a few ms). */
const CORE = [
  'sessionId',
  'status',
  'terminalStates',
  'terminationCode',
  'events',
  'uniqueSequences',
  'maxSequence',
  'duplicates',
  'conflicts',
  'replays',
  'outOfOrder',
  'afterTerminal',
  'missing',
  'gaps',
  'violations',
  'text',
  'naiveText',
];
const core = (session: Record<string, unknown>) => Object.fromEntries(CORE.map((k) => [k, session[k]]));

test('a HAR recorded by Chromium parses into the same verdict as the journal of the same run', async ({ browser }, testInfo) => {
  const mock = startCli(['mock', '--json', '--port', '0', '--app-id', app.id, '--key', app.key, '--secret', app.secret]);
  const listening = await mock.ready;
  const port = Number(listening.port);
  const journal = testInfo.outputPath('run.ndjson');
  const harPath = testInfo.outputPath('run.har');
  const watch = spawn(
    process.execPath,
    [cli, 'watch', '--url', `ws://127.0.0.1:${port}`, '--key', app.key, '--secret', app.secret, '--channel', 'private-ai.har1', '--journal', journal, '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    // The browser side: a page running the real pusher-js web build, recording a HAR with WebSocket frames.
    const context = await browser.newContext({ recordHar: { path: harPath, content: 'embed' } });
    const page = await context.newPage();
    await page.exposeFunction(
      'signChannel',
      (socketId: string, channel: string) => `${app.key}:${createHmac('sha256', app.secret).update(`${socketId}:${channel}`).digest('hex')}`,
    );
    // A loopback origin: Chromium's local-network-access checks block about:blank → 127.0.0.1 sockets.
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.addScriptTag({ path: join(process.cwd(), 'node_modules/pusher-js/dist/web/pusher.min.js') });
    await page.evaluate(
      ([key, wsPort]) =>
        new Promise<void>((resolve) => {
          type Sign = (socketId: string, channel: string) => Promise<string>;
          type PusherCtor = new (key: string, options: Record<string, unknown>) => { subscribe(name: string): { bind(event: string, cb: () => void): void } };
          const w = window as unknown as { Pusher: PusherCtor; signChannel: Sign };
          const client = new w.Pusher(key as string, {
            cluster: 'mt1',
            wsHost: '127.0.0.1',
            wsPort,
            forceTLS: false,
            enabledTransports: ['ws'],
            channelAuthorization: {
              customHandler: (params: { socketId: string; channelName: string }, cb: (e: null, d: { auth: string }) => void) => {
                void w.signChannel(params.socketId, params.channelName).then((auth) => cb(null, { auth }));
              },
            },
          });
          client.subscribe('private-ai.har1').bind('pusher:subscription_succeeded', () => resolve());
        }),
      [app.key, port] as const,
    );
    // Both the browser and the watcher are subscribed once the channel has two subscribers.
    const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: '127.0.0.1', port: String(port), useTLS: false });
    await expect
      .poll(
        async () =>
          ((await (await sdk.get({ path: '/channels/private-ai.har1', params: { info: 'subscription_count' } })).json()) as { subscription_count?: number }).subscription_count,
      )
      .toBe(2);

    const send = (sequence: number, chunk: string, state = 'generating', code: string | null = null) =>
      sdk.trigger('private-ai.har1', 'chunk.delivered', { session_id: 'har1', chunk, sequence, state, termination_code: code });
    await send(1, 'A');
    await send(2, 'B');
    await send(1, 'A'); // the job was retried
    await send(2, 'B');
    await send(3, 'C');
    await send(5, 'E'); // 4 lost
    await send(6, '', 'completed', 'end_turn');
    await expect
      .poll(
        () =>
          readFileSync(journal, 'utf8')
            .split('\n')
            .filter((l) => l.includes('chunk.delivered')).length,
      )
      .toBe(7);
    await context.close(); // writes the HAR
  } finally {
    watch.kill('SIGINT');
    await new Promise((resolve) => watch.once('exit', resolve));
    mock.child.kill('SIGTERM');
  }

  const fromJournal = analyze(journal).sessions.find((s) => s.sessionId === 'har1')!;
  const fromHar = analyze(harPath).sessions.find((s) => s.sessionId === 'har1')!;
  expect(fromHar).toBeDefined();
  expect(core(fromHar)).toEqual(core(fromJournal));
  expect(fromHar).toMatchObject({ status: 'completed', replays: 1, duplicates: 2, missing: 1, text: 'ABCE' });
});
