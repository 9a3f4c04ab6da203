import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';

/**
 * A stream without sequence numbers (issue 18): the Laravel AI SDK's broadcast of a job that
 * crashed and was retried under a new invocation_id (shared/analysis/fixtures/laravel-ai-retry.ndjson,
 * written by hand). With the default contract it is not a session; with the built-in "Laravel AI
 * SDK" contract chosen in Settings, Live shows it completed after a replay, and its page the text.
 */
const journal = readFileSync(join(process.cwd(), 'shared', 'analysis', 'fixtures', 'laravel-ai-retry.ndjson'));

test('the Laravel AI SDK contract chosen in Settings: an imported laravel-ai stream is one completed session with its retry', async ({ page, served }, testInfo) => {
  await page.goto(`${served.url}#/settings`);
  await page.getByTestId('builtin-contracts').locator('[data-contract="laravel-ai"]').click();
  await expect(page.getByTestId('contract-message')).toContainText('Saved');
  await expect(page.getByTestId('contract-profile')).toHaveValue(/"invocation_id"/);
  await page.screenshot({ path: testInfo.outputPath('settings-contract.png'), fullPage: true });

  await page.goto(`${served.url}#/journal`);
  await page.getByTestId('journal-drop').locator('input[type="file"]').setInputFiles({ name: 'laravel-ai-retry.ndjson', mimeType: 'application/x-ndjson', buffer: journal });
  await expect(page.getByTestId('import-result').getByTestId('imported-session')).toHaveText(['42']);

  await page.goto(`${served.url}#/live`);
  const row = page.locator('[data-testid="session-row"][data-session="42"]');
  await expect(row.getByTestId('session-status')).toHaveText(/completed/);

  await page.goto(`${served.url}#/session/42`);
  await expect(page.getByTestId('text-comparison')).toContainText('The answer is 42.');
  // no sequence numbers: missing and out of order cannot be known, and say so instead of 0
  await expect(page.locator('.stat[data-unknown="true"]')).toHaveCount(2);
  await expect(page.locator('.stat[data-unknown="true"]').first()).toContainText('cannot be known');
  await page.screenshot({ path: testInfo.outputPath('event-stream-session.png'), fullPage: true });
});
