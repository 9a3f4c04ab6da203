/**
 * The dashboard page outlives the host: after `echoscope serve` restarts on the same port (a new
 * run, a new bridge token; the page's old one is refused with 403), the page reloads itself.
 */
import { expect, startServe, test } from './fixtures';

test('after the host restarts (a new token), the open dashboard reloads itself and reconnects', async ({ page }) => {
  const first = await startServe(['--no-demo']);
  const { port } = new URL(first.app.url);
  await page.goto(first.app.url);
  const oldToken = await page.locator('meta[name="echoscope-bridge-token"]').getAttribute('content');
  await first.stop();
  const second = await startServe(['--no-demo', '--port', port]);
  try {
    expect(second.app.url).toBe(first.app.url);
    // The page's old token is refused now (403); it must notice and reload for the new one.
    await page.waitForFunction((old) => document.querySelector('meta[name="echoscope-bridge-token"]')?.getAttribute('content') !== old, oldToken, { timeout: 30_000 });
    const newToken = await page.locator('meta[name="echoscope-bridge-token"]').getAttribute('content');
    expect(newToken).toMatch(/^[0-9a-f]{48}$/);
    expect(newToken).not.toBe(oldToken);
  } finally {
    await second.stop();
  }
});
