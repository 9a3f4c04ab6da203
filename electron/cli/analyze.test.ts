import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/analysis';
import type { CliIo } from './command';
import { runCli } from './main';

const fixtures = fileURLToPath(new URL('../../shared/analysis/fixtures/', import.meta.url));
const har = fileURLToPath(new URL('../../shared/journal/fixtures/chrome-pusher.har', import.meta.url));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), stopSignal: new Promise(() => {}) };
  const code = await runCli(['analyze', ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('echoscope analyze', () => {
  it('prints a per-session table', async () => {
    const { code, out, err } = await run(join(fixtures, 'errored-then-retry.ndjson'));
    expect(code).toBe(0);
    expect(err).toBe('');
    const [head, row] = out.split('\n');
    expect(head).toMatch(/^SESSION\s+STATUS\s+EVENTS\s+DUPS\s+REPLAYS\s+GAPS\s+OUT-OF-ORDER\s+AFTER-TERMINAL\s+VIOLATIONS\s+P95 INTER-TOKEN$/);
    expect(row!.split(/\s{2,}/)).toEqual(['s1', 'completed', '8', '3', '1', '0', '0', '5', '0', '80 ms']);
  });

  it('prints one row per observation with its vantage, coverage and loss when several vantages saw a session', async () => {
    const { code, out } = await run(join(fixtures, 'two-connections-one-lossy.ndjson'));
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^SESSION\s+VANTAGE\s+STATUS\s+.*\s+LOST$/);
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['s1', 'c1', 'completed', '6', '0', '0', '0', '0', '0', '0', '10 ms', '0']);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(['s1', 'c2', 'completed', '5', '0', '0', '1 (1 missing)', '0', '0', '0', '20 ms', '1']);
    expect(out).toContain('1 session seen as 2 observations (1 completed)');
    expect(out).toContain('1 lost by one vantage and received by another');
  });

  it('says where a late join began', async () => {
    const { out } = await run(join(fixtures, 'late-join.ndjson'));
    const [head, row] = out.split('\n');
    expect(head).toMatch(/COVERAGE$/);
    expect(row).toMatch(/from #31$/);
  });

  it('prints the verdict JSON', async () => {
    const { code, out } = await run(join(fixtures, 'gap.ndjson'), '--json');
    expect(code).toBe(0);
    const verdict = JSON.parse(out);
    expect(verdict).toMatchObject({ version: 1, summary: { sessions: 1, missing: 2 }, sessions: [{ gaps: [{ from: 3, to: 4 }] }] });
  });

  it('applies --stall-after and --orphan-after', async () => {
    const { out } = await run(join(fixtures, 'worker-killed.ndjson'), '--json', '--orphan-after', '500000');
    expect(JSON.parse(out).sessions[0].status).toBe('stalled');
    const quick = await run(join(fixtures, 'stall.ndjson'), '--json', '--stall-after', '20000');
    expect(JSON.parse(quick.out).summary.stalls).toBe(0);
    // The units Settings shows: a duration with its unit is the same threshold as its milliseconds.
    expect(JSON.parse((await run(join(fixtures, 'stall.ndjson'), '--json', '--stall-after', '20s')).out).summary.stalls).toBe(0);
    expect(JSON.parse((await run(join(fixtures, 'worker-killed.ndjson'), '--json', '--orphan-after', '500s')).out).sessions[0].status).toBe('stalled');
    const bad = await run(join(fixtures, 'stall.ndjson'), '--stall-after', 'soon');
    expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('--stall-after must be a duration like 8s, 1500ms or 5m (a bare number is milliseconds), got "soon"')]);
  });

  it('reads a HAR file, telling it apart by content', async () => {
    const { code, out, err } = await run(har, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out).sessions[0]).toMatchObject({ sessionId: 's1', status: 'completed', duplicates: 1 });
    expect(err).toContain('not a Pusher frame');
  });

  it('warns about broken lines on stderr and still analyzes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-analyze-'));
    const file = join(dir, 'broken.ndjson');
    writeFileSync(
      file,
      'oops\n{"type":"frame","at":1,"connection":"c","channel":"private-ai.x","event":"chunk.delivered","data":{"session_id":"x","chunk":"a","sequence":1,"state":"generating","termination_code":null}}\n{"type":"fr',
    );
    const { code, out, err } = await run(file);
    expect(code).toBe(0);
    expect(out).toMatch(/^x\s+streaming\s+1\s/m);
    expect(err).toContain(`${file}:1: not JSON`);
    expect(err).toContain(`${file}:3: torn last line`);
  });

  it('uses a profile file and rejects a bad one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-profile-'));
    const journal = join(dir, 'acme.ndjson');
    writeFileSync(journal, '{"type":"frame","at":1,"connection":"c","channel":"gen.7","event":"Token","data":{"delta":"hi","seq":1,"status":"done"}}\n');
    const good = join(dir, 'acme.yaml');
    writeFileSync(
      good,
      'event: Token\nchannel: "gen.{id}"\nfields: {sessionId: null, chunk: delta, sequence: seq, state: status, terminationCode: null}\nstates: {go: generating, done: completed}\n',
    );
    const ok = await run(journal, '--json', '--profile', good);
    expect(JSON.parse(ok.out).sessions[0]).toMatchObject({ sessionId: '7', status: 'completed', text: 'hi' });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"fields":{"sequence":""}}');
    const rejected = await run(journal, '--profile', bad);
    expect(rejected.code).toBe(2);
    expect(rejected.err).toContain('fields.sequence: a field name cannot be empty');
  });

  it('exits 2 for a file that is neither a journal nor a HAR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-junk-'));
    const file = join(dir, 'junk.txt');
    writeFileSync(file, 'hello\nworld\n');
    const { code, err } = await run(file);
    expect(code).toBe(2);
    expect(err).toContain('neither an EchoScope journal');
  });

  it('exits 2 for a missing file (spawned binary)', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', 'analyze', 'no-such-journal.ndjson'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('cannot read no-such-journal.ndjson');
  });
});

describe('echoscope analyze --contract: streams without sequence numbers', () => {
  // Hand-written: the Laravel AI SDK's broadcast of a job that crashed after "The answer" (its
  // second delta delivered twice) and was retried under a new invocation_id, which completed.
  const journal = join(fixtures, 'laravel-ai-retry.ndjson');

  it('--contract laravel-ai: one session per channel, the retry a replay, the redelivered delta a duplicate', async () => {
    const { code, out, err } = await run('--contract', 'laravel-ai', '--json', journal);
    expect(err).toBe('');
    expect(code).toBe(0);
    const verdict = JSON.parse(out) as Verdict;
    expect(verdict.sessions).toHaveLength(1);
    // duplicates: the redelivered "answer" (1) + the retry's re-sent positions 1 and 2 (2)
    expect(verdict.sessions[0]).toMatchObject({
      sessionId: '42',
      status: 'completed',
      terminationCode: 'stop',
      replays: 1,
      attempts: 2,
      duplicates: 3,
      conflicts: 0,
      text: 'The answer is 42.',
      ttftMs: 100,
      ttftFrom: 'start_event',
    });
    // text_start carries no text: not a session event
    expect(verdict.summary.ignoredFrames).toBe(1);
    // no sequence numbers, but one time-ordered id per event: redeliveries and order can be checked, gaps cannot
    expect(verdict.sessions[0]!.checks).toEqual({ gaps: false, order: true, duplicates: true });
    expect(verdict.sessions[0]!.contract).toMatchObject({ name: 'laravel-ai', confidence: 'given' });
  });

  it('the table shows gaps as not knowable (—), not as 0, and names the contract', async () => {
    const { code, out } = await run('--contract', 'laravel-ai', journal);
    expect(code).toBe(0);
    const [head, row] = out.split('\n');
    const columns = head!.split(/\s{2,}/);
    const cells = row!.split(/\s{2,}/);
    expect(cells[columns.indexOf('GAPS')]).toBe('—');
    expect(cells[columns.indexOf('OUT-OF-ORDER')]).toBe('0');
    expect(cells[columns.indexOf('DUPS')]).toBe('3');
    expect(cells[columns.indexOf('CONTRACT')]).toBe('laravel-ai');
    expect(out).toContain('contract laravel-ai for 1 channel (given with --contract)');
  });

  it('without it the channel’s contract is detected from its first frames: the same verdict, and the reason is printed', async () => {
    const { code, out } = await run('--json', journal);
    expect(code).toBe(0);
    const verdict = JSON.parse(out) as Verdict;
    expect(verdict.sessions).toHaveLength(1);
    expect(verdict.sessions[0]).toMatchObject({ sessionId: '42', status: 'completed', replays: 1, duplicates: 3, contract: { name: 'laravel-ai', confidence: 'high' } });
    const table = await run(journal);
    expect(table.out).toMatch(/contract laravel-ai for 1 channel \(detected, high confidence: .*invocation_id.*\)/);
  });

  it('a channel whose frames fit no contract is listed with a sample, not dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-unrecognised-'));
    const file = join(dir, 'orders.ndjson');
    const lines = [
      { type: 'header', format: 'echoscope-journal', version: 1, createdAt: '2026-12-02T10:00:00Z' },
      { type: 'frame', at: 1, connection: 'c1', channel: 'orders.7', event: 'App\\Events\\OrderShipped', data: { order: 7 } },
      { type: 'frame', at: 2, connection: 'c1', channel: 'orders.7', event: 'App\\Events\\OrderShipped', data: { order: 8 } },
    ];
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const { code, out } = await run(file);
    expect(code).toBe(0);
    expect(out).toContain('unrecognised channel orders.7: 2 frames fit no contract (App\\Events\\OrderShipped); first: {"order":7}');
    const json = JSON.parse((await run('--json', file)).out) as Verdict;
    expect(json.unrecognised).toMatchObject([{ channel: 'orders.7', frames: 2, contract: null }]);
  });

  it('an unknown name that is no file either is refused with the names there are', async () => {
    const { code, err } = await run('--contract', 'laravel', journal);
    expect(code).toBe(2);
    expect(err).toContain('no built-in contract is called "laravel" (echoscope, laravel-ai, prism, vercel-data-stream) and no such file exists');
  });
});

describe('echoscope analyze --fail-on: a release gate', () => {
  // duplicate.ndjson (hand-written): session s1, #2 delivered twice, then completed — one duplicate, no gap
  const duplicated = join(fixtures, 'duplicate.ndjson');

  it('exits 1 when a named anomaly occurred, saying which and where, after printing the verdicts', async () => {
    const { code, out, err } = await run('--fail-on', 'gap,duplicate', duplicated);
    expect(code).toBe(1);
    expect(out).toContain('SESSION');
    expect(err).toBe('echoscope analyze: --fail-on: duplicate in 1 session (s1)');
  });

  it('exits 0 when none of the named kinds or statuses occurred', async () => {
    expect((await run('--fail-on', 'gap,replay,errored', duplicated)).code).toBe(0);
  });

  it('`any` is every anomaly kind; a status gates too', async () => {
    expect((await run('--fail-on', 'any', duplicated)).code).toBe(1);
    expect((await run('--fail-on', 'completed', duplicated)).err).toContain('status completed in 1 session (s1)');
  });

  it('a word that is neither is refused with the allowed ones and the nearest', async () => {
    const { code, err } = await run('--fail-on', 'dupliate', duplicated);
    expect(code).toBe(2);
    expect(err).toContain('"dupliate" is not an anomaly kind or a status (did you mean "duplicate"?)');
    expect(err).toContain('allowed: any, duplicate, conflict');
  });
});
