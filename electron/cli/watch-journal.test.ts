/**
 * `watch --journal` through the app's own writer: batched, fdatasync'ed appends; an existing
 * file is continued (no second header, a killed run's torn last line cut off); an existing
 * directory is a segmented journal that `analyze DIR` reads. Real mock server, real pusher-js
 * (inside watch), the official `pusher` SDK publishing; ground truth is what the test published.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/analysis';
import { parseNdjsonJournal } from '../../shared/journal';
import { startMockServer, type MockServer } from '../mock';
import { runCli } from './main';

let mock: MockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One `watch` run on `channel` recording to `journal`: publishes a complete 3-token session `id`, then stops it. */
async function recordSession(server: MockServer, journal: string, id: string): Promise<{ code: number; verdict: Verdict; err: string[] }> {
  const app = server.apps[0]!;
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  const channel = `private-ai.${id}`;
  const running = runCli(
    ['watch', '--url', `ws://${server.host}:${server.port}`, '--key', app.key, '--app-id', app.id, '--secret', app.secret, '--channel', channel, '--journal', journal, '--json'],
    { out: (l) => out.push(l), err: (l) => err.push(l), stopSignal },
  );
  await until(() => server.subscriberCount(channel) >= 1, `watch to subscribe to ${channel}`);
  const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
  for (const [sequence, state] of [
    [1, 'generating'],
    [2, 'generating'],
    [3, 'completed'],
  ] as const) {
    await sdk.trigger(channel, 'chunk.delivered', { session_id: id, chunk: `<${sequence}>`, sequence, state, termination_code: state === 'completed' ? 'end_turn' : null });
  }
  // Stopped once the last frame is journaled: the run saw everything published.
  await until(() => journalText(journal).includes(`"session_id":"${id}","chunk":"<3>"`), `the last frame of ${id} in the journal`);
  stop('SIGINT');
  const code = await running;
  return { code, verdict: JSON.parse(out.join('\n')) as Verdict, err };
}

/** The journal's text so far: the file, or a directory's segment files in order. */
function journalText(path: string): string {
  try {
    if (!path.endsWith('.ndjson'))
      return readdirSync(path)
        .filter((name) => /^\d{8}\.ndjson$/.test(name))
        .sort()
        .map((name) => readFileSync(join(path, name), 'utf8'))
        .join('');
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function statuses(verdict: Verdict): Record<string, string> {
  return Object.fromEntries(verdict.sessions.map((session) => [session.sessionId, `${session.status}/${session.events}`]));
}

describe('watch --journal', () => {
  it('continues an existing file: one header, a torn last line cut off (and said), both runs in order', async () => {
    mock = await startMockServer({ port: 0 });
    const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-watch-journal-')), 'run.ndjson');
    const first = await recordSession(mock, journal, 'a1');
    expect(first.code).toBe(0);
    // A run killed mid-write leaves half a line.
    const torn = '{"type":"frame","at":1732262400';
    appendFileSync(journal, torn);
    const second = await recordSession(mock, journal, 'a2');
    expect(second.code).toBe(0);
    expect(second.err.join('\n')).toContain(`torn last line (${torn.length} bytes after the last newline, a write cut short) — cut off`);

    const text = readFileSync(journal, 'utf8');
    const parsed = parseNdjsonJournal(text);
    // A second header or the torn fragment would each be an issue.
    expect(parsed.summary.issues).toEqual([]);
    expect(text.split('\n').filter((line) => line.includes('"type":"header"'))).toHaveLength(1);
    const frames = parsed.records.filter((record) => record.type === 'frame' && record.event === 'chunk.delivered');
    expect(frames.map((record) => (record.type === 'frame' ? record.channel : ''))).toEqual([...Array(3).fill('private-ai.a1'), ...Array(3).fill('private-ai.a2')]);

    const analyzed: string[] = [];
    expect(await runCli(['analyze', journal, '--json'], { out: (l) => analyzed.push(l), err: () => undefined, stopSignal: new Promise(() => undefined) })).toBe(0);
    expect(statuses(JSON.parse(analyzed.join('\n')) as Verdict)).toEqual({ a1: 'completed/3', a2: 'completed/3' });
  }, 60_000);

  it('an existing directory is a segmented journal; analyze DIR reads it and gives what watch printed', async () => {
    mock = await startMockServer({ port: 0 });
    const directory = join(mkdtempSync(join(tmpdir(), 'echoscope-watch-journal-')), 'journal');
    mkdirSync(directory);
    const run = await recordSession(mock, directory, 'd1');
    expect(run.code).toBe(0);
    expect(readdirSync(directory)).toContain('00000001.ndjson');
    expect(statuses(run.verdict)).toEqual({ d1: 'completed/3' });

    const analyzed: string[] = [];
    expect(await runCli(['analyze', directory, '--json'], { out: (l) => analyzed.push(l), err: () => undefined, stopSignal: new Promise(() => undefined) })).toBe(0);
    expect(statuses(JSON.parse(analyzed.join('\n')) as Verdict)).toEqual({ d1: 'completed/3' });
  }, 60_000);
});
