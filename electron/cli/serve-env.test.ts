/**
 * `echoscope serve --env FILE` as a user runs it (its own process): the .env of a Reverb app
 * whose server is the real mock provider, a frontend (pusher-js) on a session channel, and the
 * official `pusher` SDK publishing the session. The dashboard's bridge shows the profile made
 * from the file, connected, and the session it discovered.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import PusherClient from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from '../../shared/api';
import { openBridge, pageToken, type BridgeClient } from '../../test-support/bridge-client';
import { eventually } from '../../test-support/raw-pusher-client';
import { spawnCli, type SpawnedCli } from '../../test-support/spawned-cli';
import { signChannel, startMockServer, type MockServer } from '../mock';

let mock: MockServer | undefined;
let serve: SpawnedCli | undefined;
let bridge: BridgeClient | undefined;
const clients: PusherClient[] = [];
afterEach(async () => {
  bridge?.close();
  for (const client of clients.splice(0)) client.disconnect();
  await serve?.stop();
  await mock?.close();
  mock = undefined;
  serve = undefined;
});

function rendererFolder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'echoscope-serve-env-')), 'renderer');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  return dir;
}

describe('echoscope serve --env', () => {
  it("adds a profile for the app from its .env, connects it without the demo, and discovers the app's sessions", async () => {
    mock = await startMockServer({ port: 0, apps: [{ id: 'app-9', key: 'key-9', secret: 'secret-9' }] });
    const path = join(mkdtempSync(join(tmpdir(), 'echoscope-serve-env-')), '.env');
    writeFileSync(
      path,
      [
        'APP_NAME="Serve Test"',
        'BROADCAST_CONNECTION=reverb',
        'REVERB_APP_ID=app-9',
        'REVERB_APP_KEY=key-9',
        'REVERB_APP_SECRET=secret-9',
        'REVERB_HOST=127.0.0.1',
        `REVERB_PORT=${mock.port}`,
        'REVERB_SCHEME=http',
        '',
      ].join('\n'),
    );
    serve = spawnCli(['serve', '--json', '--port', '0', '--no-journal', '--renderer-dir', rendererFolder(), '--env', path]);
    const ready = (await serve.readyLine) as { port: number; url: string; mock: string | null; profile: string };
    // no demo with --env; the profile is named after APP_NAME
    expect(ready).toMatchObject({ mock: null, profile: 'serve-test-env' });
    bridge = await openBridge(ready.port, (await pageToken(ready.url)).token);
    const profiles = (await bridge.invoke('profiles.list', {})).value as Record<string, unknown>[];
    expect(profiles).toEqual([
      expect.objectContaining({
        id: 'serve-test-env',
        name: 'Serve Test (.env)',
        kind: 'reverb',
        host: '127.0.0.1',
        port: mock.port,
        tls: false,
        key: 'key-9',
        appId: 'app-9',
        auth: { mode: 'secret', hasSecret: true },
        discover: expect.objectContaining({ prefix: 'private-ai.' }),
      }),
    ]);

    const client = new PusherClient('key-9', {
      cluster: 'mt1',
      wsHost: '127.0.0.1',
      wsPort: mock.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      channelAuthorization: { customHandler: ({ socketId, channelName }, cb) => cb(null, { auth: signChannel('key-9', 'secret-9', socketId, channelName) }) },
    });
    clients.push(client);
    client.subscribe('private-ai.v1');
    await eventually(() => mock!.subscriberCount('private-ai.v1') === 2, 15_000, 'serve to discover private-ai.v1');
    // The row's push is the signal that serve analyzed the session's end.
    bridge!.ready();
    expect(await bridge!.invoke('subscriptions.subscribe', { id: 'live', topic: 'live', params: { offset: 0, limit: 50, query: DEFAULT_QUERY } })).toMatchObject({ ok: true });
    const ended = bridge!.next((m) => m.kind === 'push' && m.push === 'subscriptions.deltas' && /"sessionId":"v1"[^}]*"status":"completed"/.test(JSON.stringify(m.payload)));
    const sdk = new Pusher({ appId: 'app-9', key: 'key-9', secret: 'secret-9', host: '127.0.0.1', port: String(mock.port), useTLS: false });
    await sdk.trigger('private-ai.v1', 'chunk.delivered', { session_id: 'v1', chunk: 'Hi', sequence: 1, state: 'generating', termination_code: null });
    await sdk.trigger('private-ai.v1', 'chunk.delivered', { session_id: 'v1', chunk: '', sequence: 2, state: 'completed', termination_code: 'end_turn' });
    await ended;
    const rows = ((await bridge!.invoke('sessions.list', {})).value as { rows: { sessionId: string; status: string; events: number }[] }).rows;
    expect(rows).toEqual([expect.objectContaining({ sessionId: 'v1', status: 'completed', events: 2 })]);
  }, 60_000);

  it('a redis-broadcaster .env without --url: exit 2, naming laravel-echo-server and --url', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'echoscope-serve-env-')), '.env');
    writeFileSync(path, 'APP_NAME=Laravel\nBROADCAST_DRIVER=redis\n');
    serve = spawnCli(['serve', '--json', '--port', '0', '--no-journal', '--renderer-dir', rendererFolder(), '--env', path]);
    expect(await serve.exited).toBe(2);
    expect(serve.stderr.join('\n')).toMatch(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: BROADCAST_DRIVER=redis: .*laravel-echo-server.*\\(or give --url\\)`));
  }, 30_000);
});
