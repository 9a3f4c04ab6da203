import { expect, test } from './fixtures';

test('the demo populates Live on first start, with the hint on watching your own server', async ({ page, served }, testInfo) => {
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status').first()).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('demo-hint')).toContainText('watch your own');
  await expect(page.getByTestId('session-row').first()).toBeVisible();
  await expect.poll(() => page.getByTestId('session-row').count()).toBeGreaterThan(2);
  // Every row's status is a chip with words (not colour alone).
  const status = page.getByTestId('session-row').first().getByTestId('session-status');
  await expect(status).toHaveText(/streaming|stalled|completed|truncated|errored|abandoned|orphaned/);

  // A truncated demo session (the provider stopped at max_tokens) shows `truncated`.
  const truncated = page.locator('[data-testid="session-row"][data-status="truncated"]').first();
  await expect(truncated).toBeVisible({ timeout: 30_000 });
  await expect(truncated.getByTestId('session-status')).toHaveText(/truncated/);

  await page.screenshot({ path: testInfo.outputPath('live.png') });

  // Filters: only truncated sessions; then a text filter that matches nothing.
  await page.getByRole('combobox', { name: /^Status/ }).selectOption('truncated');
  await expect
    .poll(async () => (await page.getByTestId('session-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))).every((s) => s === 'truncated'))
    .toBe(true);
  await page.getByRole('combobox', { name: /^Status/ }).selectOption('all');
  await page.getByLabel('Session or channel').fill('no-such-session');
  await expect(page.getByText('No sessions match.')).toBeVisible();
  await page.getByLabel('Session or channel').fill('');

  // Sorting is a keyboard-reachable button in each column header.
  const eventsHeader = page.getByRole('columnheader', { name: /Events/ });
  await eventsHeader.getByRole('button').focus();
  await page.keyboard.press('Enter');
  await expect(eventsHeader).toHaveAttribute('aria-sort', 'descending');
});

test('a replayed demo session shows replay markers on its timeline', async ({ page, served }, testInfo) => {
  await page.goto(served.url);
  // The demo has crash-and-retry sessions: the job restarts from sequence 1 and completes.
  const replayed = page
    .locator('[data-testid="session-row"][data-status="completed"]')
    .filter({ has: page.locator('.badge[data-kind="replay"]') })
    .first();
  await expect(replayed).toBeVisible({ timeout: 40_000 });
  const sessionId = await replayed.getAttribute('data-session');
  await replayed.getByRole('link').click();
  await expect(page.getByTestId('session-detail')).toHaveAttribute('data-session', sessionId!);

  const timeline = page.getByTestId('chart-timeline');
  await expect(timeline).toBeVisible();
  expect(await timeline.locator('[data-kind="replay"]').count()).toBeGreaterThanOrEqual(1);
  await expect(timeline.locator('[data-kind="replay-attempt"]').first()).toBeVisible();
  // Each series is one path of dots: its data-points says how many are drawn, its path has a dot per point.
  const events = timeline.locator('[data-kind="event"]');
  expect(Number(await events.getAttribute('data-points'))).toBeGreaterThan(5);
  expect((await events.getAttribute('d'))?.match(/h0/g)?.length).toBe(Number(await events.getAttribute('data-points')));
  await expect(timeline.locator('[data-kind="terminal"]')).toHaveCount(1);
  await expect(page.getByTestId('chart-latency').locator('svg').first()).toBeVisible();

  // The anomaly list jumps to the point: the frames table selects the replayed frame.
  const list = page.getByTestId('anomaly-list');
  await list.locator('button[data-kind="replay"]').click();
  await expect(page.locator('[data-testid="frame-row"][aria-selected="true"]')).toContainText('replay');
  await expect(page.getByTestId('text-comparison').locator('mark[data-kind="duplicate"]').first()).toBeVisible();

  await page.mouse.move(0, 0); // no tooltip in the picture
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: testInfo.outputPath('session-detail.png'), fullPage: true });
});

test('a click anywhere on a session row opens the session, and Enter or Space on a focused row does too', async ({ page, served }, testInfo) => {
  await page.goto(served.url);
  const rows = page.getByTestId('session-row');
  await expect.poll(() => rows.count()).toBeGreaterThan(2);
  const detail = page.getByTestId('session-detail');

  // New demo sessions push rows down as they start: each step filters the table to one session
  // (and finds its row by id) so a click or a focused row cannot land on another one.
  const rowOf = (id: string) => page.locator(`[data-testid="session-row"][data-session="${id}"]`);
  const filter = page.getByLabel('Session or channel');
  const firstId = await rows.first().getAttribute('data-session');
  await filter.fill(firstId!);
  await expect(rows).toHaveCount(1);
  const first = rowOf(firstId!);
  // A click on a cell that is not the link (the Events count, right of the id).
  await first.locator('[role="cell"]').nth(2).click();
  await expect(detail).toHaveAttribute('data-session', firstId!);
  await expect(page).toHaveURL(new RegExp(`#/session/${encodeURIComponent(firstId!)}$`));
  await page.screenshot({ path: testInfo.outputPath('row-click-detail.png') });

  // Keyboard: the row is in the tab order; Enter opens it.
  await page.goBack();
  await filter.fill('');
  const secondId = await rows.nth(1).getAttribute('data-session');
  await filter.fill(secondId!);
  await expect(rows).toHaveCount(1);
  const second = rowOf(secondId!);
  // From the row's link, Shift+Tab lands on the row itself (the row comes first in tab order).
  await second.getByRole('link').focus();
  await page.keyboard.press('Shift+Tab');
  await expect(second).toBeFocused();
  await page.screenshot({ path: testInfo.outputPath('row-focused.png') });
  await page.keyboard.press('Enter');
  await expect(detail).toHaveAttribute('data-session', secondId!);

  // Space too, without scrolling the list instead.
  await page.goBack();
  await filter.fill('');
  const thirdId = await rows.nth(2).getAttribute('data-session');
  await filter.fill(thirdId!);
  await expect(rows).toHaveCount(1);
  const third = rowOf(thirdId!);
  await third.focus();
  await page.keyboard.press(' ');
  await expect(detail).toHaveAttribute('data-session', thirdId!);
});
