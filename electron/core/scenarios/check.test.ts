import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANOMALY_KINDS } from '../../../shared/analysis';
import { AppError, type ScenarioProgress } from '../../../shared/api';
import { runCli } from '../../cli/main';
import { startMockServer } from '../../mock';
import { BUILTIN_SCENARIOS } from '../../mock/scenarios';
import { publishedEvents, type GroundTruth } from '../../../shared/scenario';
import { parseJunit } from '../../../test-support/junit-shape';
import { builtinScenarios, createRunFolder, runCheck, ScenarioRunner, type CheckReport } from './index';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'echoscope-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stopSignal: new Promise<NodeJS.Signals>(() => undefined) } };
}

describe('echoscope check on the built-in library', () => {
  let report: CheckReport;
  beforeAll(async () => {
    report = await runCheck('builtin', builtinScenarios());
  }, 60_000);

  it('passes every scenario and session', () => {
    const failures = report.scenarios.flatMap((s) => [...s.errors, ...s.sessions.flatMap((x) => x.failures.map((f) => `${s.name}/${x.sessionId} ${f.field}: ${f.reason}`))]);
    expect(failures).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.totals.scenarios).toBe(BUILTIN_SCENARIOS.length);
    expect(BUILTIN_SCENARIOS.length).toBe(23);
  });

  it('measures TTFT from the moment the run began each job, never before the planned first token', () => {
    let measured = 0;
    for (const scenario of report.scenarios) {
      for (const session of scenario.sessions) {
        const truth = scenario.truth.sessions.find((t) => t.sessionId === session.sessionId)!;
        const firstToken = truth.events.find((e) => e.attempt === 1 && e.state === 'generating' && e.delivery === 'sent');
        const v = session.verdict;
        if (!v || !firstToken || v.joinedLate) continue;
        // watched from before the job began (check subscribes first): a known start, from the run
        expect(v.ttftFrom, `${scenario.name}/${session.sessionId}`).toBe('run');
        // Real sockets: a lower bound only; 1 ms of room covers the scheduler running a token up to 0.5 ms early (EARLY_TOLERANCE_MS) and TTFT's rounding.
        expect(v.ttftMs!, `${scenario.name}/${session.sessionId}`).toBeGreaterThanOrEqual(firstToken.t - 1);
        measured++;
      }
    }
    expect(measured).toBeGreaterThan(10);
  });

  it('detects every anomaly kind with precision and recall 1.0 against the ground truth', () => {
    // delivery_loss needs two vantages of one session; check watches each session from one connection
    // (it is tested in shared/analysis/observations.test.ts and against soketi and laravel-echo-server).
    for (const kind of ANOMALY_KINDS.filter((k) => k !== 'delivery_loss')) {
      const s = report.scores[kind];
      expect(s.expected, `${kind} should be exercised by the library`).toBeGreaterThan(0);
      expect([kind, s.precision, s.recall]).toEqual([kind, 1, 1]);
    }
  });

  it('keeps the simulator on time (scheduled vs actual emit)', () => {
    for (const scenario of report.scenarios) expect(scenario.emitTiming.samples).toBeGreaterThan(0);
  });
});

describe('echoscope check command', () => {
  it('fails a wrong expect with a readable reason and exit code 1; the JUnit file is valid XML of the expected shape', async () => {
    const file = join(dir, 'wrong.yaml');
    await writeFile(
      file,
      [
        'name: wrong-expect',
        'tokens: 12',
        'timing: {ttftMs: 5, interTokenMs: 2}',
        'sessions:',
        '  - id: w1',
        '    faults: [{kind: truncate, afterTokens: 6}]',
        'expect:',
        '  - session: w1',
        '    status: completed',
        '    counts: {duplicates: ">0"}',
      ].join('\n'),
    );
    const out = join(dir, 'reports');
    const t = io();
    const code = await runCli(['check', file, '--reporter', 'list,json,junit,html', '--out', out], t.io);
    expect(code).toBe(1);
    const text = t.out.join('\n');
    expect(text).toContain('✗ w1 (truncated)');
    expect(text).toContain('expect[0].status: expected status completed, got truncated');
    expect(text).toContain('expect[0].counts.duplicates: expected duplicates > 0, got 0');
    const [folder] = await readdir(out);
    expect(folder).toMatch(/^check-\d{8}T\d{6}Z$/);
    const files = (await readdir(join(out, folder!))).sort();
    expect(files).toEqual(['ground-truth.json', 'junit.xml', 'report.html', 'report.json', 'report.txt']);

    const xml = await readFile(join(out, folder!, 'junit.xml'), 'utf8');
    const junit = parseJunit(xml);
    expect(junit.failures).toBe(1);
    expect(junit.suites.map((s) => s.name)).toEqual(['wrong-expect']);
    const cases = junit.suites[0]!.cases;
    expect(cases.map((c) => c.name)).toEqual(['w1', 'detection precision and recall']);
    expect(cases[0]!.failure!.message).toBe('expected status completed, got truncated');
    expect(cases[0]!.failure!.text).toContain('expect[0].counts.duplicates');
    // w1's time is how long EchoScope watched it over real sockets: at least the plan's first token → terminal
    // (less the scheduler's 0.5 ms early tolerance), and within its scenario's run.
    const [truth] = JSON.parse(await readFile(join(out, folder!, 'ground-truth.json'), 'utf8')) as GroundTruth[];
    const events = publishedEvents(truth!.sessions[0]!);
    const plannedMs = events.find((e) => e.state === 'truncated')!.t - events[0]!.t;
    expect(plannedMs).toBe(12); // 6 tokens 2 ms apart, then the terminal
    expect(cases[0]!.time * 1000).toBeGreaterThanOrEqual(plannedMs - 1);
    expect(cases[0]!.time).toBeLessThanOrEqual(junit.suites[0]!.time);

    const html = await readFile(join(out, folder!, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=/);
    const json = JSON.parse(await readFile(join(out, folder!, 'report.json'), 'utf8')) as CheckReport;
    expect(json.passed).toBe(false);

    // with junit alone the console still says how the run went, in one line
    const quiet = io();
    expect(await runCli(['check', file, '--reporter', 'junit', '--out', out], quiet.io)).toBe(1);
    expect(quiet.out[0]).toMatch(/^FAILED: 0\/1 scenarios, 0\/1 sessions passed in \d+\.\d s$/);
  });

  it('refuses a bad scenario with the path of the bad field and exit code 2', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ name: 'bad', sessions: [{ id: 'b1', faults: [{ kind: 'crash', afterTokens: -1 }] }] }));
    const t = io();
    expect(await runCli(['check', file], t.io)).toBe(2);
    expect(t.err.join('\n')).toContain('sessions[0].faults[0].afterTokens');
    expect(await runCli(['check', 'no-such-suite'], io().io)).toBe(2);
    expect(await runCli(['check', 'builtin', '--reporter', 'xml'], io().io)).toBe(2);
  });

  it('never overwrites a report folder', async () => {
    const when = new Date('2026-01-02T03:04:05.678Z');
    const a = await createRunFolder(join(dir, 'same'), when);
    const b = await createRunFolder(join(dir, 'same'), when);
    expect(a).not.toBe(b);
    expect(b.endsWith('check-20260102T030405Z-2')).toBe(true);
  });
});

describe('ScenarioRunner (App API)', () => {
  it('lists the library, loads files with path-named errors, runs a check and reports progress', async () => {
    const runner = new ScenarioRunner({ mock: () => null });
    expect(runner.list().map((s) => s.name)).toContain('crash-retry');
    await expect(runner.load({ text: 'name: x\nsessions: [{faults: [{kind: stall}]}]' })).rejects.toThrow(/sessions\[0\]\.faults\[0\]\.afterTokens/);
    const loaded = await runner.load({
      text: 'name: tiny\ntokens: 5\ntiming: {ttftMs: 2, interTokenMs: 1}\nsessions: [{id: t1}]\nexpect: [{status: completed}]',
      fileName: 'tiny.yaml',
    });
    expect(loaded).toEqual([expect.objectContaining({ name: 'tiny', origin: 'loaded', sessions: 1 })]);
    expect(() => runner.start({ name: 'tiny', mode: 'simulate' })).toThrow(AppError);
    const updates: ScenarioProgress[] = [];
    const finished = new Promise<ScenarioProgress>((resolve) => {
      runner.onProgress((p) => {
        updates.push(p);
        if (p.state !== 'running') resolve(p);
      });
    });
    const view = runner.start({ name: 'tiny', mode: 'check' });
    expect(view.sessions).toEqual([{ sessionId: 't1', channel: 'private-ai.t1' }]);
    const last = await finished;
    expect(last).toMatchObject({ state: 'finished', result: { passed: true, sessionsFailed: 0 } });
    expect(updates[0]!.state).toBe('running');
    runner.dispose();
  });

  it('simulates on the embedded mock, and stops a run', async () => {
    const mock = await startMockServer({ port: 0 });
    try {
      const runner = new ScenarioRunner({ mock: () => mock });
      const states: string[] = [];
      const stopped = new Promise<void>((resolve) => runner.onProgress((p) => (states.push(p.state), p.state === 'stopped' && resolve())));
      // Nobody subscribes: the sessions wait, so the run is still going when it is stopped.
      const view = runner.start({ name: 'stall', mode: 'simulate' });
      expect(mock.generations.get(view.sessions[0]!.sessionId)?.progress).toBe('queued');
      expect(runner.stop({ runId: view.runId })).toEqual({ stopped: true });
      await stopped;
      expect(states[0]).toBe('running');
      expect(() => runner.stop({ runId: 'run-999' })).toThrow(/no scenario run/);
    } finally {
      await mock.close();
    }
  });
});
