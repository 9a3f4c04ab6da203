import Pusher from 'pusher';
import { expect, test } from './fixtures';

test('the dashboard connects to the embedded demo and shows a frame published with the official pusher SDK', async ({ page, served }, testInfo) => {
  expect(served.mockUrl).not.toBeNull();
  // The subscribe form and the raw frame tail live in the Connections view.
  await page.goto(`${served.url}#/connections`);
  // the tab has the app's icon, served by the host
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  const favicon = await page.request.get(new URL(icon!, page.url()).toString());
  expect([favicon.status(), favicon.headers()['content-type']]).toEqual([200, 'image/svg+xml']);

  const status = page.getByTestId('connection-status').first();
  await expect(status).toHaveAttribute('data-state', 'connected');
  await expect(status).toContainText('connected');

  // Subscribe to a public channel on the demo connection through the UI.
  const demoRow = page.locator('[data-testid="profile-row"][data-profile="demo"]');
  await demoRow.getByLabel('Channel to subscribe').fill('e2e-probe');
  await demoRow.getByRole('button', { name: 'Subscribe' }).click();
  await expect(demoRow.locator('[data-testid="channel-row"][data-status="subscribed"]', { hasText: 'e2e-probe' })).toBeVisible();

  const mock = new URL(served.mockUrl!);
  const pusher = new Pusher({ appId: 'echoscope', key: 'echoscope-key', secret: 'echoscope-secret', host: mock.hostname, port: mock.port, useTLS: false });
  const marker = `hello-from-e2e-${Date.now()}`;
  await pusher.trigger('e2e-probe', 'probe.event', { marker });

  const row = page.getByTestId('tail-row').filter({ hasText: marker });
  await expect(row).toBeVisible();
  await expect(row).toContainText('e2e-probe');
  await expect(row).toContainText('probe.event');

  await page.screenshot({ path: testInfo.outputPath('dashboard.png'), fullPage: true });
});
