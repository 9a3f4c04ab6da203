import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';

const fixtures = join(process.cwd(), 'shared', 'analysis', 'fixtures');

/**
 * Two recordings of one session (issue 15): each imported file is a vantage of its own, even
 * though both call their connection c1. The fixture two-connections-one-lossy has c1 (every
 * event) and c2 (lost #3); here each becomes a file.
 */
function recordings(): { alice: string; bob: string } {
  const lines = readFileSync(join(fixtures, 'two-connections-one-lossy.ndjson'), 'utf8').trim().split('\n');
  const header = lines[0]!;
  const records = lines.slice(1);
  const of = (connection: string) =>
    [header, ...records.filter((line) => (JSON.parse(line) as { connection: string }).connection === connection)]
      .map((line) => line.replaceAll('"s1"', '"two-files"').replaceAll('private-ai.s1', 'private-ai.two-files').replaceAll('"c2"', '"c1"'))
      .join('\n');
  return { alice: of('c1'), bob: of('c2') };
}

test('two imported recordings of one session: one row, two vantages, who got what side by side', async ({ page, served }, testInfo) => {
  const { alice, bob } = recordings();
  await page.goto(`${served.url}#/journal`);
  const input = page.getByTestId('journal-drop').locator('input[type="file"]');
  const result = page.getByTestId('import-result');
  await input.setInputFiles({ name: 'alice.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(alice) });
  await expect(result.getByTestId('imported-session')).toHaveText(['two-files']);
  await input.setInputFiles({ name: 'bob.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(bob) });
  await expect(page.getByTestId('import-message')).toContainText('bob.ndjson');

  await page.goto(`${served.url}#/live`);
  const row = page.locator('[data-testid="session-row"][data-session="two-files"]');
  await expect(row.getByTestId('observation-count')).toHaveText('×2 vantages');

  await page.goto(`${served.url}#/session/two-files`);
  const panel = page.getByTestId('observations');
  await expect(panel.getByTestId('observation-row')).toHaveCount(2);
  await expect(panel.getByTestId('observation-row').nth(0)).toContainText('alice.ndjson');
  // bob's file lacks #3, which alice's has: one event of delivery loss, named
  await expect(panel.getByTestId('observation-row').nth(1)).toContainText('1 (#3)');
  await expect(page.getByTestId('shown-vantage')).toContainText('alice.ndjson');
  await page.screenshot({ path: testInfo.outputPath('observations-alice.png'), fullPage: true });

  await panel.getByTestId('observation-row').nth(1).getByRole('button', { name: 'Show' }).click();
  await expect(page.getByTestId('shown-vantage')).toContainText('bob.ndjson');
  await expect(page.getByTestId('anomaly-list')).toContainText('received by another vantage but not here: #3');
  await page.screenshot({ path: testInfo.outputPath('observations-bob.png'), fullPage: true });
});
