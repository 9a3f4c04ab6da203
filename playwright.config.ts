import { CHROMIUM_ARGS, chromiumPath } from './e2e/chromium';
import { defineConfig } from '@playwright/test';

const executablePath = chromiumPath();
if (!executablePath) {
  // Playwright's own browser download cannot work here; say what to do instead of failing on a missing download.
  throw new Error(
    "No Chromium found for the browser tests: install Debian's package (`sudo apt-get install -y chromium`), set CHROMIUM_PATH, or run `.ci/run`, which installs it.",
  );
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath, args: CHROMIUM_ARGS },
  },
  projects: [
    { name: 'browser', testIgnore: /electron\.spec\.ts/ },
    // The `echoscope/playwright` fixture driving a small Echo page, as a user's own suite would (docs/playwright.md).
    { name: 'fixture-example', testDir: 'examples/playwright' },
    { name: 'electron', testMatch: /electron\.spec\.ts/ },
  ],
});
