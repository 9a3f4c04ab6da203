import { createServer, type Server } from 'node:net';
import Pusher from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../mock';
import { runCli } from './main';
import { freePort } from '../../test-support/free-port';

let mock: MockServer | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stopSignal }, stop: () => stop('SIGINT') };
}

describe('echoscope watch --metrics-port', () => {
  it('serves the figures while it watches: a session counted when it ended, its chunk gaps as they came', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    const port = await freePort();
    const cli = io();
    const running = runCli(
      [
        'watch',
        '--url',
        `ws://${mock.host}:${mock.port}`,
        '--key',
        app.key,
        '--app-id',
        app.id,
        '--secret',
        app.secret,
        '--channel',
        'private-ai.wm1',
        '--quiet',
        '--metrics-port',
        String(port),
      ],
      cli.io,
    );
    const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: mock.host, port: String(mock.port), useTLS: false });
    const subscribers = async () => {
      const response = await sdk.get({ path: '/channels/private-ai.wm1', params: { info: 'subscription_count' } });
      return ((await response.json()) as { subscription_count?: number }).subscription_count ?? 0;
    };
    await until('watch to subscribe', async () => ((await subscribers()) >= 1 ? true : undefined));
    const send = (sequence: number, state = 'generating') =>
      sdk.trigger('private-ai.wm1', 'chunk.delivered', {
        session_id: 'wm1',
        chunk: state === 'generating' ? `<${sequence}>` : '',
        sequence,
        state,
        termination_code: state === 'generating' ? null : 'end_turn',
      });
    await send(1);
    await send(2);
    await send(2); // a duplicate: no gap
    await send(3, 'completed');
    // Live, before the watch ends: the session ended, two gaps (1→2, 2→3).
    const text = await until('the figures on /metrics', async () => {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return body.includes('echoscope_sessions_total{status="completed"') ? body : undefined;
    });
    expect(text).toMatch(/^echoscope_anomalies_total\{kind="duplicate"\} 1$/m);
    expect(text).toMatch(/^gen_ai_client_operation_time_per_output_chunk_seconds_count\{[^}]*\} 2$/m);
    expect(text).not.toContain('wm1');
    cli.stop();
    expect(await running).toBe(0);
    // The server closed with the watch.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  }, 40_000);

  it('says which option is wrong: a port already taken, a host without a port', async () => {
    blocker = createServer();
    const taken = await new Promise<number>((resolve) => blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)));
    const args = ['watch', '--url', 'ws://127.0.0.1:1', '--key', 'k', '--channel', 'c', '--for', '1s'];
    const busy = io();
    expect(await runCli([...args, '--metrics-port', String(taken)], busy.io)).toBe(2);
    expect(busy.err.join('\n')).toContain(`--metrics-port ${taken}: cannot listen on 127.0.0.1:${taken}`);
    const hostOnly = io();
    expect(await runCli([...args, '--metrics-host', '0.0.0.0'], hostOnly.io)).toBe(2);
    expect(hostOnly.err.join('\n')).toContain('--metrics-host needs --metrics-port N');
    const lingerOnly = io();
    expect(await runCli(['check', 'builtin:truncation', '--metrics-linger', '5s'], lingerOnly.io)).toBe(2);
    expect(lingerOnly.err.join('\n')).toContain('--metrics-linger needs --metrics-port N');
  });
});
