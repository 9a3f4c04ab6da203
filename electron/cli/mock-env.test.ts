/**
 * `echoscope mock --env FILE [--write-env]`, in-process: the mock serving the app a .env
 * describes, and writing the lines that point a Laravel app at it. The round trip is checked
 * the way a Laravel app would use the result: the written file, read back as Laravel reads it,
 * gives the mock's own credentials and address, and with those the official `pusher` SDK (what
 * Laravel's reverb broadcaster uses) publishes an event a raw protocol-7 client receives.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import { describe, expect, it } from 'vitest';
import { envConnection, readLaravelEnv } from '../../shared/laravel';
import { RawPusherClient } from '../../test-support/raw-pusher-client';
import { DEFAULT_APP } from '../mock';
import { runCli } from './main';
import { freePort } from '../../test-support/free-port';

/** Runs `echoscope mock …`; `line(match)` resolves with the first printed line that matches, `event(name)` with a JSON line's object. */
function mock(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let stop: () => void = () => undefined;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = () => resolve('SIGTERM')));
  const exit = runCli(['mock', ...args], {
    out: (line) => {
      out.push(line);
      for (const waiter of waiters.filter((w) => w.match(line))) waiter.resolve(line);
    },
    err: (line) => err.push(line),
    stopSignal,
  });
  const line = (match: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const already = out.find(match);
      if (already !== undefined) return resolve(already);
      waiters.push({ match, resolve });
      void exit.then((code) => reject(new Error(`mock exited ${code} first: ${err.join('\n')}`)));
    });
  const event = async (name: string) => JSON.parse(await line((l) => l.startsWith('{') && (JSON.parse(l) as { event?: string }).event === name)) as Record<string, unknown>;
  return { out, err, exit, event, line, stop };
}

function envFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'echoscope-mock-env-')), '.env');
  writeFileSync(path, text);
  return path;
}

/** A Laravel 8 app on the redis broadcaster, with the comments and lines a real one has. */
const REDIS_APP = [
  'APP_NAME="Round Trip"',
  'APP_URL=http://127.0.0.1:8000',
  '',
  '# broadcasting through laravel-echo-server until now',
  'BROADCAST_DRIVER=redis',
  'QUEUE_CONNECTION=redis',
  'REDIS_HOST=127.0.0.1',
  'REDIS_PASSWORD=null',
  'REDIS_PORT=6379',
  '',
  'MIX_APP_NAME="${APP_NAME}"',
  '',
].join('\n');

describe('echoscope mock --env --write-env', () => {
  it('writes the lines pointing the app at the mock; read back they are the mock’s credentials and address, and they work', async () => {
    const path = envFile(REDIS_APP);
    chmodSync(path, 0o640);
    const run = mock(['--env', path, '--write-env', '--port', '0', '--json']);
    const listening = (await run.event('listening')) as { port: number; host: string };
    const written = (await run.event('env-written')) as { changes: { name: string; action: string; line: number }[] };
    const text = readFileSync(path, 'utf8');

    // every line of the app's file is still there, in order, BROADCAST_DRIVER set to reverb in its place (line 5)
    const before = REDIS_APP.split('\n');
    const after = text.split('\n');
    before.forEach((line, i) => expect(after[i], `line ${i + 1}`).toBe(i === 4 ? 'BROADCAST_DRIVER=reverb' : line));
    expect(written.changes.find((c) => c.name === 'BROADCAST_DRIVER')).toEqual({ name: 'BROADCAST_DRIVER', action: 'changed', line: 5 });
    expect(statSync(path).mode & 0o777).toBe(0o640);

    // read back as EchoScope (and Laravel) read it: the mock's own app (no app in the file: its defaults) on its port
    const read = envConnection(readLaravelEnv(text));
    expect(read.problems).toEqual([]);
    expect(read.connection).toEqual({
      kind: 'reverb',
      host: '127.0.0.1',
      port: listening.port,
      tls: false,
      key: DEFAULT_APP.key,
      appId: DEFAULT_APP.id,
      auth: { mode: 'secret', secret: DEFAULT_APP.secret },
    });

    // and they work: a frontend with the read key subscribes, Laravel's SDK with the read credentials publishes
    const connection = read.connection!;
    const client = await RawPusherClient.connect(`ws://${connection.host}:${connection.port}/app/${connection.key}?protocol=7`);
    client.send({ event: 'pusher:subscribe', data: { channel: 'round-trip' } });
    await client.nextEvent('pusher_internal:subscription_succeeded', 'round-trip');
    const sdk = new Pusher({
      appId: connection.appId!,
      key: connection.key,
      secret: connection.auth.mode === 'secret' ? connection.auth.secret : '',
      host: connection.host,
      port: String(connection.port),
      useTLS: false,
    });
    await sdk.trigger('round-trip', 'chunk.delivered', { session_id: 'r1', chunk: 'hi', sequence: 1, state: 'generating', termination_code: null });
    const frame = await client.nextEvent('chunk.delivered', 'round-trip');
    expect(frame.data).toMatchObject({ session_id: 'r1', chunk: 'hi' });
    await client.close();
    run.stop();
    expect(await run.exit).toBe(0);
  }, 30_000);

  it('serves the app a .env describes on its port, says the file already points here, and explicit options win', async () => {
    const port = await freePort();
    const path = envFile(
      [
        'BROADCAST_CONNECTION=reverb',
        'REVERB_APP_ID=app-7',
        'REVERB_APP_KEY=key-7',
        'REVERB_APP_SECRET=secret-7',
        'REVERB_HOST=127.0.0.1',
        `REVERB_PORT=${port}`,
        'REVERB_SCHEME=http',
        '',
      ].join('\n'),
    );
    const before = readFileSync(path, 'utf8');
    const run = mock(['--env', path, '--json']);
    expect(await run.event('listening')).toMatchObject({ port });
    expect(await run.event('env')).toMatchObject({ pointsHere: true });
    const client = await RawPusherClient.connect(`ws://127.0.0.1:${port}/app/key-7?protocol=7`);
    await client.close();
    run.stop();
    expect(await run.exit).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(before);

    // --key over the file: the file no longer points here, and the text mode shows the lines to set
    const other = mock(['--env', path, '--key', 'other-key', '--port', '0']);
    await other.line((l) => l === 'Press Ctrl+C to stop.');
    other.stop();
    expect(await other.exit).toBe(0);
    const said = other.out.join('\n');
    expect(said).toContain('app app-7: key other-key, secret secret-7');
    expect(said).toContain(`To point the app at this mock, run again with --write-env, or set in ${path}:`);
    expect(said).toContain(`${path}: the app app-7 / key-7 (REVERB_APP_ID, line 2; REVERB_APP_KEY, line 3; REVERB_APP_SECRET, line 4)`);
    const port2 = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(said)![1]);
    const shown = said.split('\n').filter((l) => l.startsWith('    ') && /^ {4}[A-Z_]+=/.test(l));
    expect(shown).toEqual([
      '    REVERB_APP_KEY=other-key',
      `    REVERB_PORT=${port2}`,
      '    VITE_REVERB_APP_KEY="${REVERB_APP_KEY}"',
      '    VITE_REVERB_HOST="${REVERB_HOST}"',
      '    VITE_REVERB_PORT="${REVERB_PORT}"',
      '    VITE_REVERB_SCHEME="${REVERB_SCHEME}"',
    ]);
  }, 30_000);

  it('refuses --write-env without --env, and a file phpdotenv would refuse before starting', async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => err.push(l), stopSignal: new Promise<NodeJS.Signals>(() => undefined) };
    expect(await runCli(['mock', '--write-env', '--port', '0'], io)).toBe(2);
    expect(err.join('\n')).toContain('--write-env writes into the file of --env');
    const broken = envFile('APP_NAME=two words\nREVERB_APP_KEY=k\n');
    expect(await runCli(['mock', '--env', broken, '--write-env', '--port', '0'], io)).toBe(2);
    expect(err.join('\n')).toContain(`--env ${broken}: phpdotenv would refuse this file:\n  ${broken}:1: unexpected whitespace in "APP_NAME=two words"`);
    expect(readFileSync(broken, 'utf8')).toBe('APP_NAME=two words\nREVERB_APP_KEY=k\n');
  });
});
