/**
 * `watch` with Laravel's channel names (--private, the quiet public channel warning) and
 * `--reconcile` against a record route (a small node:http server playing the Laravel app) whose
 * record changes after the first terminal.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReconcileResult } from '../../shared/api';
import type { Verdict } from '../../shared/analysis';
import Echo from 'laravel-echo';
import io from 'socket.io-client';
import { startMockServer, type MockServer } from '../mock';
import { laravelEchoServerUnavailableReason, startLaravelEchoServer } from '../../test-support/peers/laravel-echo-server';
import { runCli } from './main';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Runs `watch` until the test stops it; every line it writes wakes the test's waits. */
function startWatch(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const wakers = new Set<() => void>();
  const wake = () => wakers.forEach((w) => w());
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  const running = runCli(['watch', ...args], { out: (l) => (out.push(l), wake()), err: (l) => (err.push(l), wake()), stopSignal });
  const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; stderr:\n${err.join('\n')}`);
      await new Promise<void>((resolve) => {
        const done = () => (wakers.delete(done), clearTimeout(timer), resolve());
        // Server-side state changes without telling us: look again after a bound.
        const timer = setTimeout(done, Math.min(left, 100));
        wakers.add(done);
      });
    }
  };
  return { out, err, until, wake, stop: () => stop('SIGINT'), running };
}

async function mockWithSdk(): Promise<{ mock: MockServer; sdk: Pusher; count: (channel: string) => Promise<number> }> {
  const mock = await startMockServer({ port: 0 });
  cleanups.push(() => mock.close());
  const app = mock.apps[0]!;
  const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: mock.host, port: String(mock.port), useTLS: false });
  const count = async (channel: string) =>
    ((await (await sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } })).json()) as { subscription_count?: number }).subscription_count ?? 0;
  return { mock, sdk, count };
}

const chunk = (id: string, sequence: number, text: string, state = 'generating', code: string | null = null) => ({
  session_id: id,
  chunk: text,
  sequence,
  state,
  termination_code: code,
});

describe('watch reads channel names as Laravel writes them', () => {
  it('--channel ai.x1 --private watches private-ai.x1', async () => {
    const { mock, sdk, count } = await mockWithSdk();
    const app = mock.apps[0]!;
    const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-watch-')), 'x1.ndjson');
    const w = startWatch(['--url', `ws://${mock.host}:${mock.port}`, '--key', app.key, '--secret', app.secret, '--private', '--channel', 'ai.x1', '--journal', journal, '--json']);
    await w.until(async () => (await count('private-ai.x1')) === 1, 'EchoScope on private-ai.x1');
    expect(await count('ai.x1')).toBe(0);
    await sdk.trigger('private-ai.x1', 'chunk.delivered', chunk('x1', 1, 'hi'));
    await sdk.trigger('private-ai.x1', 'chunk.delivered', chunk('x1', 2, '', 'completed', 'end_turn'));
    await w.until(
      () =>
        readFileSync(journal, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"chunk.delivered"')).length >= 2,
      'both frames in the journal',
    );
    w.stop();
    expect(await w.running).toBe(0);
    const verdict = JSON.parse(w.out.join('\n')) as Verdict;
    expect(verdict.sessions.map((s) => [s.sessionId, s.channel])).toEqual([['x1', 'private-ai.x1']]);
  }, 30_000);

  it('a silent public channel gets a warning naming the private channel', async () => {
    const { mock, count } = await mockWithSdk();
    const app = mock.apps[0]!;
    const w = startWatch(['--url', `ws://${mock.host}:${mock.port}`, '--key', app.key, '--channel', 'ai.x2', '--quiet-channel-warning', '300ms']);
    await w.until(async () => (await count('ai.x2')) === 1, 'EchoScope on ai.x2');
    await w.until(() => w.err.some((l) => l.includes('"private-ai.x2"')), 'the quiet channel warning');
    expect(w.err.find((l) => l.includes('private-ai.x2'))).toMatch(/no event on public channel "ai\.x2" in 0\.3 s: .*Echo\.private\('ai\.x2'\).*--private/);
    w.stop();
    expect(await w.running).toBe(0);
  }, 30_000);
});

describe('watch --reconcile follows the record', () => {
  it('failed → orphaned after the terminal: the settle check finds it, and the header reaches the app', async () => {
    const { mock, sdk, count } = await mockWithSdk();
    const app = mock.apps[0]!;
    const requests: IncomingHttpHeaders[] = [];
    let record: Record<string, unknown> = { progress: 'failed', last_seq: 1, accumulated_text: 'a', final_text: null };
    const woken = { wake: () => undefined as void };
    const laravel: Server = createServer((req, res) => {
      requests.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { session_id: 'g1', ...record } }));
      // The job's failed() hook runs after the first look.
      record = { ...record, progress: 'orphaned' };
      woken.wake();
    });
    await new Promise<void>((resolve) => laravel.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => laravel.close(() => resolve())));
    const url = `http://127.0.0.1:${(laravel.address() as AddressInfo).port}/api/generations/{sessionId}`;
    const w = startWatch([
      '--url',
      `ws://${mock.host}:${mock.port}`,
      '--key',
      app.key,
      '--secret',
      app.secret,
      '--channel',
      'private-ai.g1',
      '--reconcile',
      url,
      '--reconcile-header',
      'Authorization: Bearer QA',
      '--reconcile-settle',
      '200ms',
      '--json',
    ]);
    woken.wake = w.wake;
    await w.until(async () => (await count('private-ai.g1')) === 1, 'EchoScope on private-ai.g1');
    await sdk.trigger('private-ai.g1', 'chunk.delivered', chunk('g1', 1, 'a'));
    await sdk.trigger('private-ai.g1', 'chunk.delivered', chunk('g1', 2, '', 'errored', 'exception'));
    await w.until(() => requests.length >= 2, 'the record to be fetched at the terminal and once settled');
    w.stop();
    expect(await w.running).toBe(0);
    expect(requests[0]!.authorization).toBe('Bearer QA');
    const printed = JSON.parse(w.out.join('\n')) as Verdict & { reconciliation: Array<{ sessionId: string; result: ReconcileResult }> };
    const g1 = printed.reconciliation.find((r) => r.sessionId === 'g1')!.result;
    expect(g1.mismatches).toEqual([expect.objectContaining({ field: 'progress', expected: 'orphaned', received: 'errored' })]);
    expect(g1.history!.map((c) => c.ok)).toEqual([true, ...g1.history!.slice(1).map(() => false)]);
    expect(g1.history![0]!.trigger).toBe('terminal');
  }, 30_000);

  it('refuses --reconcile without {sessionId} and a header without --reconcile', async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => err.push(l), stopSignal: new Promise<NodeJS.Signals>(() => undefined) };
    expect(await runCli(['watch', '--url', 'ws://127.0.0.1:1', '--key', 'k', '--channel', 'c', '--reconcile', 'http://app/api/generations'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/\{sessionId\} placeholder/);
    expect(await runCli(['watch', '--url', 'ws://127.0.0.1:1', '--key', 'k', '--channel', 'c', '--reconcile-header', 'A: b'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/--reconcile-header needs --reconcile/);
  });
});

describe('watch --discover on laravel-echo-server', () => {
  const lesReason = laravelEchoServerUnavailableReason();
  if (lesReason) console.log(`[peers] laravel-echo-server watch test skipped: ${lesReason}`);
  it.skipIf(lesReason !== null)(
    "--api-key discovers the frontend's channel; watch leaves it once the session ended",
    async () => {
      const laravel: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"channel_data":null}'));
      await new Promise<void>((resolve) => laravel.listen(0, '127.0.0.1', () => resolve()));
      cleanups.push(() => new Promise<void>((resolve) => laravel.close(() => resolve())));
      const authHost = `http://127.0.0.1:${(laravel.address() as AddressInfo).port}`;
      const les = await startLaravelEchoServer({ authHost, clients: [{ appId: 'w-app', key: 'w-key' }] });
      cleanups.push(() => les.close());
      const count = async (channel: string) =>
        ((await (await fetch(`http://${les.host}:${les.port}/apps/w-app/channels/${channel}?auth_key=w-key`)).json()) as { subscription_count: number }).subscription_count;
      const frontend = new Echo({ broadcaster: 'socket.io', host: `http://${les.host}:${les.port}`, client: io, transports: ['websocket'] });
      cleanups.push(() => frontend.disconnect());
      frontend.private('ai.w1');
      const w = startWatch([
        '--kind',
        'socketio',
        '--url',
        `http://${les.host}:${les.port}`,
        '--key',
        'unused',
        '--app-id',
        'w-app',
        '--api-key',
        'w-key',
        '--auth-endpoint',
        `${authHost}/broadcasting/auth`,
        '--discover',
        'ai.',
        '--private',
        '--poll-interval',
        '250',
        '--leave-grace',
        '300ms',
        '--json',
      ]);
      await w.until(async () => (await count('private-ai.w1')) === 2, 'EchoScope to discover private-ai.w1 (prefix ai. read as private-ai.)');
      await les.broadcast('private-ai.w1', 'chunk.delivered', chunk('w1', 1, 'Hi'));
      await les.broadcast('private-ai.w1', 'chunk.delivered', chunk('w1', 2, '', 'completed', 'end_turn'));
      await w.until(async () => (await count('private-ai.w1')) === 1, "watch to leave the ended session's channel");
      w.stop();
      expect(await w.running).toBe(0);
      const verdict = JSON.parse(w.out.join('\n')) as Verdict;
      expect(verdict.sessions.find((s) => s.sessionId === 'w1')).toMatchObject({ status: 'completed', events: 2, missing: 0 });
    },
    60_000,
  );
});
