import { ANOMALY_KINDS } from '../../../../shared/analysis';
import type { DetectionScores } from '../../../../shared/scenario';
import type { CheckReport, ScenarioCheck, SkippedScenario } from '../report';

/** The default reporter: readable lines for a terminal, failures with their reasons. */

export function formatScenario(result: ScenarioCheck): string[] {
  const lines = [`${result.passed ? '✓' : '✗'} ${result.name} (${result.sessions.length} sessions, ${Math.round(result.durationMs)} ms)`];
  for (const error of result.errors) lines.push(`    ! ${error}`);
  for (const session of result.sessions) {
    if (session.passed) continue;
    lines.push(`    ✗ ${session.sessionId} (${session.verdict?.status ?? 'unseen'})`);
    for (const failure of session.failures) lines.push(`        ${failure.field}: ${failure.reason}`);
  }
  return lines;
}

const pct = (value: number | null): string => (value === null ? '   -' : value.toFixed(2));

export function formatScores(scores: DetectionScores): string[] {
  const width = Math.max(...ANOMALY_KINDS.map((k) => k.length));
  const lines = [`${'kind'.padEnd(width)}  expected  detected  precision  recall`];
  for (const kind of ANOMALY_KINDS) {
    const s = scores[kind];
    lines.push(`${kind.padEnd(width)}  ${String(s.expected).padStart(8)}  ${String(s.detected).padStart(8)}  ${pct(s.precision).padStart(9)}  ${pct(s.recall).padStart(6)}`);
  }
  return lines;
}

/** Sessions set aside (a whole scenario, or some of its sessions), and why. */
export function formatSkipped(skipped: SkippedScenario): string {
  const sessions = `session${skipped.sessions.length === 1 ? '' : 's'} ${skipped.sessions.join(', ')}`;
  return skipped.ran ? `- ${skipped.name}: ${sessions} set aside (${skipped.reason})` : `- ${skipped.name} skipped, ${sessions} (${skipped.reason})`;
}

export function formatList(report: CheckReport): string {
  return [
    ...report.scenarios.flatMap(formatScenario),
    ...report.skipped.map(formatSkipped),
    '',
    'Detection against the ground truth:',
    ...formatScores(report.scores).map((l) => `  ${l}`),
    '',
    summaryLine(report),
  ].join('\n');
}

/** The run in one line (`PASSED: 3/3 scenarios, 9/9 sessions passed in 1.2 s`): printed whatever the reporters. */
export function summaryLine(report: CheckReport): string {
  const t = report.totals;
  const scenariosSkipped = t.scenariosSkipped > 0 ? ` (${t.scenariosSkipped} skipped)` : '';
  const sessionsSkipped = t.sessionsSkipped > 0 ? ` (${t.sessionsSkipped} set aside)` : '';
  return `${report.passed ? 'PASSED' : 'FAILED'}: ${t.scenarios - t.scenariosFailed}/${t.scenarios} scenarios${scenariosSkipped}, ${t.sessions - t.sessionsFailed}/${t.sessions} sessions${sessionsSkipped} passed in ${(report.durationMs / 1000).toFixed(1)} s`;
}
