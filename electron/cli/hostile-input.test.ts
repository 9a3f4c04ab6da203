/**
 * Hostile frames and files against the real `echoscope` processes (issue 16): a payload that
 * once threw a RangeError killed `watch` and `serve` and made `analyze` refuse the whole file.
 * Each test proves the process is still up and serves what comes next.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBridge, pageToken } from '../../test-support/bridge-client';
import { spawnCli, type SpawnedCli } from '../../test-support/spawned-cli';
import WebSocket from 'ws';
import { DEFAULT_APP, startMockServer, type MockServer } from '../mock';
import { eventually, RawPusherClient } from '../../test-support/raw-pusher-client';

let mock: MockServer | undefined;
const processes: SpawnedCli[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop()));
  await mock?.close();
  mock = undefined;
});

/** A contract payload carrying a value nested `levels` deep: fine for JSON.parse, fatal for JSON.stringify. */
export function deepPayload(sessionId: string, levels: number): string {
  const head = JSON.stringify({ session_id: sessionId, chunk: 'x', sequence: 1, state: 'generating', termination_code: null }).slice(0, -1);
  return `${head},"nest":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;
}

const token = (sessionId: string, sequence: number, state = 'generating', code: string | null = null): string =>
  JSON.stringify({ session_id: sessionId, chunk: state === 'generating' ? `<${sequence}>` : '', sequence, state, termination_code: code });

function spawned(args: string[]): SpawnedCli {
  const cli = spawnCli(args);
  processes.push(cli);
  return cli;
}

function rendererFolder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'echoscope-hostile-')), 'renderer');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  return dir;
}

describe('one request to the embedded mock', () => {
  it('ws://…/app/%ZZ does not kill `serve`: the mock refuses it, and the mock and the dashboard keep serving', async () => {
    const serve = spawned(['serve', '--json', '--port', '0', '--no-journal', '--renderer-dir', rendererFolder()]);
    const ready = (await serve.readyLine) as { url: string; mock: string };
    const mockWs = ready.mock.replace(/^http/, 'ws');
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${mockWs}/app/%ZZ?protocol=7`);
      ws.on('error', () => undefined);
      ws.once('close', (code) => resolve(code));
    });
    expect(refused).toBe(4001);
    const next = await RawPusherClient.connect(`${mockWs}/app/${DEFAULT_APP.key}?protocol=7`);
    await next.roundTrip();
    await next.close();
    expect((await pageToken(ready.url)).token).toMatch(/^[0-9a-f]{48}$/);
    expect(serve.running()).toBe(true);
  });
});

describe('`serve --scenario`', () => {
  it('loads the file at start, and the dashboard may reload that path but no other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-hostile-'));
    const given = join(dir, 'given.json');
    writeFileSync(given, JSON.stringify({ name: 'given', sessions: [{ id: 'g1' }] }));
    const serve = spawned(['serve', '--json', '--port', '0', '--no-demo', '--no-journal', '--renderer-dir', rendererFolder(), '--scenario', given]);
    const { port, url } = (await serve.readyLine) as { port: number; url: string };
    const bridge = await openBridge(port, (await pageToken(url)).token);
    const listed = await bridge.invoke('scenarios.list', {});
    expect((listed.value as { name: string; origin: string }[]).filter((s) => s.origin === 'loaded').map((s) => s.name)).toEqual(['given']);
    expect(await bridge.invoke('scenarios.load', { path: given })).toMatchObject({ ok: true });
    expect(await bridge.invoke('scenarios.load', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    bridge.close();
  });
});

describe('a payload nested 4,500 levels', () => {
  it('is a violation for `watch`, which records, keeps watching and prints verdicts', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-hostile-')), 'run.ndjson');
    const watch = spawned([
      'watch',
      '--url',
      mock.wsUrl,
      '--key',
      app.key,
      '--secret',
      app.secret,
      '--channel',
      'private-ai.deep',
      '--channel',
      'private-ai.ok',
      '--journal',
      journal,
      '--json',
    ]);
    await eventually(() => mock!.subscriberCount('private-ai.deep') === 1 && mock!.subscriberCount('private-ai.ok') === 1, 15_000, 'watch to subscribe');
    mock.publish({ channel: 'private-ai.deep', event: 'chunk.delivered', data: deepPayload('deep', 4500) });
    mock.publish({ channel: 'private-ai.ok', event: 'chunk.delivered', data: token('ok', 1) });
    mock.publish({ channel: 'private-ai.ok', event: 'chunk.delivered', data: token('ok', 2, 'completed', 'end_turn') });
    await eventually(() => readJournal(journal).includes('"end_turn"'), 15_000, 'the frame after the deep one in the journal');
    expect(watch.running()).toBe(true);
    expect(statSync(journal).mode & 0o777).toBe(0o600); // what was received is the owner's alone
    expect(await watch.stop()).toBe(0);
    const verdict = JSON.parse(watch.stdout.join('\n')) as { sessions: { sessionId: string; status: string; violations: number }[] };
    expect(verdict.sessions.find((s) => s.sessionId === 'deep')).toMatchObject({ violations: 1 });
    expect(verdict.sessions.find((s) => s.sessionId === 'ok')).toMatchObject({ status: 'completed', violations: 0 });
  });

  it('is a violation for `serve`, which journals it, keeps serving the page and answers the bridge', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-hostile-'));
    const rendererDir = rendererFolder();
    const serve = spawned(['serve', '--json', '--port', '0', '--no-demo', '--renderer-dir', rendererDir, '--data-dir', join(dir, 'data')]);
    const { port, url } = (await serve.readyLine) as { port: number; url: string };
    const bridge = await openBridge(port, (await pageToken(url)).token);
    bridge.ws.send(JSON.stringify({ kind: 'ready' }));
    const saved = await bridge.invoke('profiles.save', {
      id: 'm',
      name: 'm',
      kind: 'reverb',
      host: mock.host,
      port: mock.port,
      key: app.key,
      auth: { mode: 'secret', secret: app.secret },
      channels: ['private-ai.deep', 'private-ai.ok'],
    });
    expect(saved.ok).toBe(true);
    await bridge.invoke('connections.connect', { profileId: 'm' });
    await eventually(() => mock!.subscriberCount('private-ai.deep') === 1 && mock!.subscriberCount('private-ai.ok') === 1, 15_000, 'serve to subscribe');
    expect(await bridge.invoke('subscriptions.subscribe', { id: 'tail', topic: 'tail', params: { channel: 'private-ai.ok' } })).toMatchObject({ ok: true });
    const after = bridge.next((m) => m.kind === 'push' && m.push === 'subscriptions.deltas' && JSON.stringify(m.payload).includes('end_turn'));
    mock.publish({ channel: 'private-ai.deep', event: 'chunk.delivered', data: deepPayload('deep', 4500) });
    mock.publish({ channel: 'private-ai.ok', event: 'chunk.delivered', data: token('ok', 1) });
    mock.publish({ channel: 'private-ai.ok', event: 'chunk.delivered', data: token('ok', 2, 'completed', 'end_turn') });
    await after;
    expect(serve.running()).toBe(true);
    expect((await bridge.invoke('app.info', {})).ok).toBe(true);
    expect((await pageToken(url)).token).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(join(dir, 'data', 'journal')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'data', 'journal', '00000001.ndjson')).mode & 0o777).toBe(0o600);
    bridge.close();
  });
});

describe('`analyze` of a hostile journal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'echoscope-hostile-'));
  const header = JSON.stringify({ type: 'header', format: 'echoscope-journal', version: 1, createdAt: '2026-11-22T10:00:00Z' });
  const frame = (at: number, channel: string, data: string): string =>
    `{"type":"frame","at":${at},"connection":"c1","channel":${JSON.stringify(channel)},"event":"chunk.delivered","data":${data}}`;

  async function analyze(lines: string[], json: boolean): Promise<{ code: number | string; out: string; err: string }> {
    const file = join(dir, `journal-${Math.random().toString(36).slice(2)}.ndjson`);
    writeFileSync(file, `${[header, ...lines].join('\n')}\n`);
    const cli = spawned(['analyze', file, ...(json ? ['--json'] : [])]);
    const code = await cli.exited;
    return { code, out: cli.stdout.join('\n'), err: cli.stderr.join('') };
  }

  it('reads past a frame nested 4,500 levels and a record with a deep unknown field', async () => {
    const result = await analyze(
      [
        frame(1, 'private-ai.deep', deepPayload('deep', 4500)),
        `{"type":"connection","at":2,"connection":"c1","state":"connected","extra":${'['.repeat(4500)}${']'.repeat(4500)}}`,
        frame(3, 'private-ai.ok', token('ok', 1)),
        frame(4, 'private-ai.ok', token('ok', 2, 'completed', 'end_turn')),
      ],
      true,
    );
    expect(result.code, result.err).toBe(0);
    const verdict = JSON.parse(result.out) as { sessions: { sessionId: string; status: string; violations: number }[] };
    expect(verdict.sessions.find((s) => s.sessionId === 'deep')).toMatchObject({ violations: 1 });
    expect(verdict.sessions.find((s) => s.sessionId === 'ok')).toMatchObject({ status: 'completed' });
    expect(result.err).toMatch(/:3: .*nests deeper than 64 levels/);
  });

  it('prints the table for 130,000 sessions', async () => {
    const sessions = 130_000;
    const lines: string[] = [];
    for (let i = 0; i < sessions; i++) lines.push(frame(i, `private-ai.s${i}`, token(`s${i}`, 1, 'completed', 'end_turn')));
    const result = await analyze(lines, false);
    expect(result.code, result.err.slice(0, 2000)).toBe(0);
    expect(result.out).toContain(`${sessions} sessions (${sessions} completed)`);
    expect(result.out.split('\n').filter((line) => line.startsWith('s')).length).toBe(sessions);
  }, 120_000);

  it('escapes control characters in session ids instead of writing them to the terminal', async () => {
    const evil = 'evil\u001b[2J\u001b]0;pwned\u0007\u202e';
    const result = await analyze([frame(1, 'private-ai.x', token(evil, 1, 'completed', 'end_turn'))], false);
    expect(result.code, result.err).toBe(0);
    // eslint-disable-next-line no-control-regex -- the point: none may reach the terminal
    expect(result.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(result.out).toContain('evil\\x1b[2J\\x1b]0;pwned\\x07\\u202e');
  });
});

function readJournal(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
