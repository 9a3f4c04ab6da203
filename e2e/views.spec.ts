import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';

const fixtures = join(process.cwd(), 'shared', 'analysis', 'fixtures');

test('Fleet overview charts the demo: terminal states, rates, latency, connections, mock counters', async ({ page, served }, testInfo) => {
  await page.goto(`${served.url}#/fleet`);
  const terminal = page.getByTestId('chart-terminal-states');
  // Bars appear once demo sessions have ended.
  await expect(terminal.locator('.recharts-bar-rectangle').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('chart-rates').locator('svg').first()).toBeVisible();
  await expect(page.getByTestId('chart-fleet-latency').locator('svg').first()).toBeVisible();
  await expect(page.getByTestId('chart-connections')).toContainText('demo');
  await expect(page.getByTestId('mock-counters').locator('tbody tr')).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('fleet.png'), fullPage: true });
});

test('a profile with a wrong secret shows the auth error in words; profiles can be edited and deleted', async ({ page, served }, testInfo) => {
  const mock = new URL(served.mockUrl!);
  await page.goto(`${served.url}#/connections`);
  await page.getByRole('button', { name: 'New profile' }).click();
  const form = page.getByTestId('profile-form');
  await form.getByLabel('Profile id').fill('wrong-secret');
  await form.getByLabel('Name').fill('Mock with a wrong secret');
  await form.getByLabel('Host').fill(mock.hostname);
  await form.getByLabel('Port').fill(mock.port);
  await form.getByLabel('App key').fill('echoscope-key');
  await form.getByLabel(/App secret/).fill('not-the-secret');
  await form.getByLabel('Channels to subscribe on connect').fill('private-ai.e2e-auth');
  await form.getByRole('button', { name: 'Save profile' }).click();

  const row = page.locator('[data-testid="profile-row"][data-profile="wrong-secret"]');
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Connect' }).click();
  await expect(row.locator('[data-testid="channel-row"][data-status="failed"]')).toBeVisible();
  await expect(row.getByTestId('last-error')).toContainText(/auth/i);
  await page.screenshot({ path: testInfo.outputPath('connections.png'), fullPage: true });

  // Edit: the form comes back filled (never with the secret), and saving keeps the profile.
  await row.getByRole('button', { name: 'Disconnect' }).click();
  await row.getByRole('button', { name: 'Edit' }).click();
  await expect(form.getByLabel('Profile id')).toHaveValue('wrong-secret');
  await form.getByLabel('Name').fill('Renamed profile');
  await form.getByLabel(/App secret/).fill('still-wrong');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(row).toContainText('Renamed profile');

  page.once('dialog', (dialog) => void dialog.accept());
  await row.getByRole('button', { name: 'Delete' }).click();
  await expect(row).toHaveCount(0);
});

test('importing fixture journals (file picker and drag-and-drop) shows their sessions', async ({ page, served }, testInfo) => {
  await page.goto(`${served.url}#/journal`);
  await expect(page.getByTestId('journal-stats')).toContainText('Records');

  // File picker: the max-tokens fixture has a truncated s1 and a "completed but max_tokens" s2.
  await page.getByTestId('journal-drop').locator('input[type="file"]').setInputFiles(join(fixtures, 'max-tokens-truncation.ndjson'));
  const result = page.getByTestId('import-result');
  await expect(result.getByTestId('imported-session')).toHaveText(['s1', 's2']);

  // Drag and drop: the gap fixture, renamed so it is a session of its own.
  const gapJournal = readFileSync(join(fixtures, 'gap.ndjson'), 'utf8').replaceAll('s1', 'dropped-gap');
  const dataTransfer = await page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'gap.ndjson', { type: 'application/x-ndjson' }));
    return transfer;
  }, gapJournal);
  await page.getByTestId('journal-drop').dispatchEvent('drop', { dataTransfer });
  await expect(result.getByTestId('imported-session')).toHaveText(['dropped-gap']);
  await expect(page.locator('[data-testid="session-row"][data-session="dropped-gap"]')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('journal.png'), fullPage: true });

  await result.getByRole('link', { name: 'dropped-gap' }).click();
  await expect(page.getByTestId('session-detail').getByTestId('session-status')).toHaveText(/completed/);
  await expect(page.getByTestId('text-comparison').locator('mark[data-kind="missing"]')).toHaveText('⟨#3–4 missing⟩');
  await expect(page.getByTestId('anomaly-list').locator('button[data-kind="gap"]')).toHaveCount(1);

  await page.goto(`${served.url}#/session/s1`);
  await expect(page.getByTestId('session-detail').getByTestId('session-status')).toHaveText(/truncated/);
  // A raw frame picked: its payload in full, pretty-printed, under the table's one-line view of it.
  await page.getByTestId('frame-row').nth(1).click();
  const payload = page.getByTestId('frame-payload');
  await expect(payload).toContainText('Frame #2');
  await expect(payload.locator('pre')).toContainText('"chunk": " answer",\n  "sequence": 2,');
  await payload.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('session-frame-payload.png'), fullPage: true });
});

test('a crash-retry scenario runs on the embedded mock and its sessions show replays on the timeline', async ({ page, served }, testInfo) => {
  test.setTimeout(150_000);
  await page.goto(`${served.url}#/scenarios`);
  const row = page.locator('[data-testid="scenario-row"][data-scenario="crash-retry"]');
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: /Run crash-retry/ }).click();
  const run = page.getByTestId('scenario-run').first();
  await expect(run).toHaveAttribute('data-state', 'finished', { timeout: 30_000 });
  await page.screenshot({ path: testInfo.outputPath('scenarios.png'), fullPage: true });

  await run.getByRole('link', { name: 'crash-retry-1' }).click();
  await expect(page.getByTestId('session-detail').getByTestId('session-status')).toHaveText(/completed/, { timeout: 20_000 });
  const timeline = page.getByTestId('chart-timeline');
  await expect(timeline.locator('[data-kind="replay"]')).toHaveCount(1);
  const replayed = timeline.locator('[data-kind="replay-attempt"][data-attempt="2"]');
  expect(Number(await replayed.getAttribute('data-points'))).toBeGreaterThan(10);
  expect((await replayed.getAttribute('d'))?.match(/h0/g)?.length).toBe(Number(await replayed.getAttribute('data-points')));
  await page.mouse.move(0, 0); // no tooltip in the picture
  await page.screenshot({ path: testInfo.outputPath('scenario-session.png'), fullPage: true });

  // Check mode: expectations and precision/recall per kind.
  await page.goto(`${served.url}#/scenarios`);
  await page.getByRole('combobox', { name: /^Mode/ }).selectOption('check');
  await page
    .locator('[data-testid="scenario-row"][data-scenario="truncation"]')
    .getByRole('button', { name: /Run truncation/ })
    .click();
  const checked = page.getByTestId('scenario-run').first();
  await expect(checked).toHaveAttribute('data-state', 'finished', { timeout: 45_000 });
  await expect(checked.getByTestId('run-state')).toHaveText(/passed/);
  await page.screenshot({ path: testInfo.outputPath('scenario-check.png'), fullPage: true });

  // The runs live on the host: a reload shows them again, and a check run's sessions open in the session page.
  const runId = await checked.getAttribute('data-run');
  await page.reload();
  const again = page.locator(`[data-testid="scenario-run"][data-run="${runId}"]`);
  await expect(again.getByTestId('run-state')).toHaveText(/passed/);
  await expect(page.getByTestId('scenario-run')).toHaveCount(2);
  await again.locator('summary').click();
  const link = again.getByTestId('run-session-link').first();
  const sessionId = await link.textContent();
  await page.screenshot({ path: testInfo.outputPath('scenario-runs-reloaded.png'), fullPage: true });
  await link.click();
  await expect(page.getByTestId('session-detail')).toHaveAttribute('data-session', sessionId ?? '');
  await expect(page.getByTestId('session-detail').getByTestId('session-status')).toHaveText(/truncated|completed/, { timeout: 20_000 });
});

test('Settings change thresholds, the contract profile and the theme', async ({ page, served }, testInfo) => {
  await page.goto(`${served.url}#/settings`);
  const form = page.getByTestId('threshold-form');
  await expect(form.getByLabel(/Stall after/)).toHaveValue('8');
  await form.getByLabel(/Stall after/).fill('10');
  // the same threshold as the command line writes it
  await expect(form.getByTestId('cli-stall')).toHaveText('On the command line: --stall-after 10s');
  await expect(form.getByTestId('cli-orphan')).toHaveText('On the command line: --orphan-after 300s');
  await form.getByRole('button', { name: 'Save thresholds' }).click();
  await expect(form).toContainText('Saved');

  // A contract profile that cannot work is refused with the wrong field named; a valid one is applied.
  const contract = page.getByTestId('contract-form');
  await expect(contract.getByTestId('contract-active')).toContainText('Automatic');
  await contract.getByRole('radio', { name: /^Custom/ }).check();
  await contract.locator('.contract-json summary').click();
  await contract.getByTestId('contract-profile').fill('{"fields": {"sequence": "chunk"}}');
  await expect(contract.getByTestId('contract-issues')).toContainText('fields.sequence');
  await contract
    .getByTestId('contract-profile')
    .fill(
      '{"name": "legacy", "event": "token.streamed", "states": {"generating": "generating", "done": "completed", "cut": "truncated", "failed": "errored", "cancelled": "abandoned"}}',
    );
  await contract.getByRole('button', { name: 'Use this contract' }).click();
  await expect(contract.getByTestId('contract-message')).toContainText('Saved');
  await expect(contract.getByTestId('contract-active')).toContainText('Custom: legacy');
  await contract.getByRole('radio', { name: /^Automatic/ }).check();
  await contract.getByRole('button', { name: 'Use automatic detection' }).click();
  await expect(contract.getByTestId('contract-active')).toContainText('Automatic');

  await page.getByRole('radio', { name: 'dark' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: testInfo.outputPath('settings-dark.png'), fullPage: true });
  await page.getByRole('link', { name: 'Live' }).click();
  await expect(page.getByTestId('session-row').first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('live-dark.png') });
  // The choice survives a reload.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('Raw frames shows frames that carry no data (soketi sends pusher_internal:subscription_succeeded without any)', async ({ page, served }, testInfo) => {
  const t0 = 1_796_000_000_000;
  const chunk = (at: number, sequence: number, state: string, code: string | null, text: string) =>
    JSON.stringify({
      type: 'frame',
      at,
      connection: 'soketi',
      channel: 'private-ai.nodata1',
      event: 'chunk.delivered',
      data: { session_id: 'nodata1', chunk: text, sequence, state, termination_code: code },
    });
  const journal = [
    JSON.stringify({ type: 'header', format: 'echoscope-journal', version: 1, createdAt: new Date(t0).toISOString() }),
    JSON.stringify({ type: 'connection', at: t0, connection: 'soketi', state: 'connected', socketId: '1.1' }),
    JSON.stringify({ type: 'subscription', at: t0 + 1, connection: 'soketi', channel: 'private-ai.nodata1', status: 'subscribed' }),
    // As every writer now journals a message without data: no `data` field at all.
    JSON.stringify({ type: 'frame', at: t0 + 1.5, connection: 'soketi', channel: 'private-ai.nodata1', event: 'pusher_internal:subscription_succeeded' }),
    chunk(t0 + 10, 1, 'generating', null, 'Hel'),
    JSON.stringify({ type: 'frame', at: t0 + 12, connection: 'soketi', channel: 'private-ai.nodata1', event: 'app.notice' }),
    chunk(t0 + 20, 2, 'completed', 'end_turn', ''),
  ].join('\n');
  await page.goto(`${served.url}#/journal`);
  await page
    .getByTestId('journal-drop')
    .locator('input[type="file"]')
    .setInputFiles({ name: 'nodata.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(`${journal}\n`) });
  await expect(page.getByTestId('import-result').getByTestId('imported-session')).toHaveText(['nodata1']);

  await page.goto(`${served.url}#/session/nodata1`);
  const frames = page.getByTestId('frames-table');
  await expect(frames.getByTestId('frame-row').filter({ hasText: '(no data)' })).toHaveCount(2);
  await expect(frames.getByTestId('frame-row')).toHaveCount(4);
  await frames.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('frames-without-data.png'), fullPage: true });
});
