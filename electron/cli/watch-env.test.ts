/**
 * `echoscope watch --env FILE` against the real mock provider: the .env of a Reverb app whose
 * server is the mock (written here, so its values are known), a frontend (pusher-js) on the
 * session's channel as a browser would be, and the official `pusher` SDK publishing the session
 * as Laravel's reverb broadcaster does. Nothing is mocked.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import PusherClient from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/analysis';
import { signChannel, startMockServer, type MockApp, type MockServer } from '../mock';
import type { ParsedArgs } from './command';
import { readEnvFile } from './env-option';
import { runCli } from './main';
import { watchProfileFromEnv } from './watch-env';

let mock: MockServer | undefined;
const clients: PusherClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await mock?.close();
  mock = undefined;
});

function envFile(lines: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'echoscope-env-')), '.env');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A Laravel 11 app's .env as `php artisan reverb:install` writes it, pointing at `server:port` with `app`. */
const reverbEnv = (app: MockApp, port: number) => [
  'APP_NAME="Watch Test"',
  'APP_URL=http://127.0.0.1:8000',
  'BROADCAST_CONNECTION=reverb',
  `REVERB_APP_ID=${app.id}`,
  `REVERB_APP_KEY=${app.key}`,
  `REVERB_APP_SECRET=${app.secret}`,
  'REVERB_HOST="127.0.0.1"',
  `REVERB_PORT=${port}`,
  'REVERB_SCHEME=http',
  'VITE_REVERB_APP_KEY="${REVERB_APP_KEY}"',
  'VITE_REVERB_HOST="${REVERB_HOST}"',
  'VITE_REVERB_PORT="${REVERB_PORT}"',
  'VITE_REVERB_SCHEME="${REVERB_SCHEME}"',
];

function frontend(server: MockServer, channel: string): void {
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
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function runWatch(args: string[]) {
  const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-watch-env-')), 'run.ndjson');
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  const running = runCli(['watch', ...args, '--journal', journal, '--json', '--progress'], { out: (l) => out.push(l), err: (l) => err.push(l), stopSignal });
  const frames = () =>
    readFileSync(journal, { encoding: 'utf8', flag: 'a+' })
      .split('\n')
      .filter((l) => l.includes('"chunk.delivered"')).length;
  return { out, err, running, frames, stop: () => stop('SIGINT') };
}

async function subscribers(server: MockServer, channel: string): Promise<number> {
  const app = server.apps[0]!;
  const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
  const response = await sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } });
  return ((await response.json()) as { subscription_count?: number }).subscription_count ?? 0;
}

/** One session as Laravel's reverb broadcaster publishes it (the official pusher SDK): two tokens and the terminal. */
async function publishSession(server: MockServer, id: string): Promise<void> {
  const app = server.apps[0]!;
  const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
  const send = (sequence: number, chunk: string, state: string, code: string | null) =>
    sdk.trigger(`private-ai.${id}`, 'chunk.delivered', { session_id: id, chunk, sequence, state, termination_code: code });
  await send(1, 'Hel', 'generating', null);
  await send(2, 'lo', 'generating', null);
  await send(3, '', 'completed', 'end_turn');
}

describe('echoscope watch --env', () => {
  it("connects with nothing but the app's .env, discovers the session's channel and judges it", async () => {
    mock = await startMockServer({ port: 0 });
    const path = envFile(reverbEnv(mock.apps[0]!, mock.port));
    // no --url, --key, --secret or --discover: all from the .env, discovery of private-ai.* by default
    const watch = runWatch(['--env', path, '--poll-interval', '250']);
    frontend(mock, 'private-ai.e1');
    await until(async () => (await subscribers(mock!, 'private-ai.e1')) >= 2, 'EchoScope to discover private-ai.e1');
    await publishSession(mock, 'e1');
    await until(() => watch.frames() >= 3, 'three frames in the journal');
    watch.stop();
    expect(await watch.running).toBe(0);
    const verdict = JSON.parse(watch.out.join('\n')) as Verdict;
    expect(verdict.sessions).toHaveLength(1);
    expect(verdict.sessions[0]).toMatchObject({ sessionId: 'e1', status: 'completed', terminationCode: 'end_turn', events: 3, text: 'Hello', duplicates: 0, missing: 0 });
    // what it read, from where (line numbers of the file written above)
    const said = watch.err.join('\n');
    expect(said).toContain(`${path}: Laravel broadcasts with reverb (BROADCAST_CONNECTION, line 3)`);
    expect(said).toContain(
      `${path}: server ws://127.0.0.1:${mock.port} as the frontend's Echo connects (VITE_REVERB_HOST, line 11; VITE_REVERB_PORT, line 12; VITE_REVERB_SCHEME, line 13)`,
    );
    expect(said).toContain(`${path}: private channels signed with the app secret (REVERB_APP_SECRET, line 6)`);
    expect(said).toContain('no --channel or --discover: following private-ai.* channels as they appear');
  }, 60_000);

  it('explicit flags win over the .env: --url and --key reach the mock the file does not point at', async () => {
    mock = await startMockServer({ port: 0, apps: [{ id: 'real-app', key: 'real-key', secret: 'real-secret' }] });
    // the .env is stale: another port, another key (the secret is right)
    const stale = reverbEnv({ id: 'real-app', key: 'stale-key', secret: 'real-secret' }, 1);
    const watch = runWatch(['--env', envFile(stale), '--url', `ws://127.0.0.1:${mock.port}`, '--key', 'real-key', '--channel', 'private-ai.e2']);
    await until(async () => (await subscribers(mock!, 'private-ai.e2')) >= 1, 'EchoScope to subscribe to private-ai.e2');
    await publishSession(mock, 'e2');
    await until(() => watch.frames() >= 3, 'three frames in the journal');
    watch.stop();
    expect(await watch.running).toBe(0);
    const verdict = JSON.parse(watch.out.join('\n')) as Verdict;
    expect(verdict.sessions[0]).toMatchObject({ sessionId: 'e2', status: 'completed', events: 3 });
    expect(watch.err.join('\n')).toContain(`server ws://127.0.0.1:${mock.port} (given)`);
  }, 60_000);

  it('a bad .env is refused with exit 2, every error named with its line and the flag that would settle it', async () => {
    const path = envFile([
      'APP_NAME=Laravel', // 1
      'BROADCAST_CONNECTION=reverb', // 2
      'REVERB_APP_KEY=key', // 3
      'REVERB_HOST=localhost', // 4
      'REVERB_PORT=eighty', // 5
      'REVERB_APP_SECRET="s3cr\\et"', // 6
    ]);
    const err: string[] = [];
    const code = await runCli(['watch', '--env', path], { out: () => undefined, err: (l) => err.push(l), stopSignal: new Promise<NodeJS.Signals>(() => undefined) });
    expect(code).toBe(2);
    const said = err.join('\n');
    expect(said).toContain(`--env ${path}: no connection can be built from it:`);
    expect(said).toContain(`  ${path}:5: REVERB_PORT=eighty is not a port number (1–65535) (or give --url)`);
    expect(said).toMatch(new RegExp(`  ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6: an unexpected escape sequence in "REVERB_APP_SECRET=`));
  });

  it('a redis-broadcaster app: says the sockets are laravel-echo-server’s and to give its --url; a missing file is named', async () => {
    const path = envFile(['APP_NAME=Laravel', 'APP_URL=http://127.0.0.1:8000', 'BROADCAST_DRIVER=redis', 'REDIS_HOST=127.0.0.1']);
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => err.push(l), stopSignal: new Promise<NodeJS.Signals>(() => undefined) };
    expect(await runCli(['watch', '--env', path], io)).toBe(2);
    expect(err.join('\n')).toMatch(
      /:3: BROADCAST_DRIVER=redis: Laravel publishes to Redis \(127\.0\.0\.1:6379, channels "laravel_database_private-ai\.\{id\}"\).*laravel-echo-server.* \(or give --url\)/,
    );
    err.length = 0;
    expect(await runCli(['watch', '--env', path, '--kind', 'ably'], io)).toBe(2);
    expect(err.join('\n')).toContain('--kind must be one of reverb, pusher, socketio, got "ably"');
    err.length = 0;
    expect(await runCli(['watch', '--env', join(tmpdir(), 'no-such-dir-echoscope', '.env')], io)).toBe(2);
    expect(err.join('\n')).toContain('no such file (a Laravel app keeps it at its root');
  });

  it('--reconcile and --auth-endpoint paths are read against APP_URL; --auth-header alone asks the app instead of signing', async () => {
    const path = envFile(reverbEnv({ id: 'a', key: 'k', secret: 's' }, 8080));
    const args = (values: ParsedArgs['values']): ParsedArgs => ({ values, positionals: [] });
    const file = await readEnvFile(path);
    const profile = watchProfileFromEnv(
      args({ reconcile: '/api/generations/{sessionId}', 'auth-header': ['Authorization: Bearer QA'], channel: ['private-ai.x'] }),
      file,
      () => undefined,
      false,
    );
    expect(profile.reconcile?.url).toBe('http://127.0.0.1:8000/api/generations/{sessionId}');
    expect(profile.auth).toEqual({ mode: 'endpoint', url: 'http://127.0.0.1:8000/broadcasting/auth', headers: { Authorization: 'Bearer QA' } });
    expect(watchProfileFromEnv(args({ 'auth-endpoint': '/custom/auth', channel: ['private-chat.1'] }), file, () => undefined, false)).toMatchObject({
      auth: { mode: 'endpoint', url: 'http://127.0.0.1:8000/custom/auth' },
      channels: ['private-chat.1'],
    });
  });
});
