import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPusherClient } from '../../test-support/raw-pusher-client';
import { signChannel } from '../mock/signature';
import { DEFAULT_APP } from '../mock';
import { runCli } from './main';
import { EARLY_TOLERANCE_MS } from '../mock/simulator/scheduler';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'echoscope-replay-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An io whose output lines can be awaited, and whose stop signal the test fires. */
function controlledIo() {
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let stop!: (s: NodeJS.Signals) => void;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  return {
    lines,
    stop: () => stop('SIGINT'),
    line: (match: (l: string) => boolean) =>
      new Promise<string>((resolve) => {
        const found = lines.find(match);
        if (found) resolve(found);
        else waiters.push({ match, resolve });
      }),
    io: {
      out: (l: string) => {
        lines.push(l);
        for (const w of [...waiters]) if (w.match(l)) w.resolve(l);
      },
      err: (l: string) => lines.push(`ERR ${l}`),
      stopSignal,
    },
  };
}

describe('echoscope replay', () => {
  it('re-broadcasts a journal’s frames with their payloads and spacing once a client subscribes', async () => {
    const t0 = 1732262400000;
    const frame = (at: number, data: unknown) => JSON.stringify({ type: 'frame', at: t0 + at, connection: 'c1', channel: 'private-ai.r1', event: 'chunk.delivered', data });
    const file = join(dir, 'incident.ndjson');
    await writeFile(
      file,
      [
        JSON.stringify({ type: 'header', format: 'echoscope-journal', version: 1, createdAt: '2026-11-22T10:00:00Z' }),
        JSON.stringify({ type: 'frame', at: t0, connection: 'c1', event: 'pusher:pong', data: {} }),
        frame(0, { session_id: 'r1', chunk: 'A', sequence: 1, state: 'generating', termination_code: null }),
        frame(200, '{"session_id":"r1","chunk":"B","seq'),
        frame(400, { session_id: 'r1', chunk: '', sequence: 2, state: 'completed', termination_code: 'end_turn' }),
      ].join('\n') + '\n',
    );
    const c = controlledIo();
    const exit = runCli(['replay', file, '--port', '0', '--speed', '2', '--json'], c.io);
    const listening = JSON.parse(await c.line((l) => l.includes('"listening"'))) as { port: number; events: number };
    expect(listening.events).toBe(3);
    const client = await RawPusherClient.connect(`ws://127.0.0.1:${listening.port}/app/${DEFAULT_APP.key}?protocol=7`);
    client.send({ event: 'pusher:subscribe', data: { channel: 'private-ai.r1', auth: signChannel(DEFAULT_APP.key, DEFAULT_APP.secret, client.socketId, 'private-ai.r1') } });
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await client.nextEvent('chunk.delivered', 'private-ai.r1', 5000));
    expect(got.map((f) => f.data)).toEqual([
      { session_id: 'r1', chunk: 'A', sequence: 1, state: 'generating', termination_code: null },
      '{"session_id":"r1","chunk":"B","seq',
      { session_id: 'r1', chunk: '', sequence: 2, state: 'completed', termination_code: 'end_turn' },
    ]);
    const finished = JSON.parse(await c.line((l) => l.includes('"finished"'))) as { published: number; elapsedMs: number };
    expect(finished.published).toBe(3);
    // 400 ms of journal at 2× speed. Real time (a real CLI and socket) bounds only how early: the
    // scheduler runs a task at most EARLY_TOLERANCE_MS before it is due; how late is the machine's.
    expect(finished.elapsedMs).toBeGreaterThanOrEqual(200 - EARLY_TOLERANCE_MS);
    expect(await exit).toBe(0);
    await client.close();
  });

  it('followed by watch --discover: the journal’s channels are listed as occupied while it waits, so watch finds, subscribes and gets them; the banner names every channel', async () => {
    const t0 = 1732262400000;
    const sessions = ['d1', 'd2', 'd3', 'd4'];
    const lines = [JSON.stringify({ type: 'header', format: 'echoscope-journal', version: 1, createdAt: '2026-11-22T10:00:00Z' })];
    for (const [i, id] of sessions.entries()) {
      for (let sequence = 1; sequence <= 3; sequence++) {
        const last = sequence === 3;
        const data = { session_id: id, chunk: last ? '' : `t${sequence} `, sequence, state: last ? 'completed' : 'generating', termination_code: last ? 'end_turn' : null };
        lines.push(JSON.stringify({ type: 'frame', at: t0 + i + sequence * 10, connection: 'c1', channel: `private-ai.${id}`, event: 'chunk.delivered', data }));
      }
    }
    const file = join(dir, 'discover.ndjson');
    await writeFile(file, lines.join('\n') + '\n');
    const replay = controlledIo();
    const replayExit = runCli(['replay', file, '--port', '0'], replay.io);
    const banner = await replay.line((l) => l.startsWith('Waiting for a client'));
    // every channel, in full (four: more than the three the banner used to show)
    expect(banner).toBe('Waiting for a client to subscribe to one of 4 channels: private-ai.d1, private-ai.d2, private-ai.d3, private-ai.d4 (Ctrl+C to stop)…');
    const port = Number(/ws:\/\/127\.0\.0\.1:(\d+)/.exec(replay.lines.join('\n'))![1]);

    const watch = controlledIo();
    const watchExit = runCli(
      [
        'watch',
        '--url',
        `ws://127.0.0.1:${port}`,
        '--key',
        DEFAULT_APP.key,
        '--app-id',
        DEFAULT_APP.id,
        '--secret',
        DEFAULT_APP.secret,
        '--discover',
        'private-ai.',
        '--poll-interval',
        '250',
        '--json',
        '--quiet',
      ],
      watch.io,
    );
    await replay.line((l) => l.startsWith('Replayed '));
    replay.stop();
    expect(await replayExit).toBe(0);
    watch.stop();
    expect(await watchExit).toBe(0);
    const verdict = JSON.parse(watch.lines.filter((l) => !l.startsWith('ERR ')).join('\n')) as { sessions: Array<{ sessionId: string; status: string; missing: number }> };
    expect(verdict.sessions.map((s) => [s.sessionId, s.status]).sort()).toEqual(sessions.map((id) => [id, 'completed']));
  }, 20_000);

  it('refuses a file that is not a journal (exit 2)', async () => {
    const file = join(dir, 'nope.txt');
    await writeFile(file, 'hello\n');
    const c = controlledIo();
    expect(await runCli(['replay', file, '--port', '0'], c.io)).toBe(2);
    expect(await runCli(['replay', file, '--speed', '0'], controlledIo().io)).toBe(2);
  });
});

describe('echoscope mock --scenario', () => {
  it('plays a scenario for any client and writes the ground truth', async () => {
    const file = join(dir, 'play.yaml');
    await writeFile(
      file,
      'name: play\ntokens: 5\nwaitForSubscriber: false\ntiming: {ttftMs: 1, interTokenMs: 1}\nsessions: [{id: p1, faults: [{kind: duplicate, sequences: [2]}]}]\n',
    );
    const truth = join(dir, 'truth.json');
    const c = controlledIo();
    const exit = runCli(['mock', '--port', '0', '--json', '--scenario', file, '--truth', truth], c.io);
    await c.line((l) => l.includes('"truth-written"'));
    c.stop();
    expect(await exit).toBe(0);
    const written = JSON.parse(await readFile(truth, 'utf8')) as { scenario: string; sessions: { events: { faults?: string[] }[] }[] };
    expect(written.scenario).toBe('play');
    expect(written.sessions[0]!.events.filter((e) => e.faults?.includes('duplicate'))).toHaveLength(1);
    expect(c.lines.some((l) => l.includes('"scenario-finished"'))).toBe(true);
  });
});
