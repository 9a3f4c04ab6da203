/**
 * The journal in real IndexedDB (issue 5): Chromium with a persistent profile on disk.
 * The page runs the journal window's own entry (renderer/src/journal/main.ts) and drives it
 * over a MessagePort with the same client main uses; the checks are the list the Vitest
 * suite runs on fake-indexeddb (test-support/journal-store-checks.ts). The spec imports none of
 * that code (e2e is a black box): it bundles a small harness page from file paths with vite.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { build } from 'vite';
import { CHROMIUM_ARGS } from './chromium';

const ORIGIN = 'http://journal.echoscope.test';
const FIXTURE_SIZE = 5000;
const root = process.cwd();
const harnessDir = join(root, 'out', 'journal-indexeddb-harness');

interface CheckResult {
  name: string;
  ok: boolean;
  detail?: string;
}

/** What the harness page puts on `window.journalHarness`. */
interface Harness {
  open(): Promise<void>;
  appendFixture(size: number): Promise<number>;
  count(): Promise<number>;
  checks(size: number): Promise<CheckResult[]>;
}

const HARNESS_ENTRY = `
import '../../renderer/src/journal/main.ts';
import { JOURNAL_PORT_MESSAGE } from '../../shared/journal/window-port.ts';
import { JournalWindowClient } from '../../shared/journal/window-client.ts';
import { fixtureBatches, journalFixture, runStoreChecks } from '../../test-support/journal-store-checks.ts';

let client;
window.journalHarness = {
  async open() {
    const channel = new MessageChannel();
    window.postMessage({ kind: JOURNAL_PORT_MESSAGE }, '*', [channel.port2]);
    client = new JournalWindowClient({
      post: (request) => channel.port1.postMessage(request),
      onMessage: (listener) => {
        channel.port1.onmessage = (event) => listener(event.data);
        return () => { channel.port1.onmessage = null; };
      },
    });
    await client.ready;
  },
  async appendFixture(size) {
    let acknowledged = 0;
    for (const batch of fixtureBatches(journalFixture(size))) {
      await client.append(batch);
      acknowledged += batch.length;
    }
    return acknowledged;
  },
  count: () => client.count(),
  checks: (size) => runStoreChecks(client, journalFixture(size)),
};
`;

async function buildHarness(): Promise<void> {
  rmSync(harnessDir, { recursive: true, force: true });
  mkdirSync(harnessDir, { recursive: true });
  writeFileSync(join(harnessDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>journal harness</title><script type="module" src="./entry.js"></script>');
  writeFileSync(join(harnessDir, 'entry.js'), HARNESS_ENTRY);
  await build({ configFile: false, root: harnessDir, logLevel: 'warn', build: { outDir: join(harnessDir, 'dist'), emptyOutDir: true } });
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

/** Serves the harness at a fixed origin: IndexedDB is per origin, and the reopened browser must see the same one. */
async function launch(userDataDir: string): Promise<{ context: BrowserContext; page: Page; harness: <T>(call: (h: Harness) => Promise<T>) => Promise<T> }> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath, args: CHROMIUM_ARGS });
  const dist = join(harnessDir, 'dist');
  await context.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => 'journalHarness' in window);
  const harness = <T>(call: (h: Harness) => Promise<T>) => page.evaluate(`(${call.toString()})(window.journalHarness)`) as Promise<T>;
  await harness((h) => h.open());
  return { context, page, harness };
}

test.describe('journal in real IndexedDB (Chromium, persistent profile)', () => {
  test.beforeAll(async () => {
    await buildHarness();
  });

  test('batches written, browser closed and reopened: every row there, the shared queries pass', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'echoscope-journal-idb-'));
    try {
      const first = await launch(userDataDir);
      const acknowledged = await first.harness((h) => h.appendFixture(5000));
      expect(acknowledged).toBe(FIXTURE_SIZE);
      expect(await first.harness((h) => h.count())).toBe(FIXTURE_SIZE);
      await first.context.close();

      // The data is on disk in the profile, not in a live renderer.
      const idbDir = join(userDataDir, 'Default', 'IndexedDB');
      expect(readdirSync(idbDir).some((name) => name.startsWith('http_journal.echoscope.test'))).toBe(true);

      const second = await launch(userDataDir);
      expect(await second.harness((h) => h.count())).toBe(FIXTURE_SIZE);
      const results = await second.harness((h) => h.checks(5000));
      expect(results.length).toBeGreaterThan(15);
      expect(results.filter((result) => !result.ok)).toEqual([]);
      await second.context.close();
    } finally {
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });
});
