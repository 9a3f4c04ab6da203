/**
 * `echoscope proxy` as a user runs it, in process: the real mock as the server, a real pusher-js
 * client through the proxy, events published with the mock's HTTP API. Expected values come from
 * what the test published and the rule it gave.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalRecordSchema } from '../../shared/journal';
import type { ProxyTruth } from '../../shared/proxy';
import { startMockServer, type MockServer } from '../mock';
import { signChannel } from '../mock/signature';
import { eventually } from '../../test-support/raw-pusher-client';
import { runCli } from './main';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer();
});
afterAll(() => mock.close());

function io() {
  const out: string[] = [];
  const err: string[] = [];
  let stop!: (signal: NodeJS.Signals) => void;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  return { out, err, stop: () => stop('SIGINT'), io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stopSignal } };
}

describe('echoscope proxy', () => {
  it('journals the client, drops what the rule says, prints the verdict and writes the ground truth', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'echoscope-proxy-'));
    const journal = join(dir, 'run.ndjson');
    const truthFile = join(dir, 'truth.json');
    const rules = join(dir, 'faults.yaml');
    await writeFile(rules, 'seed: 4\nfaults:\n  - kind: duplicate\n    event: chunk.delivered\n    nth: [4]\n');
    const cli = io();
    const running = runCli(
      [
        'proxy',
        '--listen',
        '0',
        '--upstream',
        `ws://127.0.0.1:${mock.port}`,
        '--faults',
        rules,
        '--fault',
        'drop event=chunk.delivered nth=2',
        '--journal',
        journal,
        '--truth',
        truthFile,
        '--json',
      ],
      cli.io,
    );
    await eventually(() => cli.err.some((l) => l.includes('listening at')), 10_000, 'the banner');
    const banner = cli.err.find((l) => l.includes('listening at'))!;
    expect(banner).toContain('2 fault rules');
    const port = Number(/ws:\/\/127\.0\.0\.1:(\d+)/.exec(banner)![1]);
    const app = mock.apps[0]!;
    const client = new Pusher(app.key, {
      cluster: 'mt1',
      wsHost: '127.0.0.1',
      wsPort: port,
      forceTLS: false,
      enabledTransports: ['ws'],
      channelAuthorization: { endpoint: 'unused', transport: 'ajax', customHandler: (p, cb) => cb(null, { auth: signChannel(app.key, app.secret, p.socketId, p.channelName) }) },
    });
    const got: number[] = [];
    await new Promise<void>((resolve) => client.subscribe('private-ai.cli1').bind('pusher:subscription_succeeded', () => resolve()));
    client.channel('private-ai.cli1')!.bind('chunk.delivered', (data: { sequence: number }) => got.push(data.sequence));
    for (let sequence = 1; sequence <= 5; sequence++) {
      const state = sequence === 5 ? 'completed' : 'generating';
      mock.publish({
        channel: 'private-ai.cli1',
        event: 'chunk.delivered',
        data: { session_id: 'cli1', sequence, state, chunk: sequence === 5 ? '' : `t${sequence} `, termination_code: sequence === 5 ? 'end_turn' : null },
      });
    }
    await eventually(() => got.length === 5, 5000, 'the client to get 5 events');
    expect(got).toEqual([1, 3, 4, 4, 5]);
    client.disconnect();
    await eventually(() => cli.err.some((l) => l.includes('proxy:1 closed')), 5000, 'the close line');
    cli.stop();
    expect(await running).toBe(0);

    const verdict = JSON.parse(cli.out.join('\n')) as { sessions: Array<{ sessionId: string; status: string; missing: number; duplicates: number }> };
    expect(verdict.sessions).toEqual([expect.objectContaining({ sessionId: 'cli1', status: 'completed', missing: 1, duplicates: 1 })]);
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    const records = lines.slice(1).map((line) => JournalRecordSchema.parse(JSON.parse(line)));
    expect(records.filter((r) => r.type === 'frame' && r.event === 'chunk.delivered')).toHaveLength(5);
    expect(new Set(records.map((r) => r.connection))).toEqual(new Set(['proxy:1']));
    const truth = JSON.parse(await readFile(truthFile, 'utf8')) as ProxyTruth;
    expect(truth.ruleSets[0]!.faults.seed).toBe(4);
    const events = truth.clients[0]!.events;
    expect(events.map((e) => e.deliveries.length)).toEqual([1, 0, 1, 2, 1]);
    expect(events[1]!.faults).toEqual([{ kind: 'drop', rule: 1, position: 2 }]);
  }, 20_000);

  it('refuses bad rules and options by name, before listening', async () => {
    const run = async (...args: string[]) => {
      const cli = io();
      const code = await runCli(['proxy', ...args], cli.io);
      return { code, err: cli.err.join('\n') };
    };
    const upstream = ['--listen', '0', '--upstream', `ws://127.0.0.1:${mock.port}`];
    expect(await run('--listen', '0')).toMatchObject({ code: 2, err: expect.stringContaining('--upstream is required') });
    expect(await run('--listen', '0', '--upstream', 'http://example.test')).toMatchObject({ code: 2, err: expect.stringContaining('ws:// or wss://') });
    expect(await run(...upstream, '--fault', 'explode nth=1')).toMatchObject({ code: 2, err: expect.stringContaining('--fault "explode nth=1"') });
    expect(await run(...upstream, '--fault', 'delay nth=1')).toMatchObject({ code: 2, err: expect.stringMatching(/--fault "delay nth=1".*delayMs/) });
    expect(await run(...upstream, '--faults', '/no/such/file.yaml')).toMatchObject({ code: 2, err: expect.stringContaining('--faults /no/such/file.yaml') });
    expect(await run(...upstream, '--protocol', 'stomp')).toMatchObject({ code: 2, err: expect.stringContaining('--protocol stomp: one of pusher, socketio') });
  });
});
