import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { _electron as electron } from '@playwright/test';
import { expect, test } from './fixtures';

const require = createRequire(import.meta.url);

/** Why the Electron binary cannot run here, or null when it can. */
function electronUnavailable(): string | null {
  const pkgDir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return `no Electron binary: ${pathFile} is missing (the binary download was skipped or impossible here)`;
  if (!existsSync(join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim()))) return 'the Electron binary listed in path.txt is missing';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display for Electron (run under xvfb-run)';
  return null;
}

// eslint-disable-next-line no-empty-pattern -- no fixtures needed
test('the desktop app starts on the demo, shows live sessions and opens one', async ({}, testInfo) => {
  const reason = electronUnavailable();
  if (reason) {
    console.log(`[electron spec] skipped: ${reason}`);
    testInfo.annotations.push({ type: 'skip-reason', description: reason });
  }
  test.skip(reason !== null, reason ?? '');

  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const app = await electron.launch({ args: ['.'], env: env as Record<string, string> });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('connection-status').first()).toHaveAttribute('data-state', 'connected');
    await expect(window.getByTestId('demo-hint')).toBeVisible();
    const row = window.getByTestId('session-row').first();
    await expect(row).toBeVisible();
    await window.screenshot({ path: testInfo.outputPath('electron-live.png') });

    // Open a session: its detail draws the timeline and lists its anomalies.
    const sessionId = await row.getAttribute('data-session');
    await row.getByRole('link').click();
    await expect(window.getByTestId('session-detail')).toHaveAttribute('data-session', sessionId!);
    await expect(window.getByTestId('chart-timeline').locator('[data-kind="event"]').first()).toBeVisible();
    await expect(window.getByTestId('anomaly-list')).toBeVisible();
    await window.screenshot({ path: testInfo.outputPath('electron-session.png') });
  } finally {
    await app.close();
  }
});
