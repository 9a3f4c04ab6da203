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
  appendSession(frames: unknown[]): Promise<void>;
  listSessions(): Promise<{ sessionId: string; status: string; events: number; missing: number }[]>;
  checks(size: number): Promise<CheckResult[]>;
}

const HARNESS_ENTRY = `
import '../../renderer/src/journal/main.ts';
import { JOURNAL_PORT_MESSAGE } from '../../shared/journal/window-port.ts';
import { JournalWindowClient } from '../../shared/journal/window-client.ts';
import { fixtureBatches, journalFixture, runStoreChecks } from '../../test-support/journal-store-checks.ts';
import { SessionFilterSchema } from '../../shared/api/monitor.ts';

let client;
let channel;
let nextEngineId = 1;
window.journalHarness = {
  async open() {
    channel = new MessageChannel();
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
  // The desktop app's engine runs on this page beside its journal: what the journal takes, it analyzes.
  async appendSession(frames) {
    await client.append(frames);
  },
  listSessions() {
    const id = nextEngineId++;
    return new Promise((resolve) => {
      const listener = (event) => {
        const message = event.data && event.data.echoscopeEngine;
        if (!message || message.kind !== 'result' || message.id !== id) return;
        channel.port1.removeEventListener('message', listener);
        resolve(message.ok ? message.value.rows : message.error);
      };
      channel.port1.addEventListener('message', listener);
      channel.port1.postMessage({ echoscopeEngine: { op: 'call', id, command: 'sessions.list', request: SessionFilterSchema.parse({}) } });
    });
  },
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
async function launch(
  userDataDir: string,
): Promise<{ context: BrowserContext; page: Page; harness: <T, A = undefined>(call: (h: Harness, arg: A) => Promise<T>, arg?: A) => Promise<T> }> {
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
  const harness = <T, A = undefined>(call: (h: Harness, arg: A) => Promise<T>, arg?: A) =>
    page.evaluate(`(${call.toString()})(window.journalHarness, ${JSON.stringify(arg ?? null)})`) as Promise<T>;
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

  test("the desktop app's engine runs on the journal page: it analyzes what the journal takes, and a reopened page re-reads it from IndexedDB", async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'echoscope-journal-engine-'));
    // Built: e2e-1 streams #1, #2, #4 and ends at #5 (completed): #3 never came.
    const at = Date.now();
    const frames = [1, 2, 4, 5].map((sequence) => ({
      type: 'frame',
      at: at + sequence,
      connection: 'c1',
      channel: 'private-ai.e2e-1',
      event: 'chunk.delivered',
      data: {
        session_id: 'e2e-1',
        chunk: sequence === 5 ? '' : 'tok',
        sequence,
        state: sequence === 5 ? 'completed' : 'generating',
        termination_code: sequence === 5 ? 'end_turn' : null,
      },
    }));
    const expected = [{ sessionId: 'e2e-1', status: 'completed', events: 4, missing: 1 }];
    const rows = (listed: { sessionId: string; status: string; events: number; missing: number }[]) =>
      listed.map(({ sessionId, status, events, missing }) => ({ sessionId, status, events, missing }));
    try {
      const first = await launch(userDataDir);
      await first.harness((h, f) => h.appendSession(f), frames);
      expect(rows(await first.harness((h) => h.listSessions()))).toEqual(expected);
      await first.context.close();
      // A new page (the window opened again, or the next start of the app): its engine reads the recent past back.
      const second = await launch(userDataDir);
      expect(rows(await second.harness((h) => h.listSessions()))).toEqual(expected);
      await second.context.close();
    } finally {
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });
});
