import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxiedSessionTruth, publishedEvents } from '../../../shared/scenario';
import { runCli } from '../../cli/main';
import { startMockServer, type MockServer } from '../../mock';
import { parseJunit } from '../../../test-support/junit-shape';
import { freePort, soketiUnavailableReason, startSoketi, type SoketiProcess } from '../../../test-support/peers/soketi';
import { builtinScenarios, runCheck, type CheckReport } from './index';

/**
 * `echoscope check --url`: the scenarios play on a real server — published through its HTTP API,
 * watched over its WebSocket, through the fault proxy in front of it for `target: proxy` — and are
 * judged against the ground truth of how they were built, as on the embedded mock.
 */

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stopSignal: new Promise<NodeJS.Signals>(() => undefined) } };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'echoscope-check-real-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function onlyReport(out: string): Promise<{ folder: string; report: CheckReport }> {
  const [folder] = await readdir(out);
  return { folder: join(out, folder!), report: JSON.parse(await readFile(join(out, folder!, 'report.json'), 'utf8')) as CheckReport };
}

const unavailable = soketiUnavailableReason();
if (unavailable) console.log(`[check --url] soketi skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)('echoscope check on soketi', () => {
  let soketi: SoketiProcess;
  const server = () => ['--url', `ws://${soketi.host}:${soketi.port}`, '--app-id', soketi.app.id, '--key', soketi.app.key];
  beforeAll(async () => {
    soketi = await startSoketi();
  }, 30_000);
  afterAll(async () => {
    await soketi?.close();
  });

  /** A scenario file played on soketi with the JSON reporter: its report, once the run passed without errors. */
  async function passingRun(name: string, lines: string[]): Promise<CheckReport> {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, lines.join('\n'));
    const out = join(dir, name);
    const t = io();
    const code = await runCli(['check', file, ...server(), '--secret', soketi.app.secret, '--reporter', 'json', '--out', out], t.io);
    const { report } = await onlyReport(out);
    expect(report.scenarios[0]!.errors).toEqual([]);
    expect(code, t.out.join('\n')).toBe(0);
    return report;
  }

  it('plays the proxy faults, crash-retries and malformed frames on soketi with precision = recall = 1; the mock-only sessions are set aside by name', async () => {
    const out = join(dir, 'soketi');
    const t = io();
    const suite = 'builtin:proxy-faults,crash-retry,malformed,disconnect,laravel-ai-crash-retry';
    const code = await runCli(['check', suite, ...server(), '--secret', soketi.app.secret, '--reporter', 'list,json,junit,html', '--out', out], t.io);
    expect(t.err.join('\n')).toBe('');
    expect(code, t.out.join('\n')).toBe(0);
    const text = t.out.join('\n');
    expect(text).toContain(`Running 5 scenarios from ${suite} on ws://127.0.0.1:${soketi.port}…`);
    expect(text).toContain("- malformed: session oversize set aside (needs the embedded mock: an oversize event of 12000 bytes is over Pusher's 10240-byte limit");
    expect(text).toContain('- disconnect: session dropped-4009 set aside (needs the embedded mock: the session fault disconnect is performed by the server');
    expect(text).toMatch(/PASSED: 5\/5 scenarios, \d+\/\d+ sessions \(2 set aside\) passed/);

    const { folder, report } = await onlyReport(out);
    expect(report.passed).toBe(true);
    expect(report.skipped.map((s) => [s.name, s.sessions, s.ran])).toEqual([
      ['malformed', ['oversize'], true],
      ['disconnect', ['dropped-4009'], true],
    ]);
    // What each scenario was built to provoke, detected with nothing invented and nothing missed.
    // disconnect: only from the proxy closing proxy-cut's socket (the mock's own disconnect session was set aside)
    for (const kind of ['gap', 'duplicate', 'out_of_order', 'stall', 'violation', 'replay', 'disconnect'] as const) {
      expect(report.scores[kind].expected, `${kind} should be exercised`).toBeGreaterThan(0);
      expect([kind, report.scores[kind].precision, report.scores[kind].recall]).toEqual([kind, 1, 1]);
    }
    expect(report.scenarios.find((s) => s.name === 'malformed')!.sessions.map((s) => s.sessionId)).not.toContain('oversize');
    expect(report.scenarios.find((s) => s.name === 'disconnect')!.sessions.map((s) => s.sessionId)).toEqual(['steady']);

    const junit = parseJunit(await readFile(join(folder, 'junit.xml'), 'utf8'));
    expect(junit.skipped).toBe(2);
    const malformed = junit.suites.find((s) => s.name === 'malformed')!;
    expect(malformed.cases.find((c) => c.name === 'oversize')!.skipped).toContain('over Pusher');
    const html = await readFile(join(folder, 'report.html'), 'utf8');
    expect(html).toContain('id="skipped"');
    expect(html).toContain('set aside: dropped-4009');
  }, 120_000);

  it('scores a client the proxy disconnected: what soketi published while it was away is lost, and EchoScope says exactly that', async () => {
    // 600 tokens 5 ms apart (3 s); the proxy closes the socket after its 250th event with 4100, which pusher-js answers by
    // coming back after 1 s (its backoff): about 200 events are published to nobody; the new socket gets fewer than 250, so once.
    const report = await passingRun('away', [
      'name: away',
      'tokens: 600',
      'timing: {ttftMs: 5, interTokenMs: 5}',
      'analyzer: {stallAfterMs: 500, orphanAfterMs: 3000}',
      'target: proxy',
      'proxy: {faults: [{kind: disconnect, nth: [250], code: 4100}]}',
      'sessions: [{id: away-1}]',
      'expect: [{session: away-1, status: completed, counts: {disconnects: 1}}]',
    ]);
    const [session] = report.scenarios[0]!.sessions;
    const given = proxiedSessionTruth(report.scenarios[0]!.truth.sessions[0]!, report.scenarios[0]!.truth.proxy!);
    const lost = given.events.filter((e) => e.delivery === 'dropped').length;
    expect(lost, 'a second of a 5 ms stream went to nobody').toBeGreaterThan(100);
    expect(session!.verdict!.missing).toBe(lost);
    expect(session!.verdict!.gaps).toHaveLength(1);
    expect(report.scores.disconnect).toMatchObject({ expected: 1, detected: 1, precision: 1, recall: 1 });
    // a second of silence on the client's side is a stall, in the truth and in the verdict
    expect(report.scores.stall).toMatchObject({ expected: 1, detected: 1 });
  }, 60_000);

  it('scores a ping silence by what it cost the client: a socket given up mid-stall is a disconnect, pings silenced on a flowing stream cost nothing', async () => {
    // The watcher pings after 150 ms without a message and gives up 150 ms later (pusher-js's activityTimeout, pongTimeout).
    // silent: a 1 s stall while the proxy swallows pings for 2 s → one socket given up; chatty: streams on, never idle → none.
    const report = await passingRun('quiet', [
      'name: quiet-pings',
      'tokens: 40',
      'timing: {ttftMs: 5, interTokenMs: 5}',
      'analyzer: {stallAfterMs: 500, orphanAfterMs: 3000}',
      'target: proxy',
      'keepAlive: {activityTimeoutMs: 150, pongTimeoutMs: 150}',
      'proxy:',
      '  faults:',
      '    - {kind: ping-silence, channel: private-ai.silent, nth: [10], durationMs: 2000}',
      '    - {kind: ping-silence, channel: private-ai.chatty, nth: [10], durationMs: 100}',
      'sessions:',
      '  - {id: silent, faults: [{kind: stall, afterTokens: 12, durationMs: 1000}]}',
      '  - {id: chatty}',
      'expect:',
      '  - {session: silent, status: completed, counts: {disconnects: 1, missing: 0}}',
      '  - {session: chatty, status: completed, counts: {disconnects: 0}}',
    ]);
    const proxy = report.scenarios[0]!.truth.proxy!;
    // the proxy saw the silent session's first socket closed by the client itself, inside the silence
    const silence = proxy.clients.flatMap((c) => c.moments.map((m) => ({ m, c }))).find(({ m }) => m.kind === 'ping-silence' && m.channel === 'private-ai.silent')!;
    expect(silence.c.closedBy).toBe('client');
    expect(silence.c.closedAt! - silence.m.at).toBeLessThan(2000);
    expect(report.scores.disconnect).toMatchObject({ expected: 1, detected: 1, precision: 1, recall: 1 });
  }, 60_000);

  it("plays on the server a Laravel app's .env names (REVERB_*)", async () => {
    const env = join(dir, 'soketi.env');
    await writeFile(
      env,
      [
        'BROADCAST_DRIVER=reverb',
        `REVERB_APP_ID=${soketi.app.id}`,
        `REVERB_APP_KEY=${soketi.app.key}`,
        `REVERB_APP_SECRET=${soketi.app.secret}`,
        'REVERB_HOST=127.0.0.1',
        `REVERB_PORT=${soketi.port}`,
        'REVERB_SCHEME=http',
      ].join('\n'),
    );
    const t = io();
    const code = await runCli(['check', 'builtin:truncation', '--env', env, '--reporter', 'json', '--out', join(dir, 'env')], t.io);
    expect(code, [...t.out, ...t.err].join('\n')).toBe(0);
    expect(t.out[0]).toMatch(/^PASSED: 1\/1 scenarios, 3\/3 sessions passed/);
  }, 60_000);

  it('refuses a wrong secret before anything runs: exit 2, saying what soketi answered and what to check', async () => {
    const t = io();
    const code = await runCli(['check', 'builtin:crash-retry', ...server(), '--secret', 'not-the-secret', '--out', join(dir, 'wrong')], t.io);
    expect(code).toBe(2);
    const err = t.err.join('\n');
    expect(err).toContain(`echoscope check: cannot play on ws://127.0.0.1:${soketi.port}:`);
    expect(err).toContain('(check the app id, key and secret)');
    expect(t.out).toEqual([]);
  });
});

describe('echoscope check on a server reached only through its HTTP API and WebSocket', () => {
  let mock: MockServer;
  const app = { id: 'remote-app', key: 'remote-key', secret: 'remote-secret' };
  beforeAll(async () => {
    // the embedded mock started on its own, as a stand-in for any Pusher-protocol server: check talks to it only over the wire
    mock = await startMockServer({ port: 0, apps: [app] });
  });
  afterAll(async () => {
    await mock?.close();
  });

  it('publishes every planned event through the HTTP API, signed, and judges the run as on the embedded mock', async () => {
    const scenarios = builtinScenarios(['crash-retry', 'gaps']);
    const report = await runCheck('builtin:crash-retry,gaps', scenarios, {
      server: { kind: 'reverb', host: '127.0.0.1', port: mock.port, tls: false, appId: app.id, key: app.key, secret: app.secret },
    });
    expect(report.scenarios.flatMap((s) => s.errors)).toEqual([]);
    expect(report.passed).toBe(true);
    // the ground truth's published events, each one accepted by the server's HTTP API
    const planned = report.scenarios.flatMap((s) => s.truth.sessions).reduce((sum, session) => sum + publishedEvents(session).length, 0);
    const counters = mock.counters().find((c) => c.appId === app.id)!;
    expect(counters.apiEvents).toBe(planned);
    expect(counters.errors).toBe(0);
    expect(counters.subscriptionsTotal).toBe(report.totals.sessions);
  }, 60_000);

  it('says which flags a real server still needs, and that a dead one cannot be used', async () => {
    const missing = io();
    expect(await runCli(['check', 'builtin:crash-retry', '--url', `ws://127.0.0.1:${mock.port}`, '--key', app.key], missing.io)).toBe(2);
    expect(missing.err.join('\n')).toContain('a real server needs --app-id, --secret too (given: --url, --key), or --env FILE');

    const dead = io();
    const port = await freePort();
    expect(await runCli(['check', 'builtin:crash-retry', '--url', `ws://127.0.0.1:${port}`, '--app-id', app.id, '--key', app.key, '--secret', app.secret], dead.io)).toBe(2);
    expect(dead.err.join('\n')).toMatch(new RegExp(`cannot play on ws://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });
});
