/**
 * `echoscope analyze FILE --har-out PATH [--session ID]` (issue 21, item 5): the run written as HAR
 * reads back — through the real HAR reader, `analyze` itself and `replay` — as the records and
 * verdicts it was built from.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/analysis';
import { parseHar, serializeJournal, type JournalRecord } from '../../shared/journal';
import { RawPusherClient } from '../../test-support/raw-pusher-client';
import { DEFAULT_APP } from '../mock';
import { signChannel } from '../mock/signature';
import type { CliIo } from './command';
import { runCli } from './main';

const T0 = 1_750_000_000_000.75;

/**
 * c1 streams s1 (#1–#3, then completed) with #2 delivered twice; c2 streams s2 (#1, #2, drop, #3 missing,
 * #4, completed) and s3 (a raw non-JSON payload among its tokens, no terminal); c1's ping has no channel.
 */
function journal(): JournalRecord[] {
  let at = T0;
  const next = () => (at += 11.5);
  const token = (connection: string, s: string, sequence: number, state = 'generating', code: string | null = null): JournalRecord => ({
    type: 'frame',
    at: next(),
    connection,
    channel: `private-ai.${s}`,
    event: 'chunk.delivered',
    data: { session_id: s, chunk: state === 'generating' ? `${s}#${sequence} ` : '', sequence, state, termination_code: code },
  });
  return [
    { type: 'connection', at: next(), connection: 'c1', state: 'connected', socketId: '1.1' },
    { type: 'connection', at: next(), connection: 'c2', state: 'connected', socketId: '2.1' },
    { type: 'subscription', at: next(), connection: 'c1', channel: 'private-ai.s1', status: 'subscribed' },
    { type: 'subscription', at: next(), connection: 'c2', channel: 'private-ai.s2', status: 'subscribed' },
    { type: 'subscription', at: next(), connection: 'c2', channel: 'private-ai.s3', status: 'subscribed' },
    token('c1', 's1', 1),
    token('c2', 's2', 1),
    token('c2', 's3', 1),
    token('c1', 's1', 2),
    token('c2', 's2', 2),
    token('c1', 's1', 2),
    { type: 'connection', at: next(), connection: 'c2', state: 'disconnected', code: 4200 },
    { type: 'frame', at: next(), connection: 'c1', event: 'pusher:pong' },
    { type: 'connection', at: next(), connection: 'c2', state: 'connected', socketId: '2.2' },
    token('c1', 's1', 3),
    { type: 'frame', at: next(), connection: 'c2', channel: 'private-ai.s3', event: 'chunk.delivered', data: '{"session_id":"s3","chunk":"cut' },
    token('c2', 's2', 4),
    token('c1', 's1', 4, 'completed', 'end_turn'),
    token('c2', 's2', 5, 'completed', 'end_turn'),
    token('c2', 's3', 2),
  ];
}

let dir: string;
let input: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'echoscope-har-out-'));
  input = join(dir, 'run.ndjson');
  await writeFile(input, serializeJournal(journal(), '2025-06-15T12:00:00Z'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), stopSignal: new Promise(() => {}) };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('echoscope analyze --har-out', () => {
  it('writes the whole run as a HAR that reads back as the same records and verdicts', async () => {
    const har = join(dir, 'run.har');
    const first = await run('analyze', input, '--json', '--har-out', har);
    expect(first.code).toBe(0);
    expect(first.err).toBe(`echoscope analyze: wrote ${journal().length} records as HAR to ${har}`);
    const document = JSON.parse(await readFile(har, 'utf8')) as { log: { version: string; entries: unknown[] } };
    expect(document.log.version).toBe('1.2');
    expect(document.log.entries).toHaveLength(2);
    expect(parseHar(document).records).toEqual(journal());
    const again = await run('analyze', har, '--json');
    expect(again.code).toBe(0);
    const before = JSON.parse(first.out) as Verdict;
    expect(JSON.parse(again.out)).toEqual(before);
    // What the journal was built to show.
    expect(before.sessions.map((s) => [s.sessionId, s.status, s.duplicates, s.missing, s.disconnects])).toEqual([
      ['s1', 'completed', 1, 0, 0],
      ['s2', 'completed', 0, 1, 1],
      ['s3', 'streaming', 0, 0, 1],
    ]);
  });

  it('--session writes one session: its frames, its subscription and its connection’s changes', async () => {
    const har = join(dir, 's2.har');
    const first = await run('analyze', input, '--json', '--har-out', har, '--session', 's2');
    expect(first.code).toBe(0);
    const records = parseHar(await readFile(har, 'utf8')).records;
    const expected = journal().filter((r) =>
      r.type === 'frame' ? r.channel === 'private-ai.s2' : r.connection === 'c2' && (r.type === 'connection' || r.channel === 'private-ai.s2'),
    );
    expect(expected).toHaveLength(4 + 3 + 1); // #1 #2 #4 #5, connected · disconnected · connected, subscribed
    expect(records).toEqual(expected);
    const s2 = (JSON.parse(first.out) as Verdict).sessions.find((s) => s.sessionId === 's2');
    const alone = JSON.parse((await run('analyze', har, '--json')).out) as Verdict;
    expect(alone.sessions).toEqual([s2]);
  });

  it('refuses --session without --har-out, and a session the run does not have', async () => {
    expect((await run('analyze', input, '--session', 's2')).code).toBe(2);
    const missing = await run('analyze', input, '--har-out', join(dir, 'none.har'), '--session', 'nope');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('has no session nope');
  });

  it('replay plays an exported HAR’s broadcasts', async () => {
    const har = join(dir, 's1.har');
    expect((await run('analyze', input, '--har-out', har, '--session', 's1')).code).toBe(0);
    const lines: string[] = [];
    let listening!: (line: string) => void;
    const heard = new Promise<string>((resolve) => (listening = resolve));
    const io: CliIo = {
      out: (l) => {
        lines.push(l);
        if (l.includes('"listening"')) listening(l);
      },
      err: (l) => lines.push(`ERR ${l}`),
      stopSignal: new Promise(() => {}),
    };
    const exit = runCli(['replay', har, '--port', '0', '--speed', '20', '--json'], io);
    const { port, events } = JSON.parse(await heard) as { port: number; events: number };
    const frames = journal().filter((r) => r.type === 'frame' && r.channel === 'private-ai.s1');
    expect(events).toBe(frames.length);
    const client = await RawPusherClient.connect(`ws://127.0.0.1:${port}/app/${DEFAULT_APP.key}?protocol=7`);
    client.send({ event: 'pusher:subscribe', data: { channel: 'private-ai.s1', auth: signChannel(DEFAULT_APP.key, DEFAULT_APP.secret, client.socketId, 'private-ai.s1') } });
    const got = [];
    for (let i = 0; i < frames.length; i++) got.push((await client.nextEvent('chunk.delivered', 'private-ai.s1', 5000)).data);
    expect(got).toEqual(frames.map((f) => (f.type === 'frame' ? f.data : null)));
    expect(await exit).toBe(0);
    await client.close();
  });
});
