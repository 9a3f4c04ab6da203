import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import PusherClient from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeJournal, type Verdict } from '../../shared/analysis';
import { parseNdjsonJournal } from '../../shared/journal';
import { signChannel, startMockServer, type MockServer } from '../mock';
import { runCli } from './main';

let mock: MockServer | undefined;
const clients: PusherClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await mock?.close();
});

/** A user's frontend (pusher-js) occupying a session channel, as a browser would before tokens flow. */
function frontend(server: MockServer, channel: string): PusherClient {
  const app = server.apps[0]!;
  const client = new PusherClient(app.key, {
    cluster: 'mt1',
    wsHost: server.host,
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    channelAuthorization: { customHandler: ({ socketId, channelName }, cb) => cb(null, { auth: signChannel(app.key, app.secret, socketId, channelName) }) },
  });
  client.subscribe(channel);
  clients.push(client);
  return client;
}

async function subscriberCount(server: MockServer, channel: string): Promise<number> {
  const app = server.apps[0]!;
  const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
  const response = await sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } });
  return ((await response.json()) as { subscription_count?: number }).subscription_count ?? 0;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `echoscope watch --json --journal …` against the mock's first app, in-process; stop it with `stop()`. */
function watchMock(server: MockServer, args: string[]) {
  const app = server.apps[0]!;
  const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-watch-')), 'run.ndjson');
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  const running = runCli(
    ['watch', '--url', `ws://${server.host}:${server.port}`, '--key', app.key, '--app-id', app.id, '--secret', app.secret, ...args, '--journal', journal, '--json'],
    { out: (l) => out.push(l), err: (l) => err.push(l), stopSignal },
  );
  const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
  return { journal, out, err, sdk, running, stop: () => stop('SIGINT') };
}

describe('echoscope watch', () => {
  it('discovers new session channels, records a journal, and prints the same verdicts analyze gives on it', async () => {
    mock = await startMockServer({ port: 0 });
    const { journal, out, sdk, running, stop } = watchMock(mock, ['--discover', 'private-ai.', '--poll-interval', '250']);
    const sessions = ['w1', 'w2', 'w3'];
    for (const id of sessions) frontend(mock, `private-ai.${id}`);
    for (const id of sessions) await until(async () => (await subscriberCount(mock!, `private-ai.${id}`)) >= 2, `EchoScope to discover private-ai.${id}`);

    const send = (id: string, sequence: number, state = 'generating', code: string | null = null) =>
      sdk.trigger(`private-ai.${id}`, 'chunk.delivered', { session_id: id, chunk: state === 'generating' ? `<${sequence}>` : '', sequence, state, termination_code: code });
    await send('w1', 1);
    await send('w1', 2);
    await send('w1', 3, 'completed', 'end_turn');
    await send('w2', 1);
    await send('w2', 2);
    await send('w2', 1); // replay after a crash
    await send('w2', 2);
    await send('w2', 3, 'truncated', 'max_tokens');
    await send('w3', 1);
    await send('w3', 3); // 2 is lost
    await until(
      async () =>
        readFileSync(journal, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"chunk.delivered"')).length >= 10,
      'frames in the journal',
    );
    stop();
    expect(await running).toBe(0);

    const watched = JSON.parse(out.join('\n')) as Verdict;
    const parsed = parseNdjsonJournal(readFileSync(journal, 'utf8'));
    expect(parsed.summary.issues).toEqual([]);
    expect(watched).toEqual(analyzeJournal(parsed.records));
    const byId = Object.fromEntries(watched.sessions.map((s) => [s.sessionId, s]));
    expect(byId.w1).toMatchObject({ status: 'completed', events: 3, duplicates: 0, disconnects: 0 });
    expect(byId.w2).toMatchObject({ status: 'truncated', replays: 1, duplicates: 2 });
    expect(byId.w3).toMatchObject({ status: 'streaming', missing: 1, gaps: [{ from: 2, to: 2 }], disconnects: 0 });
  }, 60_000);

  it('a mixed fleet on one connection: a Laravel AI SDK channel and a seed channel, each detected and judged by its own contract', async () => {
    // Published as laravel/ai's StreamEvent::broadcast does (docs/contracts-research.md): the event
    // name is the payload's type, no sequence number; the job crashed after two deltas and was
    // retried under a new invocation_id. Beside it, a seed-contract session. No --contract: each
    // channel's first frame chooses. Only the publisher is ours; server, client and SDK are real.
    mock = await startMockServer({ port: 0 });
    // --fail-on replay: the retried job's replay makes the watch exit 1 (a release gate), after the verdicts
    const { journal, out, err, sdk, running, stop } = watchMock(mock, ['--channel', 'private-chat.42', '--channel', 'private-ai.s7', '--fail-on', 'replay,gap']);
    await until(async () => (await subscriberCount(mock!, 'private-chat.42')) >= 1, 'EchoScope to subscribe to private-chat.42');
    await until(async () => (await subscriberCount(mock!, 'private-ai.s7')) >= 1, 'EchoScope to subscribe to private-ai.s7');
    const seed = (sequence: number, chunk: string, state: string) =>
      sdk.trigger('private-ai.s7', 'chunk.delivered', { session_id: 's7', chunk, sequence, state, termination_code: state === 'generating' ? null : 'end_turn' });
    await seed(1, 'Hi', 'generating');
    await seed(2, '', 'completed');
    let n = 0;
    const send = (invocation: string, type: string, extra: Record<string, unknown> = {}) =>
      sdk.trigger('private-chat.42', type, { id: `evt-${++n}`, invocation_id: invocation, type, timestamp: Math.floor(Date.now() / 1000), ...extra });
    await send('inv-1', 'stream_start', { provider: 'anthropic', model: 'claude', metadata: [] });
    await send('inv-1', 'text_delta', { message_id: 'm1', delta: 'The ' });
    await send('inv-1', 'text_delta', { message_id: 'm1', delta: 'answer' });
    await send('inv-2', 'stream_start', { provider: 'anthropic', model: 'claude', metadata: [] });
    await send('inv-2', 'text_delta', { message_id: 'm2', delta: 'The ' });
    await send('inv-2', 'text_delta', { message_id: 'm2', delta: 'answer' });
    await send('inv-2', 'text_delta', { message_id: 'm2', delta: ' is 42.' });
    await send('inv-2', 'stream_end', { reason: 'stop', usage: { prompt_tokens: 3, completion_tokens: 4 } });
    await until(async () => readFileSync(journal, 'utf8').includes('"stream_end"'), 'the stream_end in the journal');
    stop();
    expect(await running).toBe(1);
    expect(err.join('\n')).toContain('echoscope watch: --fail-on: replay in 1 session (42)');
    const watched = JSON.parse(out.join('\n')) as Verdict;
    expect(watched.sessions).toHaveLength(2);
    const byId = Object.fromEntries(watched.sessions.map((s) => [s.sessionId, s]));
    expect(byId['42']).toMatchObject({
      status: 'completed',
      terminationCode: 'stop',
      replays: 1,
      attempts: 2,
      duplicates: 2,
      text: 'The answer is 42.',
      ttftFrom: 'start_event',
      contract: { name: 'laravel-ai', confidence: 'high' },
      checks: { gaps: false, order: true, duplicates: true },
    });
    expect(byId.s7).toMatchObject({ status: 'completed', terminationCode: 'end_turn', text: 'Hi', contract: { name: 'echoscope', confidence: 'high' }, checks: { gaps: true } });
    expect(watched.unrecognised).toEqual([]);
  }, 60_000);

  it('stops with exit 1 when discovery is refused, showing what the server answered', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    const err: string[] = [];
    const code = await runCli(
      ['watch', '--url', `ws://${mock.host}:${mock.port}`, '--key', app.key, '--app-id', app.id, '--secret', 'wrong-secret', '--discover', 'private-ai.', '--poll-interval', '250'],
      {
        out: () => undefined,
        err: (l) => err.push(l),
        stopSignal: new Promise<NodeJS.Signals>(() => undefined),
      },
    );
    expect(code).toBe(1);
    expect(err.at(-1)).toMatch(/discovery failed: GET http:\/\/127\.0\.0\.1:\d+\/apps\/echoscope\/channels answered HTTP 401: \{"error":"Invalid signature.*Hint: --secret/);
  }, 30_000);

  it('refuses incomplete options with exit code 2', async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => err.push(l), stopSignal: new Promise<NodeJS.Signals>(() => undefined) };
    expect(await runCli(['watch', '--url', 'ws://127.0.0.1:1', '--key', 'k'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/--channel .* or --discover/);
    expect(await runCli(['watch', '--url', 'ws://127.0.0.1:1', '--key', 'k', '--discover', 'private-ai.'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/discovery signs HTTP API requests/);
    expect(await runCli(['watch', '--url', 'ws://127.0.0.1:1', '--key', 'k', '--channel', 'c', '--for', 'soon'], io)).toBe(2);
  });
});
