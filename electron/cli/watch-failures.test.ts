/**
 * `echoscope watch` as a user sees it when it cannot do its job: the real binary, its exit code
 * and what it says on stderr, for each way a connection or discovery fails for good. Servers on
 * 127.0.0.1 on free ports; peers skipped with a printed reason where they are not installed.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runEchoscope } from '../../test-support/cli-process';
import { startMockServer, type MockServer } from '../mock';
import { laravelEchoServerUnavailableReason, startLaravelEchoServer } from '../../test-support/peers/laravel-echo-server';
import { freePort, soketiUnavailableReason, startSoketi } from '../../test-support/peers/soketi';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

beforeAll(() => ensureCliBuilt(), 120_000);

async function mock(): Promise<MockServer> {
  const server = await startMockServer({ port: 0 });
  cleanups.push(() => server.close());
  return server;
}

/** The last line of stderr: the reason `watch` gives when it stops. */
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

describe('echoscope watch fails for good with exit 1 and says why', () => {
  it('nothing listens on the port (pusher-js): gives up after --connect-timeout, connection refused', async () => {
    const port = await freePort();
    const run = await runEchoscope(['watch', '--url', `ws://127.0.0.1:${port}`, '--key', 'k', '--channel', 'ai.x', '--connect-timeout', '1s']).exited;
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toBe(
      `echoscope watch: no connection to 127.0.0.1:${port} within 1s: connection refused: nothing listens on 127.0.0.1:${port}. Is the server running? Check --url.`,
    );
    expect(run.stdout).toBe('');
  }, 30_000);

  it('nothing listens on the port (Socket.IO, which retries forever): the same, after the timeout', async () => {
    const port = await freePort();
    const run = await runEchoscope(['watch', '--kind', 'socketio', '--url', `http://127.0.0.1:${port}`, '--key', 'k', '--channel', 'ai.x', '--connect-timeout', '1s']).exited;
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toMatch(
      new RegExp(`^echoscope watch: no connection to 127\\.0\\.0\\.1:${port} within 1s: connection refused: nothing listens on 127\\.0\\.0\\.1:${port}`),
    );
  }, 30_000);

  it('something listens but never speaks Pusher: says so and suggests --kind', async () => {
    const server = await mock();
    // The mock's HTTP port answers WebSocket upgrades only on /app/KEY; a Socket.IO client gets no handshake there.
    const run = await runEchoscope(['watch', '--kind', 'socketio', '--url', `http://${server.host}:${server.port}`, '--key', 'k', '--channel', 'ai.x', '--connect-timeout', '1s'])
      .exited;
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toMatch(
      new RegExp(
        `^echoscope watch: no connection to 127\\.0\\.0\\.1:${server.port} within 1s: 127\\.0\\.0\\.1:${server.port} accepts TCP connections but gave no Socket\\.IO handshake`,
      ),
    );
    expect(lastLine(run.stderr)).toMatch(/drop --kind socketio/);
  }, 30_000);

  it('wrong app key on the mock: the Pusher close code and reason, and a hint', async () => {
    const server = await mock();
    const run = await runEchoscope(['watch', '--url', `ws://${server.host}:${server.port}`, '--key', 'not-the-key', '--channel', 'ai.x']).exited;
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toBe(
      `echoscope watch: connection to ${server.host}:${server.port} failed for good: closed with code 4001: the app key does not exist on this server (App key not-the-key does not exist). Hint: check --key: it must be the app key the server knows (REVERB_APP_KEY, PUSHER_APP_KEY, SOKETI_DEFAULT_APP_KEY)`,
    );
  }, 30_000);

  it('wrong secret in discovery on the mock: the HTTP status, the body and a hint', async () => {
    const server = await mock();
    const app = server.apps[0]!;
    const run = await runEchoscope(['watch', '--url', `ws://${server.host}:${server.port}`, '--key', app.key, '--app-id', app.id, '--secret', 'wrong', '--discover', 'private-ai.'])
      .exited;
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toMatch(
      new RegExp(
        `^echoscope watch: discovery failed: GET http://127\\.0\\.0\\.1:${server.port}/apps/${app.id}/channels answered HTTP 401: \\{"error":"Invalid signature[^]*\\. Hint: --secret must be the app secret the server knows`,
      ),
    );
  }, 30_000);

  it('wrong secret with --channel on the mock: no channel could be subscribed, with the server’s reason', async () => {
    const server = await mock();
    const app = server.apps[0]!;
    const run = await runEchoscope(['watch', '--url', `ws://${server.host}:${server.port}`, '--key', app.key, '--secret', 'wrong', '--channel', 'private-ai.a']).exited;
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toMatch(
      /^echoscope watch: no channel could be subscribed: subscription to private-ai\.a failed \(HTTP 401\): Invalid signature.*Hint: the server rejected the locally signed subscription: check --secret/,
    );
  }, 30_000);

  const soketiSkip = soketiUnavailableReason();
  if (soketiSkip) console.log(`skipping the soketi case: ${soketiSkip}`);
  it.skipIf(soketiSkip !== null)(
    'wrong secret in discovery on soketi (HTTP 200 with the error in the body): the body and a hint',
    async () => {
      const soketi = await startSoketi();
      cleanups.push(() => soketi.close());
      const run = await runEchoscope([
        'watch',
        '--url',
        `ws://${soketi.host}:${soketi.port}`,
        '--key',
        soketi.app.key,
        '--app-id',
        soketi.app.id,
        '--secret',
        'wrong',
        '--discover',
        'private-ai.',
      ]).exited;
      expect(run.code).toBe(1);
      expect(lastLine(run.stderr)).toBe(
        `echoscope watch: discovery failed: GET http://${soketi.host}:${soketi.port}/apps/${soketi.app.id}/channels answered HTTP 200 with error code 401 in the body: {"error":"The secret authentication failed","code":401}. Hint: --secret must be the app secret the server knows (REVERB_APP_SECRET, PUSHER_APP_SECRET, SOKETI_DEFAULT_APP_SECRET) and --app-id its id (${soketi.app.id})`,
      );
    },
    60_000,
  );

  const lesSkip = laravelEchoServerUnavailableReason();
  if (lesSkip) console.log(`skipping the laravel-echo-server case: ${lesSkip}`);
  it.skipIf(lesSkip !== null)(
    'laravel-echo-server whose authHost is dead: says the server could not reach it',
    async () => {
      const deadPort = await freePort();
      const les = await startLaravelEchoServer({ authHost: `http://127.0.0.1:${deadPort}` });
      cleanups.push(() => les.close());
      const run = await runEchoscope([
        'watch',
        '--kind',
        'socketio',
        '--url',
        `http://${les.host}:${les.port}`,
        '--key',
        'x',
        '--auth-endpoint',
        `http://127.0.0.1:${deadPort}/broadcasting/auth`,
        '--channel',
        'private-ai.les1',
      ]).exited;
      expect(run.code).toBe(1);
      expect(lastLine(run.stderr)).toBe(
        'echoscope watch: no channel could be subscribed: subscription to private-ai.les1 failed. Hint: laravel-echo-server could not reach its authHost (the Laravel app that authorizes channels): check authHost and authEndpoint in laravel-echo-server.json, and that the app is running',
      );
    },
    60_000,
  );

  it('the server closes a running connection for good (4009): exit 1 with the code, no false "reconnecting"', async () => {
    const server = await mock();
    const app = server.apps[0]!;
    const run = runEchoscope(['watch', '--url', `ws://${server.host}:${server.port}`, '--key', app.key, '--secret', app.secret, '--channel', 'private-ai.k1', '--progress']);
    await run.waitFor(/watching private-ai\.k1/);
    expect(server.closeConnections({ channel: 'private-ai.k1' }, 4009, 'banned')).toBe(1);
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(lastLine(exit.stderr)).toBe(
      `echoscope watch: connection to ${server.host}:${server.port} failed for good: closed with code 4009: connection is unauthorized (banned). Hint: the server refused this connection: check the app key and its allowed origins`,
    );
    expect(exit.stderr).not.toMatch(/reconnecting/);
  }, 30_000);

  it('a journal file that cannot be written: says so instead of recording nothing', async () => {
    const server = await mock();
    const app = server.apps[0]!;
    const journal = join(tmpdir(), `echoscope-no-such-dir-${process.pid}`, 'run.ndjson');
    const run = await runEchoscope([
      'watch',
      '--url',
      `ws://${server.host}:${server.port}`,
      '--key',
      app.key,
      '--secret',
      app.secret,
      '--channel',
      'private-ai.j1',
      '--journal',
      journal,
    ]).exited;
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toBe(`echoscope watch: cannot write the journal ${journal}: ENOENT: no such file or directory, open '${journal}'`);
  }, 30_000);

  it('--auth-header without --auth-endpoint is a usage error (exit 2), not dropped', async () => {
    const run = await runEchoscope(['watch', '--url', 'ws://127.0.0.1:1', '--key', 'k', '--channel', 'private-ai.x', '--auth-header', 'Authorization: Bearer t']).exited;
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^echoscope watch: --auth-header is sent only to an auth endpoint: give --auth-endpoint URL too/);
  }, 30_000);
});
