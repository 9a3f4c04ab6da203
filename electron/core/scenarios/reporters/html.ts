import { ANOMALY_KINDS } from '../../../../shared/analysis';
import type { CheckReport, ScenarioCheck } from '../report';

/** One self-contained HTML file (inline CSS, no script, no external asset): open it anywhere, attach it to a CI run. */

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (value: number | null): string => (value === null ? '–' : value.toFixed(2));

function scenarioSection(scenario: ScenarioCheck): string {
  const rows = scenario.sessions
    .map((s) => {
      const v = s.verdict;
      const reasons = s.failures.map((f) => `<li><code>${esc(f.field)}</code> ${esc(f.reason)}</li>`).join('');
      return `<tr class="${s.passed ? 'pass' : 'fail'}"><td>${s.passed ? '✓' : '✗'}</td><td>${esc(s.sessionId)}</td><td>${esc(v?.status ?? 'unseen')}</td><td>${v?.events ?? 0}</td><td>${v?.duplicates ?? 0}</td><td>${v?.replays ?? 0}</td><td>${v?.missing ?? 0}</td><td>${v?.violations ?? 0}</td><td>${esc(s.record?.progress ?? '–')}</td><td>${reasons ? `<ul>${reasons}</ul>` : ''}</td></tr>`;
    })
    .join('\n');
  const errors = scenario.errors.map((e) => `<p class="error">${esc(e)}</p>`).join('');
  return `<section><h2 class="${scenario.passed ? 'pass' : 'fail'}">${scenario.passed ? '✓' : '✗'} ${esc(scenario.name)}</h2>
<p>${esc(scenario.description)} <small>seed ${scenario.seed}, ${Math.round(scenario.durationMs)} ms</small></p>${errors}
<table><thead><tr><th></th><th>session</th><th>status</th><th>events</th><th>dups</th><th>replays</th><th>missing</th><th>violations</th><th>record</th><th>failures</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

export function formatHtml(report: CheckReport): string {
  const t = report.totals;
  const scores = ANOMALY_KINDS.map((k) => {
    const s = report.scores[k];
    return `<tr><td>${k}</td><td>${s.expected}</td><td>${s.detected}</td><td>${pct(s.precision)}</td><td>${pct(s.recall)}</td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>EchoScope check: ${esc(report.suite)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2330}h1{margin-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #d5d9e0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f7}.pass{color:#18794e}.fail{color:#c0392b}tr.fail td{background:#fff4f2}ul{margin:0;padding-left:1rem}
.error{color:#c0392b;font-weight:600}code{font-size:12px}small{color:#667}
</style></head><body>
<h1 class="${report.passed ? 'pass' : 'fail'}">${report.passed ? 'PASSED' : 'FAILED'} — ${esc(report.suite)}</h1>
<p>${t.scenarios - t.scenariosFailed}/${t.scenarios} scenarios, ${t.sessions - t.sessionsFailed}/${t.sessions} sessions passed · ${esc(report.startedAt)} · ${(report.durationMs / 1000).toFixed(1)} s</p>
<h2>Detection against the ground truth</h2>
<table><thead><tr><th>kind</th><th>expected</th><th>detected</th><th>precision</th><th>recall</th></tr></thead><tbody>
${scores}
</tbody></table>
${report.scenarios.map(scenarioSection).join('\n')}
</body></html>
`;
}
