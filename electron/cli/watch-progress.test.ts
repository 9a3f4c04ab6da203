/** `echoscope watch`'s live progress on stderr: shown on a terminal or with --progress, silenced by --quiet. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runEchoscope } from '../../test-support/cli-process';
import { startMockServer, type MockServer } from '../mock';
import { runCli } from './main';

let mock: MockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
beforeAll(() => ensureCliBuilt(), 120_000);

function publisher(server: MockServer) {
  const app = server.apps[0]!;
  const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
  return (id: string, sequence: number, state = 'generating', code: string | null = null) =>
    sdk.trigger(`private-ai.${id}`, 'chunk.delivered', { session_id: id, chunk: state === 'generating' ? `<${sequence}>` : '', sequence, state, termination_code: code });
}

async function fileContains(file: string, text: string, times = 1, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let content = '';
    try {
      content = readFileSync(file, 'utf8');
    } catch {
      // Not created yet.
    }
    if (content.split(text).length - 1 >= times) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${text} in ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('echoscope watch progress', () => {
  it('--progress: connected, each channel watched, each session as it ends with its status', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    const send = publisher(mock);
    const run = runEchoscope([
      'watch',
      '--url',
      `ws://${mock.host}:${mock.port}`,
      '--key',
      app.key,
      '--secret',
      app.secret,
      '--channel',
      'private-ai.p1',
      '--channel',
      'private-ai.p2',
      '--progress',
    ]);
    await run.waitFor(/watching private-ai\.p2/);
    await send('p1', 1);
    await send('p1', 2);
    await send('p1', 3, 'completed', 'end_turn');
    await run.waitFor(/session p1 ended/);
    await send('p2', 1);
    await send('p2', 1);
    await send('p2', 2, 'truncated', 'max_tokens');
    await run.waitFor(/session p2 ended/);
    run.signal('SIGINT');
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    const lines = exit.stderr.trim().split('\n');
    expect(lines.slice(0, 6)).toEqual([
      `echoscope watch: watching ${mock.host}:${mock.port} (Ctrl-C to stop)`,
      expect.stringMatching(new RegExp(`^echoscope watch: connected to 127\\.0\\.0\\.1:${mock.port} \\(socket \\d+\\.\\d+\\)$`)) as string,
      expect.stringMatching(/^echoscope watch: watching private-ai\.p[12] \(1 channel\)$/) as string,
      expect.stringMatching(/^echoscope watch: watching private-ai\.p[12] \(2 channels\)$/) as string,
      'echoscope watch: session p1 ended: completed (end_turn), 3 events',
      'echoscope watch: session p2 ended: truncated (max_tokens), 3 events, 1 duplicate',
    ]);
    expect(lines).toHaveLength(6);
  }, 40_000);

  it('--quiet: nothing on stderr while it runs, the verdicts still on stdout', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    const send = publisher(mock);
    const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-quiet-')), 'run.ndjson');
    const run = runEchoscope([
      'watch',
      '--url',
      `ws://${mock.host}:${mock.port}`,
      '--key',
      app.key,
      '--secret',
      app.secret,
      '--channel',
      'private-ai.q1',
      '--quiet',
      '--journal',
      journal,
    ]);
    await fileContains(journal, '"status":"subscribed"');
    await send('q1', 1);
    await send('q1', 2, 'completed', 'end_turn');
    await fileContains(journal, '"state":"completed"');
    run.signal('SIGINT');
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe('');
    expect(exit.stdout).toMatch(/q1\s+completed\s+2/);
  }, 40_000);

  it('a drop is said even with --quiet; --progress says when it is back', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    for (const flag of ['--quiet', '--progress']) {
      const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-drop-')), 'run.ndjson');
      const run = runEchoscope([
        'watch',
        '--url',
        `ws://${mock.host}:${mock.port}`,
        '--key',
        app.key,
        '--secret',
        app.secret,
        '--channel',
        'private-ai.d1',
        '--journal',
        journal,
        flag,
      ]);
      await fileContains(journal, '"status":"subscribed"');
      expect(mock.closeConnections({ channel: 'private-ai.d1' }, 4200, 'deploy')).toBe(1);
      await run.waitFor(/connection lost/);
      await fileContains(journal, '"status":"subscribed"', 2);
      run.signal('SIGINT');
      const exit = await run.exited;
      expect(exit.code).toBe(0);
      const lines = exit.stderr.trim().split('\n');
      expect(lines).toContain('echoscope watch: connection lost: closed with code 4200: the server asked the client to reconnect (deploy); reconnecting (giving up after 10s)');
      if (flag === '--quiet') expect(lines).toHaveLength(1);
      else expect(lines.some((line) => /^echoscope watch: reconnected to 127\.0\.0\.1:\d+ \(socket [\d.]+\)$/.test(line))).toBe(true);
    }
  }, 40_000);

  it('is on by default on a terminal, off when stderr is not one', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    const args = ['watch', '--url', `ws://${mock.host}:${mock.port}`, '--key', app.key, '--secret', app.secret, '--channel', 'private-ai.t1'];
    for (const interactive of [true, false]) {
      const err: string[] = [];
      let stop: (signal: NodeJS.Signals) => void = () => undefined;
      let subscribed: () => void = () => undefined;
      const watched = new Promise<void>((resolve) => (subscribed = resolve));
      const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
      const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-tty-')), 'run.ndjson');
      const running = runCli([...args, '--journal', journal], { out: () => undefined, err: (line) => err.push(line), stopSignal, interactive });
      void fileContains(journal, '"status":"subscribed"').then(subscribed);
      await watched;
      stop('SIGINT');
      expect(await running).toBe(0);
      expect(err.some((line) => line.includes('watching private-ai.t1 (1 channel)'))).toBe(interactive);
    }
  }, 40_000);
});
