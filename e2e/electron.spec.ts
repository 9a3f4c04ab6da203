import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
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

/** The dashboard's page is the built renderer's index.html (the hidden journal window shows journal.html). */
const isDashboard = (page: Page) => /\/renderer\/index\.html(?:[?#].*)?$/.test(page.url());

/**
 * The dashboard window, found by its URL — not `firstWindow()`, which is whichever page Playwright
 * saw first (main opens the dashboard first, but a page's URL is set only once it starts loading).
 */
async function dashboardWindow(app: ElectronApplication): Promise<Page> {
  await expect.poll(() => app.windows().some(isDashboard), { message: 'a window showing the dashboard', timeout: 30_000 }).toBe(true);
  return app.windows().find(isDashboard)!;
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
  // Its own profile folder (and so its own single-instance lock): never the user's, never another run's.
  const userData = mkdtempSync(join(tmpdir(), 'echoscope-electron-'));
  const app = await electron.launch({ args: ['.', `--user-data-dir=${userData}`], env: env as Record<string, string> });
  try {
    const window = await dashboardWindow(app);
    await expect(window.getByTestId('connection-status').first()).toHaveAttribute('data-state', 'connected');
    // Connected, so the runtime (and the journal window before it) is up. Main opened the dashboard before the hidden journal window, and only the dashboard shows.
    const windows = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows()
        .map((w) => ({ id: w.id, url: w.webContents.getURL(), visible: w.isVisible() }))
        .sort((a, b) => a.id - b.id),
    );
    expect(windows.map((w) => w.url.replace(/^.*\/renderer\//, ''))).toEqual([expect.stringMatching(/^index\.html/), 'journal.html']);
    expect(windows.map((w) => w.visible)).toEqual([true, false]);
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
