import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from './fixtures';

/**
 * `echoscope check --reporter html` over real sockets (the embedded mock, EchoScope's own
 * connections), its report opened from disk in Chromium: contents that navigate, a timeline and
 * latency chart per anomalous session, payloads that expand, hostile text that stays text, and
 * the reader's dark mode. Screenshots are kept in the test's output folder.
 */

const cli = join(process.cwd(), 'bin', 'echoscope.js');

/** Markup a naive report would run: each sets a flag the page must never get. */
const HOSTILE_TEXT = 'Look <script>window.__pwned = "text"</script> then "</pre></details><img src=x onerror="window.__pwned = \'img\'"> end';
const HOSTILE_DESCRIPTION = 'Faults of every drawn kind <script>window.__pwned = "description"</script>';

/** The sessions built with faults, in scenario order: each must be drawn (the healthy one must not). */
const FAULTED = ['crashed', 'stalled', 'dropped', 'late', 'hostile'];

const scenario = {
  name: 'report-e2e',
  description: HOSTILE_DESCRIPTION,
  seed: 5,
  tokens: 30,
  timing: { ttftMs: 5, interTokenMs: 3 },
  orphanAfterMs: 900,
  analyzer: { stallAfterMs: 150, orphanAfterMs: 700 },
  sessions: [
    { id: 'healthy' },
    { id: 'crashed', faults: [{ kind: 'crash', afterTokens: 10, retry: { tries: 2, backoffMs: 40 } }] },
    { id: 'stalled', faults: [{ kind: 'stall', afterTokens: 8, durationMs: 300 }] },
    { id: 'dropped', faults: [{ kind: 'disconnect', afterTokens: 12, code: 4009 }] },
    { id: 'late', faults: [{ kind: 'after-terminal', tokens: 2 }] },
    { id: 'hostile', text: HOSTILE_TEXT, faults: [{ kind: 'duplicate', sequences: [2] }] },
  ],
  // One expectation the run cannot meet, so the report has a failing session too.
  expect: [{ session: 'stalled', counts: { stalls: '==0' } }],
};

test('the HTML report of a check run: contents, charts per anomalous session, payloads, hostile text, dark mode', async ({ page }, testInfo) => {
  const file = testInfo.outputPath('report-e2e.json');
  writeFileSync(file, JSON.stringify(scenario));
  const out = testInfo.outputPath('reports');
  const run = spawnSync(process.execPath, [cli, 'check', file, '--reporter', 'html,junit', '--out', out], { encoding: 'utf8', timeout: 60_000 });
  // the expectation on `stalled` fails, and nothing else
  expect(run.stdout).toMatch(/^FAILED: 0\/1 scenarios, 5\/6 sessions passed in/m);
  expect(run.status, run.stderr).toBe(1);
  const [folder] = readdirSync(out);
  const report = join(out, folder!, 'report.html');

  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  const requests: string[] = [];
  page.on('request', (request) => request.url().startsWith('file:') || requests.push(request.url()));
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(pathToFileURL(report).href);

  // Hostile text is shown as the characters it is, and runs nothing.
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  await expect(page.locator('script, img')).toHaveCount(0);
  await expect(page.locator('section.scenario p').first()).toContainText(HOSTILE_DESCRIPTION);
  const hostile = page.locator('article[data-session="hostile"]');
  await hostile.locator('summary', { hasText: 'Text:' }).click();
  await expect(hostile.getByLabel('Correct text')).toHaveText(HOSTILE_TEXT);

  // One drawn session per faulted one, each with its two charts laid out.
  const drawn = page.locator('article[data-testid="report-session"]');
  await expect(drawn).toHaveCount(FAULTED.length);
  expect(await drawn.evaluateAll((articles) => articles.map((a) => a.getAttribute('data-session')))).toEqual(FAULTED);
  for (const sessionId of FAULTED) {
    const article = page.locator(`article[data-session="${sessionId}"]`);
    for (const chart of ['chart-timeline', 'chart-latency']) {
      const svg = article.getByTestId(chart).locator('svg[role="img"]').first();
      await expect(svg, `${sessionId} ${chart}`).toBeVisible();
      expect((await svg.boundingBox())!.width, `${sessionId} ${chart}`).toBeGreaterThan(300);
    }
  }
  await expect(page.locator('article[data-session="crashed"] g.timeline-marker[data-kind="replay"]')).toHaveCount(1);
  await expect(page.locator('article[data-session="stalled"] .timeline-stall')).toHaveCount(1);
  await expect(page.locator('article[data-session="dropped"] .timeline-disconnect')).toContainText('disconnect 4009');
  await expect(page.locator('article[data-session="late"] g.timeline-marker[data-kind="after_terminal"]')).toHaveCount(2);
  await expect(page.locator('article[data-session="stalled"] ul.reasons')).toContainText('expect[0].counts.stalls');

  // The table has the columns the issue asks for, with the counts the faults make.
  const headers = await page.locator('table.sessions thead th').allTextContents();
  const cell = (sessionId: string, header: string) => page.locator(`tr[data-session="${sessionId}"] td`).nth(headers.indexOf(header));
  await expect(cell('stalled', 'stalls')).toHaveText('1');
  await expect(cell('late', 'after terminal')).toHaveText('2');
  await expect(cell('dropped', 'disconnects')).toHaveText('1');

  // Every contents link lands on its anchor.
  const links = page.locator('#contents a');
  const count = await links.count();
  expect(count).toBe(2 + FAULTED.length); // detection, the scenario, each drawn session
  for (let i = 0; i < count; i++) {
    const href = (await links.nth(i).getAttribute('href'))!;
    await links.nth(i).click();
    expect(new URL(page.url()).hash).toBe(href);
    await expect(page.locator(href)).toBeInViewport();
    await page.locator(`${href} a.back`).first().click();
    await expect(page.locator('#contents')).toBeInViewport();
  }

  // A payload expands to what was received.
  const payload = page.locator('article[data-session="hostile"] tr[data-kinds="duplicate"] details').first();
  await expect(payload.locator('pre')).toBeHidden();
  await payload.locator('summary').click();
  await expect(payload.locator('pre')).toContainText('"session_id": "hostile"');

  const replayMarker = page.locator('article[data-session="crashed"] g.timeline-marker[data-kind="replay"]');
  const colours = async () => ({
    background: await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
    marker: await replayMarker.evaluate((g) => getComputedStyle(g).color),
  });
  const light = await colours();
  await page.screenshot({ path: testInfo.outputPath('report-light.png'), fullPage: true });
  await page.locator('article[data-session="crashed"]').screenshot({ path: testInfo.outputPath('session-light.png') });

  // Dark when the reader's system is: page and chart colours both change.
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await colours();
  expect(dark.background).not.toBe(light.background);
  expect(dark.marker).not.toBe(light.marker);
  const luminance = (rgb: string) => {
    const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  expect(luminance(dark.background)).toBeLessThan(60);
  expect(luminance(light.background)).toBeGreaterThan(200);
  await page.locator('article[data-session="dropped"]').screenshot({ path: testInfo.outputPath('session-dark.png') });

  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
});
