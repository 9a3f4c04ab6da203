import { ANOMALY_KINDS, type SessionVerdict, type TextSegment } from '../../../../shared/analysis';
import { formatMs } from '../../../../shared/charts';
import type { CheckReport, PictureFrame, ScenarioCheck, SessionCheck, SessionPicture } from '../report';
import { summaryLine } from './list';
import { element, escapeHtml } from './markup';
import { chartCss, latencyFigure, timelineFigure } from './session-svg';

/**
 * One self-contained HTML file (inline CSS and SVG; no script, no external asset, a CSP that
 * forbids both): open it anywhere, attach it to a CI run. A table of contents links every
 * scenario and every failing or anomalous session; each such session has its timeline and
 * latency charts as the app draws them, its marked frames with expandable payloads and its
 * texts. Light or dark as the reader's system is. Everything a run received is escaped.
 */

/** Width of the report's charts (the page's column); they shrink with a narrower window. */
const CHART_WIDTH = 1000;

const PAGE_CSS = `
:root{color-scheme:light;--bg:#f6f8fa;--panel:#ffffff;--panel-2:#f0f3f6;--text:#1f2328;--muted:#59636e;--border:#d1d9e0;--ok:#1a7f37;--ok-bg:#dafbe1;--warn:#8a5a00;--warn-bg:#fff8c5;--bad:#cf222e;--bad-bg:#ffebe9;--live:#0550ae;--live-bg:#ddf4ff;--accent:#0969da;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:14px}
@media (prefers-color-scheme: dark){:root{color-scheme:dark;--bg:#0d1117;--panel:#151b23;--panel-2:#1c2430;--text:#e6edf3;--muted:#9198a1;--border:#3d444d;--ok:#3fb950;--ok-bg:#12261e;--warn:#d29922;--warn-bg:#272115;--bad:#ff7b72;--bad-bg:#2d1517;--live:#58a6ff;--live-bg:#121d2f;--accent:#4493f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);line-height:1.45}
main{max-width:${CHART_WIDTH + 60}px;margin:0 auto;padding:16px 20px 40px}
a{color:var(--accent)}
h1{font-size:22px;margin:4px 0}h2{font-size:18px;margin:0 0 6px}h3{font-size:15px;margin:0 0 6px}h4{font-size:13px;margin:0 0 4px;color:var(--muted);font-weight:600}
.muted{color:var(--muted);font-weight:normal}
.panel{background:var(--panel);border:1px solid var(--border);border-radius:8px;padding:12px 14px;margin:0 0 12px;min-width:0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--border);vertical-align:top}
th{background:var(--panel-2);font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
.nowrap,table.frames th,table.sessions td:nth-child(2){white-space:nowrap}
.zero{color:var(--muted)}
.pass{color:var(--ok)}.fail{color:var(--bad)}
tr.fail td{background:var(--bad-bg)}
.error{color:var(--bad);font-weight:600}
ul.reasons{margin:0;padding-left:1rem}
.session-detail>ul.reasons{margin:0 0 10px}
code{font-size:12px}
.tag{font-size:11.5px;padding:0 6px;border-radius:8px;border:1px solid var(--border);white-space:nowrap;font-weight:normal}
.tag.bad{color:var(--bad);border-color:var(--bad)}.tag.ok{color:var(--ok);border-color:var(--ok)}
nav.toc ol{margin:4px 0;padding-left:1.4rem}nav.toc ul{margin:2px 0 6px;padding-left:1.2rem}nav.toc li{margin:1px 0}
.scenario{margin-top:20px}
.session-detail{border-left:4px solid var(--bad)}
.session-detail.anomalous{border-left-color:var(--warn)}
.back{float:right;font-size:12px}
.chart{background:var(--panel);border:1px solid var(--border);border-radius:8px;padding:8px 10px;margin:0 0 12px}
.chart figcaption{font-weight:600;margin-bottom:4px}
.chart svg{overflow:visible;max-width:100%;height:auto}
.chart-pair{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.chart-legend{display:flex;flex-wrap:wrap;justify-content:center;gap:4px 14px;list-style:none;margin:4px 0 0;padding:0;font-size:12px}
.chart-legend li{display:inline-flex;align-items:center;gap:4px}
details{margin:6px 0}details>summary{cursor:pointer}
pre.payload{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel-2);padding:8px;border-radius:6px;max-height:360px;overflow:auto;font-size:12px;margin:4px 0}
.text-pair{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.text-body{white-space:pre-wrap;overflow-wrap:anywhere;max-height:220px;overflow-y:auto;background:var(--panel-2);padding:8px;border-radius:6px;margin:0;font-size:13px}
mark.seg{border-radius:3px;padding:0 1px;color:inherit}
.seg-duplicate{background:var(--warn-bg);outline:1px dashed var(--warn);text-decoration:line-through;text-decoration-color:var(--warn)}
.seg-missing{background:var(--bad-bg);color:var(--bad)!important;font-weight:600}
.seg-late{background:var(--live-bg);text-decoration:underline wavy var(--live)}
.seg-after_terminal{background:var(--bad-bg);text-decoration:underline dotted var(--bad)}
@media (max-width:760px){.chart-pair,.text-pair{grid-template-columns:1fr}}
`;

const SEGMENT_TITLE: Record<TextSegment['kind'], string> = {
  text: '',
  duplicate: 're-sent chunk: a naive client shows it again',
  missing: 'sequences never received',
  late: 'arrived out of order',
  after_terminal: 'arrived after the terminal event',
};

/** An anchor-safe piece of a name (ids also carry indices, so they stay unique). */
function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'x'
  );
}

const scenarioAnchor = (index: number, scenario: ScenarioCheck): string => `scenario-${index + 1}-${slug(scenario.name)}`;
const sessionAnchor = (index: number, sessionIndex: number, session: SessionCheck): string => `session-${index + 1}-${sessionIndex + 1}-${slug(session.sessionId)}`;

const mark = (passed: boolean): string => element('span', { class: passed ? 'pass' : 'fail' }, passed ? '✓' : '✗');
const pct = (value: number | null): string => (value === null ? '–' : value.toFixed(2));
const count = (n: number | undefined): string => element('td', { class: n ? 'num' : 'num zero' }, String(n ?? 0));

/** "duplicate ×40 · replay ×1" from a verdict's anomalies (counts kept exact when the list was capped). */
function anomalySummary(verdict: SessionVerdict): string {
  const counts = new Map<string, number>();
  for (const anomaly of verdict.anomalies) counts.set(anomaly.kind, (counts.get(anomaly.kind) ?? 0) + 1);
  const parts = ANOMALY_KINDS.filter((kind) => counts.has(kind)).map((kind) => `${kind.replace(/_/g, ' ')} ×${counts.get(kind)}`);
  if (verdict.anomaliesDropped) parts.push(`${verdict.anomaliesDropped} more not listed`);
  return parts.length > 0 ? parts.join(' · ') : 'none';
}

function reasons(session: SessionCheck): string {
  if (session.failures.length === 0) return '';
  return element('ul', { class: 'reasons' }, session.failures.map((f) => element('li', {}, `${element('code', {}, escapeHtml(f.field))} ${escapeHtml(f.reason)}`)).join(''));
}

function sessionRow(session: SessionCheck, anchor: string | null): string {
  const v = session.verdict;
  const name = anchor === null ? escapeHtml(session.sessionId) : element('a', { href: `#${anchor}` }, escapeHtml(session.sessionId));
  return element(
    'tr',
    { class: session.passed ? 'pass-row' : 'fail', 'data-session': session.sessionId },
    [
      element('td', {}, mark(session.passed)),
      element('td', {}, name),
      element('td', {}, escapeHtml(v?.status ?? 'unseen')),
      element('td', {}, escapeHtml(v?.terminationCode ?? '–')),
      count(v?.events),
      count(v?.duplicates),
      count(v?.replays),
      count(v?.outOfOrder),
      count(v?.missing),
      count(v?.stalls),
      count(v?.afterTerminal),
      count(v?.disconnects),
      count(v?.violations),
      element('td', { class: 'num nowrap' }, escapeHtml(formatMs(session.durationMs))),
      element('td', {}, escapeHtml(session.record?.progress ?? '–')),
      element('td', {}, reasons(session)),
    ].join(''),
  );
}

const SESSION_COLUMNS: readonly [string, boolean][] = [
  ['', false],
  ['session', false],
  ['status', false],
  ['code', false],
  ['events', true],
  ['dups', true],
  ['replays', true],
  ['out of order', true],
  ['missing', true],
  ['stalls', true],
  ['after terminal', true],
  ['disconnects', true],
  ['violations', true],
  ['duration', true],
  ['record', false],
  ['failures', false],
];

function segments(list: readonly TextSegment[], label: string): string {
  const body = list
    .map((segment) =>
      segment.kind === 'text'
        ? escapeHtml(segment.text)
        : element('mark', { class: `seg seg-${segment.kind}`, title: SEGMENT_TITLE[segment.kind], 'data-kind': segment.kind }, escapeHtml(segment.text)),
    )
    .join('');
  return element('p', { class: 'text-body', 'aria-label': label }, body);
}

function textsOf(picture: SessionPicture): string {
  const text = picture.view?.text;
  if (!text) return '';
  const shown = (list: readonly TextSegment[]) => list.reduce((sum, segment) => sum + segment.text.length, 0);
  const cut = shown(text.correct) < text.correctChars || shown(text.naive) < text.naiveChars;
  return element(
    'details',
    { class: 'texts' },
    element('summary', {}, 'Text: what a correct client shows beside what a naive one shows') +
      element(
        'div',
        { class: 'text-pair' },
        element('div', {}, element('h4', {}, 'Correct client (each sequence once, in order)') + segments(text.correct, 'Correct text')) +
          element('div', {}, element('h4', {}, 'Naive client (every chunk as it arrived)') + segments(text.naive, 'Naive text')),
      ) +
      (cut ? element('p', { class: 'muted' }, `The first characters of ${text.correctChars} (correct) and ${text.naiveChars} (naive); report.json has the verdict's texts.`) : ''),
  );
}

function frameRow(frame: PictureFrame): string {
  const preview = frame.payload.replace(/\s+/g, ' ').slice(0, 80);
  const more = frame.payloadChars > frame.payload.length ? `\n… ${frame.payloadChars - frame.payload.length} more characters` : '';
  return element(
    'tr',
    { 'data-kinds': frame.kinds.join(' ') },
    [
      element('td', { class: 'num nowrap' }, escapeHtml(`+${formatMs(frame.x)}`)),
      element('td', { class: 'num' }, frame.sequence === null ? '–' : String(frame.sequence)),
      element('td', { class: 'num' }, String(frame.attempt)),
      element('td', { class: 'nowrap' }, escapeHtml(frame.kinds.join(', ').replace(/_/g, ' '))),
      element('td', {}, element('code', {}, escapeHtml(frame.event))),
      element(
        'td',
        {},
        element(
          'details',
          { class: 'payload' },
          element('summary', {}, element('code', {}, escapeHtml(preview))) + element('pre', { class: 'payload' }, escapeHtml(frame.payload + more)),
        ),
      ),
    ].join(''),
  );
}

function framesOf(picture: SessionPicture): string {
  if (picture.frames.length === 0) return '';
  const head = ['+time', '#', 'attempt', 'marked as', 'event', 'payload (click to expand)'].map((h, i) => element('th', { class: i < 3 ? 'num' : undefined }, h)).join('');
  const omitted = picture.framesOmitted > 0 ? element('p', { class: 'muted' }, `${picture.framesOmitted} more marked frames not listed (the chart draws every one).`) : '';
  return element(
    'details',
    { class: 'frames', open: picture.frames.length <= 12 },
    element('summary', {}, `Marked frames (${picture.frames.length + picture.framesOmitted}): anomalies and terminal events as received`) +
      element('table', { class: 'frames' }, element('thead', {}, element('tr', {}, head)) + element('tbody', {}, picture.frames.map(frameRow).join(''))) +
      omitted,
  );
}

function sessionDetail(scenario: ScenarioCheck, session: SessionCheck, anchor: string): string {
  const v = session.verdict as SessionVerdict;
  const picture = session.picture as SessionPicture;
  const facts = [
    v.terminationCode !== null ? `code ${v.terminationCode}` : 'no terminal event',
    `${v.events} events`,
    v.attempts > 1 ? `${v.attempts} attempts` : null,
    `watched ${formatMs(session.durationMs)}`,
    `TTFT ${formatMs(v.ttftMs)}`,
    session.record ? `record ${session.record.progress}` : null,
  ].filter((fact): fact is string => fact !== null);
  const charts =
    picture.view === null
      ? element('p', { class: 'muted' }, escapeHtml(`Charts ${picture.note ?? 'not drawn'}.`))
      : timelineFigure(picture.view, CHART_WIDTH, anchor) + latencyFigure(picture.view, v, CHART_WIDTH);
  return element(
    'article',
    { class: `panel session-detail${session.passed ? ' anomalous' : ''}`, id: anchor, 'data-testid': 'report-session', 'data-session': session.sessionId },
    element('a', { class: 'back', href: '#contents' }, '↑ contents') +
      element(
        'h3',
        {},
        `${mark(session.passed)} ${escapeHtml(session.sessionId)} ${element('span', { class: `tag ${v.status === 'completed' ? 'ok' : 'bad'}` }, escapeHtml(v.status))} ${element('span', { class: 'muted' }, `in ${escapeHtml(scenario.name)}`)}`,
      ) +
      element('p', { class: 'muted' }, escapeHtml(facts.join(' · '))) +
      element('p', {}, `Anomalies: ${escapeHtml(anomalySummary(v))}`) +
      reasons(session) +
      (picture.view !== null && picture.view.gaps.length > 0
        ? element('p', {}, escapeHtml(`Missing: ${picture.view.gaps.map((g) => (g.from === g.to ? `#${g.from}` : `#${g.from}–${g.to}`)).join(', ')}`))
        : '') +
      charts +
      framesOf(picture) +
      textsOf(picture),
  );
}

function scenarioSection(scenario: ScenarioCheck, index: number): string {
  const anchors = scenario.sessions.map((session, j) => (session.picture ? sessionAnchor(index, j, session) : null));
  const head = SESSION_COLUMNS.map(([label, numeric]) => element('th', { class: numeric ? 'num' : undefined }, label)).join('');
  const rows = scenario.sessions.map((session, j) => sessionRow(session, anchors[j] ?? null)).join('\n');
  const errors = scenario.errors.map((e) => element('p', { class: 'error' }, escapeHtml(e))).join('');
  const details = scenario.sessions
    .map((session, j) => {
      const anchor = anchors[j];
      return anchor ? sessionDetail(scenario, session, anchor) : '';
    })
    .join('\n');
  return element(
    'section',
    { class: 'scenario', id: scenarioAnchor(index, scenario), 'data-testid': 'report-scenario' },
    element(
      'div',
      { class: 'panel' },
      [
        element('a', { class: 'back', href: '#contents' }, '↑ contents'),
        element('h2', { class: scenario.passed ? 'pass' : 'fail' }, `${scenario.passed ? '✓' : '✗'} ${escapeHtml(scenario.name)}`),
        element('p', {}, `${escapeHtml(scenario.description)} ${element('span', { class: 'muted' }, escapeHtml(`seed ${scenario.seed}, ${Math.round(scenario.durationMs)} ms`))}`),
        errors,
        element('div', { style: 'overflow-x:auto' }, element('table', { class: 'sessions' }, element('thead', {}, element('tr', {}, head)) + element('tbody', {}, rows))),
      ].join(''),
    ) + details,
  );
}

function contents(report: CheckReport): string {
  const items = report.scenarios.map((scenario, i) => {
    const drawn = scenario.sessions
      .map((session, j) =>
        session.picture && session.verdict
          ? element(
              'li',
              {},
              `${mark(session.passed)} ${element('a', { href: `#${sessionAnchor(i, j, session)}` }, escapeHtml(session.sessionId))} ${element('span', { class: 'muted' }, escapeHtml(`${session.verdict.status} · ${anomalySummary(session.verdict)}`))}`,
            )
          : '',
      )
      .join('');
    const sessions = `${scenario.sessions.length - scenario.sessions.filter((s) => !s.passed).length}/${scenario.sessions.length} sessions passed`;
    return element(
      'li',
      {},
      `${mark(scenario.passed)} ${element('a', { href: `#${scenarioAnchor(i, scenario)}` }, escapeHtml(scenario.name))} ${element('span', { class: 'muted' }, sessions)}${drawn ? element('ul', {}, drawn) : ''}`,
    );
  });
  return element(
    'nav',
    { class: 'panel toc', id: 'contents', 'aria-label': 'Contents' },
    element('h2', {}, 'Contents') +
      element('p', { class: 'muted' }, 'Each scenario, and under it each failing (✗) or anomalous session, drawn below.') +
      element(
        'ol',
        {},
        element('li', {}, element('a', { href: '#detection' }, 'Detection against the ground truth')) +
          items.join('') +
          (report.skipped.length > 0 ? element('li', {}, element('a', { href: '#skipped' }, `Set aside (${report.skipped.length})`)) : ''),
      ),
  );
}

/** Sessions set aside (on a real server: those that need the embedded mock), by scenario, each with why. */
function skippedSection(report: CheckReport): string {
  if (report.skipped.length === 0) return '';
  const rows = report.skipped
    .map((s) =>
      element(
        'li',
        {},
        `${element('strong', {}, escapeHtml(s.name))} ${escapeHtml(s.ran ? `set aside: ${s.sessions.join(', ')}` : `skipped whole: ${s.sessions.join(', ')}`)} ${element('span', { class: 'muted' }, escapeHtml(s.reason))}`,
      ),
    )
    .join('');
  return element('section', { class: 'panel', id: 'skipped' }, element('h2', {}, `Set aside (${report.skipped.length})`) + element('ul', {}, rows));
}

export function formatHtml(report: CheckReport): string {
  const scores = ANOMALY_KINDS.map((k) => {
    const s = report.scores[k];
    return element(
      'tr',
      {},
      [
        element('td', {}, k),
        element('td', { class: 'num' }, String(s.expected)),
        element('td', { class: 'num' }, String(s.detected)),
        element('td', { class: 'num' }, pct(s.precision)),
        element('td', { class: 'num' }, pct(s.recall)),
      ].join(''),
    );
  }).join('\n');
  const detection = element(
    'section',
    { class: 'panel', id: 'detection' },
    element('a', { class: 'back', href: '#contents' }, '↑ contents') +
      element('h2', {}, 'Detection against the ground truth') +
      element(
        'table',
        {},
        element(
          'thead',
          {},
          element('tr', {}, ['kind', 'expected', 'detected', 'precision', 'recall'].map((h, i) => element('th', { class: i > 0 ? 'num' : undefined }, h)).join('')),
        ) + element('tbody', {}, scores),
      ),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>EchoScope check: ${escapeHtml(report.suite)}</title>
<style>${PAGE_CSS}
${chartCss()}
</style></head><body><main>
<header><h1 class="${report.passed ? 'pass' : 'fail'}">${report.passed ? 'PASSED' : 'FAILED'} — ${escapeHtml(report.suite)}</h1>
<p>${escapeHtml(summaryLine(report))} · ${escapeHtml(report.startedAt)}</p></header>
${contents(report)}
${detection}
${report.scenarios.map(scenarioSection).join('\n')}
${skippedSection(report)}
</main></body></html>
`;
}
