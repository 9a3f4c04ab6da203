// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { DARK_CHART_PALETTE, LIGHT_CHART_PALETTE } from '../../../../shared/charts';
import { parseScenario } from '../../../../shared/scenario';
import { checkInVirtualTime } from '../../../../test-support/virtual-check';
import { formatHtml } from './html';
import { escapeHtml } from './markup';

/**
 * The HTML report's structure, read with a DOM parser (jsdom). The run is played in virtual time
 * (test-support/virtual-check.ts), so what each session shows is what its faults were built to
 * produce; e2e/report.spec.ts opens a real run's report in Chromium (script execution, layout,
 * dark mode, a screenshot).
 */

const HOSTILE_TEXT = 'Hello <script>window.__pwned = 1</script> and "</pre></details><img src=x onerror="window.__pwned=2"> & done';
const HOSTILE_DESCRIPTION = '<b>not bold</b> & "quoted" <script>alert(1)</script>';

const scenario = parseScenario({
  name: 'report-structure',
  description: HOSTILE_DESCRIPTION,
  seed: 11,
  tokens: 24,
  timing: { ttftMs: 5, interTokenMs: 3 },
  orphanAfterMs: 400,
  analyzer: { stallAfterMs: 100, orphanAfterMs: 300 },
  sessions: [
    { id: 'fine' },
    { id: 'crashed', faults: [{ kind: 'crash', afterTokens: 8, retry: { tries: 2, backoffMs: 40 } }] },
    {
      id: 'hostile',
      text: HOSTILE_TEXT,
      faults: [
        { kind: 'duplicate', sequences: [2, 3] },
        { kind: 'malformed', variant: 'broken-json', sequences: [6] },
      ],
    },
    { id: 'stalled', faults: [{ kind: 'stall', afterTokens: 5, durationMs: 150 }] },
    { id: 'late', faults: [{ kind: 'after-terminal', tokens: 3 }] },
    { id: 'gappy', faults: [{ kind: 'drop', sequences: [4, 5] }] },
  ],
  expect: [{ session: 'fine', status: 'completed' }],
});

/** The sessions built with faults: the ones the report must draw. */
const ANOMALOUS = ['crashed', 'hostile', 'stalled', 'late', 'gappy'];

describe('the HTML report', () => {
  const { report } = checkInVirtualTime(scenario);
  const html = formatHtml(report);
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const article = (sessionId: string) => doc.querySelector(`article[data-session="${sessionId}"]`)!;

  it('draws a timeline and a latency chart for each anomalous session, and none for a healthy one', () => {
    const drawn = [...doc.querySelectorAll('article[data-testid="report-session"]')].map((a) => a.getAttribute('data-session'));
    expect(drawn.sort()).toEqual([...ANOMALOUS].sort());
    for (const sessionId of ANOMALOUS) {
      expect(article(sessionId).querySelectorAll('figure[data-testid="chart-timeline"] svg[role="img"]').length, sessionId).toBe(1);
      expect(article(sessionId).querySelectorAll('figure[data-testid="chart-latency"] svg[role="img"]').length, sessionId).toBe(2);
    }
    expect(doc.querySelector('tr[data-session="fine"] a')).toBeNull();
  });

  it("shows each fault where the app's chart shows it", () => {
    const markers = (sessionId: string, kind: string) => article(sessionId).querySelectorAll(`g.timeline-marker[data-kind="${kind}"]`).length;
    expect(markers('crashed', 'replay')).toBe(1); // one crash, one retry
    expect(article('crashed').querySelectorAll('path[data-kind="replay-attempt"]').length).toBe(1);
    expect(markers('hostile', 'duplicate')).toBe(2); // sequences 2 and 3 sent twice
    expect(markers('hostile', 'violation')).toBe(1); // the broken JSON
    expect(markers('late', 'after_terminal')).toBe(3);
    expect(article('stalled').querySelectorAll('.timeline-stall').length).toBe(1);
    const gaps = [...article('gappy').querySelectorAll('.timeline-gap text')].map((t) => t.textContent);
    expect(gaps).toEqual(['gap #4–5']);
    for (const sessionId of ANOMALOUS) expect(markers(sessionId, 'terminal'), sessionId).toBeGreaterThanOrEqual(1);
  });

  it('has stall, after-terminal and disconnect columns with the counts the faults make', () => {
    const headers = [...doc.querySelectorAll('table.sessions thead th')].map((th) => th.textContent);
    const cell = (sessionId: string, header: string) => doc.querySelector(`tr[data-session="${sessionId}"]`)!.children[headers.indexOf(header)]!.textContent;
    expect(headers).toEqual(expect.arrayContaining(['stalls', 'after terminal', 'disconnects']));
    expect(cell('stalled', 'stalls')).toBe('1');
    expect(cell('late', 'after terminal')).toBe('3');
    expect(cell('fine', 'stalls')).toBe('0');
    expect(cell('fine', 'disconnects')).toBe('0');
  });

  it('links every scenario and every drawn session from the contents, and every link resolves to one anchor', () => {
    const ids = [...doc.querySelectorAll('[id]')].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const links = [...doc.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')!);
    expect(links.length).toBeGreaterThan(0);
    for (const href of links) {
      expect(href.startsWith('#'), href).toBe(true);
      expect(doc.getElementById(href.slice(1)), href).not.toBeNull();
    }
    const toc = [...doc.querySelectorAll('#contents a')].map((a) => doc.getElementById(a.getAttribute('href')!.slice(1))!);
    expect(toc.filter((target) => target.matches('section.scenario')).length).toBe(1);
    expect(toc.filter((target) => target.matches('article')).map((target) => target.getAttribute('data-session'))).toEqual(ANOMALOUS);
  });

  it('writes hostile text as text: no script element, no event handler, the characters shown as they came', () => {
    expect(doc.querySelectorAll('script, img, iframe, object, embed, link').length).toBe(0);
    for (const element of doc.querySelectorAll('*'))
      for (const attribute of element.getAttributeNames()) expect(attribute.startsWith('on'), `${element.tagName} ${attribute}`).toBe(false);
    expect(doc.querySelector('section.scenario p')!.textContent).toContain(HOSTILE_DESCRIPTION);
    const correct = article('hostile').querySelector('[aria-label="Correct text"]')!.textContent;
    expect(correct).toBe(HOSTILE_TEXT);
    expect(html).not.toContain('<script');
    expect(html).toContain(escapeHtml('<script>window.__pwned = 1</script>'));
  });

  it('expands every marked frame to its payload as received', () => {
    const rows = [...article('hostile').querySelectorAll('table.frames tbody tr')];
    // 2 duplicates, the broken JSON and the terminal event, in arrival order
    expect(rows.map((row) => row.getAttribute('data-kinds'))).toEqual(['duplicate', 'duplicate', 'violation', 'terminal']);
    for (const row of rows) expect(row.querySelector('details > summary')).not.toBeNull();
    const payloads = rows.map((row) => row.querySelector('details > pre')!.textContent!);
    expect(JSON.parse(payloads[0]!)).toMatchObject({ session_id: 'hostile', sequence: 2 });
    // broken JSON stays the raw string it came as
    expect(() => JSON.parse(payloads[2]!)).toThrow();
    expect(payloads[2]).toContain('"session_id":"hostile"');
  });

  it('is self-contained, and dark when the reader is: both palettes of the app, by prefers-color-scheme', () => {
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(doc.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')).toContain("default-src 'none'");
    const css = doc.querySelector('style')!.textContent!;
    const dark = css.slice(css.indexOf('@media (prefers-color-scheme: dark){:root{--c-'));
    expect(dark.length).toBeLessThan(css.length);
    for (const [role, light, darkColour] of [
      ['replay', LIGHT_CHART_PALETTE.replay, DARK_CHART_PALETTE.replay],
      ['duplicate', LIGHT_CHART_PALETTE.duplicate, DARK_CHART_PALETTE.duplicate],
      ['attempt-1', LIGHT_CHART_PALETTE.attempts[0], DARK_CHART_PALETTE.attempts[0]],
      ['grid', LIGHT_CHART_PALETTE.grid, DARK_CHART_PALETTE.grid],
    ] as const) {
      expect(css).toContain(`--c-${role}:${light};`);
      expect(dark).toContain(`--c-${role}:${darkColour};`);
    }
  });
});
