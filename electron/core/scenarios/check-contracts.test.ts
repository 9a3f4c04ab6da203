import { beforeAll, describe, expect, it } from 'vitest';
import { ANOMALY_KINDS } from '../../../shared/analysis';
import { LARAVEL_AI_SCENARIOS, PRISM_SCENARIOS, VERCEL_SCENARIOS } from '../../mock/scenarios';
import { builtinScenarios, runCheck, type CheckReport } from './index';

/**
 * `echoscope check` on the stream contracts' part of the library: the mock provider broadcasts
 * each scenario as the Laravel AI SDK (or Prism, or a Vercel UI message stream relay) would, EchoScope watches it over real sockets and
 * analyzes it with the scenario's contract, and every anomaly the ground truth expects is detected
 * and nothing else (precision = recall = 1.0), every `expect` block holds.
 */

function failuresOf(report: CheckReport): string[] {
  return report.scenarios.flatMap((s) => [
    ...s.errors.map((e) => `${s.name}: ${e}`),
    ...s.sessions.flatMap((x) => x.failures.map((f) => `${s.name}/${x.sessionId} ${f.field}: ${f.reason}`)),
  ]);
}

describe('echoscope check on the laravel-ai scenario set', () => {
  let report: CheckReport;
  beforeAll(async () => {
    report = await runCheck('builtin:laravel-ai', builtinScenarios(LARAVEL_AI_SCENARIOS.map((s) => s.name)));
  }, 60_000);

  it('passes every scenario and session', () => {
    expect(failuresOf(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.totals.scenarios).toBe(LARAVEL_AI_SCENARIOS.length);
  });

  it('scores precision = recall = 1.0 for every kind the set exercises, and exercises the stream faults', () => {
    const exercised = ANOMALY_KINDS.filter((kind) => report.scores[kind].expected > 0);
    for (const kind of exercised) expect([kind, report.scores[kind].precision, report.scores[kind].recall]).toEqual([kind, 1, 1]);
    // what each scenario of the set is built to provoke
    // (out_of_order by the SDK's time-ordered ids: laravel-ai-reorder)
    expect(exercised).toEqual(
      expect.arrayContaining(['duplicate', 'conflict', 'replay', 'stall', 'after_terminal', 'terminal_conflict', 'violation', 'oversize', 'disconnect', 'out_of_order']),
    );
    // a stream cannot show a gap: none expected, none reported
    expect([report.scores.gap.expected, report.scores.gap.detected]).toEqual([0, 0]);
  });

  it('analyzed every session with the laravel-ai contract (the verdict says what it can check)', () => {
    const sessions = report.scenarios.flatMap((s) => s.sessions);
    expect(sessions.length).toBeGreaterThan(20);
    for (const session of sessions) expect([session.sessionId, session.verdict?.checks]).toEqual([session.sessionId, { gaps: false, order: true, duplicates: true }]);
    expect(report.scenarios.every((s) => s.truth.contract === 'laravel-ai')).toBe(true);
  });
});

describe('echoscope check on the prism scenario', () => {
  it('passes with precision = recall = 1.0', async () => {
    const report = await runCheck('builtin:prism', builtinScenarios(PRISM_SCENARIOS.map((s) => s.name)));
    expect(failuresOf(report)).toEqual([]);
    for (const kind of ANOMALY_KINDS.filter((k) => report.scores[k].expected > 0)) expect([kind, report.scores[kind].precision, report.scores[kind].recall]).toEqual([kind, 1, 1]);
    expect(report.scores.replay.expected).toBeGreaterThan(0);
  }, 60_000);
});

describe('echoscope check on the vercel-data-stream set (chunks relayed as ai.chunk, the type inside)', () => {
  let report: CheckReport;
  beforeAll(async () => {
    report = await runCheck('builtin:vercel', builtinScenarios(VERCEL_SCENARIOS.map((s) => s.name)));
  }, 60_000);

  it('passes every scenario and session with precision = recall = 1.0', () => {
    expect(failuresOf(report)).toEqual([]);
    expect(report.passed).toBe(true);
    for (const kind of ANOMALY_KINDS.filter((k) => report.scores[k].expected > 0)) expect([kind, report.scores[kind].precision, report.scores[kind].recall]).toEqual([kind, 1, 1]);
    // replays: the new start of vercel-crash-retry and of vercel-error-then-retry; their re-sent
    // positions 1…10 and 1…11 (the 11th was the error's: a conflict); a stall each for vercel-stall
    // and vercel-killed; the retried error's 31 events after it, and its contradicting stop
    const scored = (kind: keyof CheckReport['scores']) => [kind, report.scores[kind].expected];
    // and vercel-broken-json's one broken chunk (a violation)
    expect(
      ['replay', 'duplicate', 'conflict', 'stall', 'after_terminal', 'terminal_conflict', 'oversize', 'violation'].map((k) => scored(k as keyof CheckReport['scores'])),
    ).toEqual([
      ['replay', 2],
      ['duplicate', 21],
      ['conflict', 1],
      ['stall', 2],
      ['after_terminal', 31],
      ['terminal_conflict', 1],
      ['oversize', 1],
      ['violation', 1],
    ]);
    // nothing the verdict says it cannot check is expected, or reported
    for (const kind of ['gap', 'out_of_order'] as const) expect([kind, report.scores[kind].expected, report.scores[kind].detected]).toEqual([kind, 0, 0]);
  });

  it('read every session with the vercel-data-stream contract, whose verdict checks neither gaps, order nor redeliveries', () => {
    const sessions = report.scenarios.flatMap((s) => s.sessions);
    expect(sessions.map((s) => s.sessionId)).toEqual([
      'vercel-ok',
      'vercel-length',
      'vercel-abort',
      'vercel-error',
      'vercel-crash-retry',
      'vercel-stall',
      'vercel-killed',
      'vercel-error-then-retry',
      'vercel-oversize',
      'vercel-broken-json',
    ]);
    for (const session of sessions) {
      expect([session.sessionId, session.verdict?.checks]).toEqual([session.sessionId, { gaps: false, order: false, duplicates: false }]);
      expect(session.verdict?.contract?.name).toBe('vercel-data-stream');
    }
    expect(report.scenarios.every((s) => s.truth.contract === 'vercel-data-stream')).toBe(true);
  });
});
