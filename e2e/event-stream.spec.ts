import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';

/**
 * A stream without sequence numbers (issue 18): the Laravel AI SDK's broadcast of a job that
 * crashed and was retried under a new invocation_id (shared/analysis/fixtures/laravel-ai-retry.ndjson,
 * written by hand). Its channel's contract is detected from its first frames (no setting needed):
 * Live shows it completed after a replay with its contract named, and its page the text, the
 * contract with the reason, and what the stream cannot tell greyed out. A channel of other events
 * in the same file is listed as unrecognised, with a sample.
 */
const journal = readFileSync(join(process.cwd(), 'shared', 'analysis', 'fixtures', 'laravel-ai-retry.ndjson'));

/** The same file with a channel of an app's other events: no contract fits them. */
const orders = [
  JSON.stringify({ type: 'frame', at: 1764669600050, connection: 'c1', channel: 'orders.7', event: 'App\\Events\\OrderShipped', data: { order: 7 } }),
  JSON.stringify({ type: 'frame', at: 1764669600060, connection: 'c1', channel: 'orders.7', event: 'App\\Events\\OrderShipped', data: { order: 8 } }),
].join('\n');

test('an imported Laravel AI SDK stream is detected as such: one completed session with its retry; other events are listed as unrecognised', async ({ page, served }, testInfo) => {
  await page.goto(`${served.url}#/journal`);
  const content = Buffer.concat([journal, Buffer.from(`${orders}\n`)]);
  await page.getByTestId('journal-drop').locator('input[type="file"]').setInputFiles({ name: 'laravel-ai-retry.ndjson', mimeType: 'application/x-ndjson', buffer: content });
  await expect(page.getByTestId('import-result').getByTestId('imported-session')).toHaveText(['42']);

  await page.goto(`${served.url}#/live`);
  const row = page.locator('[data-testid="session-row"][data-session="42"]');
  await expect(row.getByTestId('session-status')).toHaveText(/completed/);
  await expect(row.getByTestId('row-contract')).toHaveText('laravel-ai');
  // no sequence numbers: the gaps column cannot know, and shows — rather than 0
  await expect(row.locator('[data-unknown="true"]')).toHaveCount(1);
  const unrecognised = page.getByTestId('unrecognised-channels');
  await expect(unrecognised).toContainText('1 channel sent frames no contract reads');
  await unrecognised.locator('summary').click();
  await expect(unrecognised.locator('[data-testid="unrecognised-channel"][data-channel="orders.7"]')).toContainText('{"order":7}');
  await page.screenshot({ path: testInfo.outputPath('live-unrecognised.png'), fullPage: true });

  await page.goto(`${served.url}#/session/42`);
  await expect(page.getByTestId('text-comparison')).toContainText('The answer is 42.');
  await expect(page.getByTestId('session-contract')).toContainText('contract laravel-ai · detected (high)');
  await expect(page.getByTestId('contract-reason')).toContainText('invocation_id');
  // no sequence numbers: missing cannot be known, and says so instead of 0; the time-ordered ids tell order and redeliveries
  await expect(page.locator('.stat[data-unknown="true"]')).toHaveCount(1);
  await expect(page.locator('.stat[data-unknown="true"]').first()).toContainText('cannot be known');
  await page.screenshot({ path: testInfo.outputPath('event-stream-session.png'), fullPage: true });
});
