import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** The whole page in one tall viewport (a full-page capture paints the sticky header mid-page). */
async function shoot(page: Page, path: string): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height });
  await page.screenshot({ path });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/**
 * Settings → Metrics in the browser dashboard (issue 21, item 2): the switch serves /metrics on a
 * port of its own at once, the page links to it and it answers; the OTLP endpoint field shows a
 * collector that does not answer as failing. Screenshots of the section are kept in the test output.
 */
test('Settings → Metrics: the switch serves /metrics live, OTLP failures are shown', async ({ page, served }, testInfo) => {
  await page.goto(`${served.url}#/settings`);
  const section = page.getByTestId('metrics-settings');
  await expect(section.getByTestId('metrics-server-status')).toHaveText('Not served.');
  await section.getByLabel('Prometheus port').fill('0');
  // The switch shows the host's state: it turns on once the host says it serves (a click, then the answer).
  const serve = section.getByRole('switch', { name: /Serve Prometheus metrics on 127\.0\.0\.1/ });
  await serve.click();
  await expect(serve).toBeChecked();
  const link = section.getByTestId('metrics-server-status').getByRole('link');
  await expect(link).toHaveAttribute('href', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const response = await page.request.get((await link.getAttribute('href'))!);
  expect(await response.text()).toContain('# TYPE gen_ai_client_operation_duration_seconds histogram');

  // A collector that refuses every push (404: a wrong path) is shown as failing.
  const refusing = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/v1/metrics`;
  try {
    await section.getByTestId('metrics-otlp-endpoint').fill(endpoint);
    await section.getByRole('button', { name: 'Save endpoint' }).click();
    await expect(section.getByTestId('metrics-otlp-status')).toContainText('Failing: HTTP 404');
    await shoot(page, testInfo.outputPath('metrics-settings.png'));
  } finally {
    await new Promise<void>((resolve) => refusing.close(() => resolve()));
  }
});
