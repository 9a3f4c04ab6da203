/**
 * Electron main's wiring, tested in Node. Electron itself CANNOT run on this machine (its binary
 * cannot be downloaded here), so `electron` is replaced by a test double
 * (test-support/electron-double.ts) that stands in for it: main's real modules, the real runtime
 * (AppService, journal writer) and the real journal-window protocol on fake-indexeddb run against
 * fake windows, app events, ipcMain, session, shell, dialog and safeStorage. The Playwright
 * `_electron` spec (e2e/electron.spec.ts) runs the real thing where a binary exists.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_INVOKE_CHANNEL, IPC_READY_CHANNEL, type SessionRow } from '../../shared/api';
import { JOURNAL_PORT_CHANNEL, type JournalRecord } from '../../shared/journal';
import { hostEngine } from '../core/engine/engine-host';
import { openJournalStore } from '../../shared/journal/store';
import { electronDouble, FakeBrowserWindow, type FakeMessagePortMain } from '../../test-support/electron-double';
import { VirtualClock } from '../../test-support/virtual-clock';
import { startRuntime, type Runtime, type RuntimeOptions } from '../core/runtime';
import { QUIT_TIMEOUT_MS, startMainProcess, type MainProcessOptions } from './main-process';
import { isTrustedRendererUrl } from './renderer-location';

vi.mock('electron', async () => (await import('../../test-support/electron-double')).electronDouble);

const { app, ipcMain, dialog, shell, safeStorage } = electronDouble;
const defaultSession = electronDouble.session.defaultSession;
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = resolve('/opt/echoscope/out');
const DASHBOARD_URL = pathToFileURL(join(OUT, 'renderer', 'index.html')).href;
const JOURNAL_URL = pathToFileURL(join(OUT, 'renderer', 'journal.html')).href;

/** Lets pending promise callbacks and I/O callbacks run (no time passes). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The journal window's page: its real code (engine-host.ts, which renderer/src/journal/port-server.ts
 * puts on the page's MessagePort) answering on the transferred port — the journal on fake-indexeddb
 * (IndexedDB exists only in a browser: e2e/journal-indexeddb.spec.ts runs the page in Chromium) and
 * the app's engine beside it.
 */
async function serveJournalPages() {
  const store = await openJournalStore({ indexedDB: new IDBFactory(), IDBKeyRange });
  electronDouble.onPostMessage = (window, channel, _message, ports: FakeMessagePortMain[]) => {
    const port = ports[0]?.port;
    if (channel !== JOURNAL_PORT_CHANNEL || !port) return;
    const handle = hostEngine(Promise.resolve(store), { post: (message) => port.postMessage(message) });
    // The page dies with its window: nothing sent after that is stored.
    port.on('message', (raw: unknown) => {
      if (!window.isDestroyed()) handle(raw);
    });
    window.once('closed', () => port.close());
  };
  return store;
}

const started: Runtime[] = [];
type Listener = (...args: never[]) => unknown;
let baseline: { exception: Listener[]; rejection: Listener[] };
let userData: string;

interface Boot {
  main: ReturnType<typeof startMainProcess>;
  store: Awaited<ReturnType<typeof serveJournalPages>>;
  runtime: () => Runtime;
  dashboard: FakeBrowserWindow;
  journalWindow: FakeBrowserWindow;
}

/** Starts main as Electron would (module loaded, then `ready`), on a real runtime without the demo. */
async function boot(options: Partial<MainProcessOptions> & { wrap?: (runtime: Runtime) => Runtime } = {}): Promise<Boot> {
  const store = await serveJournalPages();
  let runtime: Runtime | undefined;
  const main = startMainProcess({
    outDir: OUT,
    env: { ECHOSCOPE_NO_DEMO: '1' },
    ...options,
    startRuntime: async (runtimeOptions: RuntimeOptions) => {
      const real = await (options.startRuntime ?? startRuntime)(runtimeOptions);
      started.push(real);
      runtime = options.wrap ? options.wrap(real) : real;
      return runtime;
    },
  });
  app.emitReady();
  await main.started;
  const [dashboard, journalWindow] = FakeBrowserWindow.created;
  return { main, store, runtime: () => runtime!, dashboard: dashboard!, journalWindow: journalWindow! };
}

const frame = (sequence: number): JournalRecord => ({
  type: 'frame',
  at: 1_732_262_400_000 + sequence,
  connection: 'demo',
  channel: 'private-ai.s1',
  event: 'chunk.delivered',
  data: { session_id: 's1', chunk: 'tok', sequence, state: 'generating', termination_code: null },
});

beforeEach(() => {
  electronDouble.reset();
  userData = mkdtempSync(join(tmpdir(), 'echoscope-main-'));
  app.userData = userData;
  baseline = { exception: process.listeners('uncaughtException'), rejection: process.listeners('unhandledRejection') };
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(async () => {
  for (const listener of process.listeners('uncaughtException')) if (!baseline.exception.includes(listener)) process.off('uncaughtException', listener);
  for (const listener of process.listeners('unhandledRejection')) if (!baseline.rejection.includes(listener)) process.off('unhandledRejection', listener);
  await Promise.all(started.splice(0).map((runtime) => runtime.close().catch(() => undefined)));
  electronDouble.reset();
  vi.restoreAllMocks();
});

/** Runs `body` as if on `platform` (main reads `process.platform` for macOS and Linux rules). */
async function onPlatform(platform: NodeJS.Platform, body: () => Promise<void>): Promise<void> {
  const original = Object.getOwnPropertyDescriptor(process, 'platform')!;
  Object.defineProperty(process, 'platform', { value: platform });
  try {
    await body();
  } finally {
    Object.defineProperty(process, 'platform', original);
  }
}

/** The listener main added for a process event (the test calls it directly: emitting would reach the test runner's own handler). */
function processListener(event: 'uncaughtException' | 'unhandledRejection'): (error: unknown) => void {
  const current: Listener[] = event === 'uncaughtException' ? process.listeners('uncaughtException') : process.listeners('unhandledRejection');
  const added = current.filter((listener) => !(event === 'uncaughtException' ? baseline.exception : baseline.rejection).includes(listener));
  expect(added).toHaveLength(1);
  return added[0] as (error: unknown) => void;
}

describe('Electron main, against a test double of electron (Electron cannot run here)', () => {
  it('creates the dashboard window first, found by its URL, and the hidden journal window after it', async () => {
    const { dashboard, journalWindow } = await boot();
    expect(FakeBrowserWindow.created.map((window) => window.url)).toEqual([DASHBOARD_URL, JOURNAL_URL]);
    expect(FakeBrowserWindow.getAllWindows().find((window) => window.url === DASHBOARD_URL)).toBe(dashboard);
    expect(FakeBrowserWindow.getAllWindows()[0]).toBe(dashboard);
    expect(journalWindow.options.show).toBe(false);
    expect(journalWindow.isVisible()).toBe(false);
    expect(dashboard.isVisible()).toBe(true); // shown on ready-to-show
    expect(dashboard.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
  });

  it("answers the dashboard's first calls, made while the runtime is still starting", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await serveJournalPages();
    const main = startMainProcess({
      outDir: OUT,
      env: { ECHOSCOPE_NO_DEMO: '1' },
      startRuntime: async (options) => {
        await gate;
        const runtime = await startRuntime(options);
        started.push(runtime);
        return runtime;
      },
    });
    app.emitReady();
    await settle();
    const dashboard = FakeBrowserWindow.created[0]!;
    expect(dashboard.url).toBe(DASHBOARD_URL);
    const early = ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), 'app.info', {});
    release();
    await main.started;
    await expect(early).resolves.toMatchObject({ ok: true, value: { transport: 'electron' } });
  });

  it('an export is saved where the save dialog says, streamed by main into the file; a cancelled dialog writes nothing', async () => {
    const { dashboard } = await boot();
    const lines = [1, 2, 3].map((sequence) => JSON.stringify(frame(sequence)));
    const imported = await ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), 'journal.import', { fileName: 'three.ndjson', content: lines.join('\n') });
    expect(imported).toMatchObject({ ok: true, value: { records: 3 } });
    const target = join(userData, 'chosen.ndjson');
    dialog.saveAnswer = () => target;
    const saved = await ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), 'journal.saveAs', {});
    expect(saved).toMatchObject({ ok: true, value: { saved: true, path: target, format: 'ndjson', records: 3 } });
    // the dialog: modal to the dashboard, in Downloads, with the file name the export takes
    expect(dialog.saves).toEqual([
      {
        window: dashboard,
        options: expect.objectContaining({
          defaultPath: expect.stringMatching(/\/Downloads\/echoscope-.*\.ndjson$/),
          filters: [expect.objectContaining({ extensions: ['ndjson'] })],
        }),
      },
    ]);
    const written = readFileSync(target, 'utf8').trim().split('\n');
    expect(JSON.parse(written[0]!)).toMatchObject({ type: 'header', format: 'echoscope-journal' });
    expect(written.slice(1).map((line) => (JSON.parse(line) as { data: { sequence: number } }).data.sequence)).toEqual([1, 2, 3]);
    expect((saved as { value: { bytes: number } }).value.bytes).toBe(Buffer.byteLength(readFileSync(target, 'utf8')));

    dialog.saveAnswer = () => null;
    const cancelled = await ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), 'journal.saveAs', { format: 'har' });
    expect(cancelled).toMatchObject({ ok: true, value: { saved: false, path: null, records: 0 } });
    expect(dialog.saves[1]!.options.filters).toEqual([expect.objectContaining({ extensions: ['har'] })]);

    // a path that cannot be written: said, and no partial file left
    dialog.saveAnswer = () => join(userData, 'no-such-dir', 'x.ndjson');
    const failed = await ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), 'journal.saveAs', {});
    expect(failed).toMatchObject({ ok: false, error: { message: expect.stringContaining('could not save the export') } });
    expect(existsSync(join(userData, 'no-such-dir'))).toBe(false);
  });

  it("the journal window hosts the app's engine: it analyzes what its journal takes, and a window opened again after a crash re-reads the recent past", async () => {
    const { runtime, dashboard, journalWindow } = await boot();
    // No analysis thread beside main: the engine is the journal window's.
    expect(runtime().analysisWorker).toBeUndefined();
    const list = async () => {
      const listed = (await ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), 'sessions.list', {})) as { ok: boolean; value?: { rows: SessionRow[] } };
      return listed.value?.rows.map((row) => ({ sessionId: row.sessionId, status: row.status, events: row.events, missing: row.missing })) ?? [];
    };
    // Built: s1 streams #1, #2, then ends at #3; nothing is missing.
    runtime().journal!.append(frame(1));
    runtime().journal!.append(frame(2));
    runtime().journal!.append({ ...frame(3), data: { session_id: 's1', chunk: '', sequence: 3, state: 'completed', termination_code: 'end_turn' } });
    await runtime().journal!.flush();
    const expected = [{ sessionId: 's1', status: 'completed', events: 3, missing: 0 }];
    await vi.waitFor(async () => expect(await list()).toEqual(expected));
    // The page dies with its engine; the new window's engine reads s1 back from the journal.
    journalWindow.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    await vi.waitFor(async () => expect(await list()).toEqual(expected), { timeout: 5000 });
    expect(FakeBrowserWindow.created.filter((w) => w !== dashboard)).toHaveLength(2);
  });

  it('a crashed journal window is opened again on the same store, the journal says so, and no record is lost or written twice', async () => {
    const { store, runtime, dashboard, journalWindow } = await boot();
    const health: unknown[] = [];
    const service = runtime().service;
    const setHealth = service.setJournalHealth.bind(service);
    vi.spyOn(service, 'setJournalHealth').mockImplementation((next) => {
      health.push(next);
      setHealth(next);
    });
    runtime().journal!.append(frame(1));
    await runtime().journal!.flush();
    // the page dies (Chromium's renderer crashed): what main sends now is not stored by it
    journalWindow.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    runtime().journal!.append(frame(2));
    runtime().journal!.append(frame(3));
    await runtime().journal!.flush();
    // a new hidden journal window took over
    const windows = FakeBrowserWindow.created.filter((w) => w !== dashboard);
    expect(windows).toHaveLength(2);
    expect(journalWindow.isDestroyed()).toBe(true);
    expect(health).toEqual([
      expect.objectContaining({ state: 'restarting', message: expect.stringContaining('crashed, exit code 139') }),
      { state: 'ok', restarts: 1, message: null },
    ]);
    const stats = await ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), 'journal.stats', {});
    expect(stats).toMatchObject({ ok: true, value: { health: { state: 'ok', restarts: 1 } } });
    expect((await store.query()).map((record) => (record.type === 'frame' ? (record.data as { sequence: number }).sequence : null))).toEqual([1, 2, 3]);
  });

  it('the entry module (index.ts) wires the real runtime the same way', async () => {
    await serveJournalPages();
    vi.stubEnv('ECHOSCOPE_NO_DEMO', '1');
    vi.stubEnv('ELECTRON_RENDERER_URL', '');
    vi.resetModules();
    await import('./index');
    app.emitReady();
    const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true));
    await until(() => FakeBrowserWindow.created.length === 2 && ipcMain.handlers.has(IPC_INVOKE_CHANNEL));
    const [dashboard, journalWindow] = FakeBrowserWindow.created;
    expect(dashboard!.url).toBe(pathToFileURL(join(repo, 'electron', 'renderer', 'index.html')).href);
    expect(journalWindow!.url).toMatch(/\/journal\.html$/);
    await expect(ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard!.webContents.ipcEvent(), 'app.info', {})).resolves.toMatchObject({ ok: true, value: { transport: 'electron' } });
    app.quit();
    await expect(app.exited).resolves.toBe(0);
    vi.unstubAllEnvs();
  });

  describe('quitting', () => {
    it("waits for the runtime to close, so the journal's pending batch reaches the journal window before it goes", async () => {
      const order: string[] = [];
      const { store, runtime, journalWindow } = await boot({
        wrap: (real) => ({ ...real, close: () => real.close().then(() => void order.push('runtime closed')) }),
      });
      journalWindow.once('closed', () => order.push('journal window closed'));
      void app.exited.then(() => order.push('exit'));
      runtime().journal!.append(frame(1));
      runtime().journal!.append(frame(2));

      app.quit();
      expect(app.exitCode).toBeUndefined(); // before-quit was prevented: nothing closed yet
      expect(journalWindow.isDestroyed()).toBe(false);
      app.quit(); // a second request while closing changes nothing
      await expect(app.exited).resolves.toBe(0);
      await settle();

      expect(app.endedBy).toBe('exit');
      expect(order).toEqual(['runtime closed', 'journal window closed', 'exit']);
      expect((await store.query()).map((record) => (record.type === 'frame' ? (record.data as { sequence: number }).sequence : null))).toEqual([1, 2]);
    });

    it('is bounded: a runtime that never finishes closing does not keep the app open', async () => {
      const timers = new VirtualClock();
      let closes = 0;
      await boot({ timers, wrap: (real) => ({ ...real, close: () => (closes++, new Promise<void>(() => undefined)) }) });
      app.quit();
      await settle();
      app.quit();
      await settle();
      expect(closes).toBe(1);
      timers.advance(QUIT_TIMEOUT_MS - 1);
      await settle();
      expect(app.exitCode).toBeUndefined();
      timers.advance(1);
      await expect(app.exited).resolves.toBe(0);
      expect(app.endedBy).toBe('exit');
      expect(FakeBrowserWindow.getAllWindows()).toEqual([]);
    });

    it('closing the dashboard quits through the same sequence (Linux, Windows)', () =>
      onPlatform('linux', async () => {
        let closed = false;
        const { dashboard } = await boot({ wrap: (real) => ({ ...real, close: () => real.close().then(() => void (closed = true)) }) });
        dashboard.close();
        await app.exited;
        expect(closed).toBe(true);
        expect(app.endedBy).toBe('exit');
      }));
  });

  describe('second instance', () => {
    it('restores and focuses the dashboard, never the hidden journal window', async () => {
      const { dashboard, journalWindow } = await boot();
      dashboard.minimize();
      app.emit('second-instance', {}, [], '/');
      expect(dashboard.isMinimized()).toBe(false);
      expect(electronDouble.focused).toEqual([dashboard]);
      expect(journalWindow.focusCount).toBe(0);
    });

    it('on macOS, where closing the dashboard keeps the app, opens a new dashboard and focuses it', () =>
      onPlatform('darwin', async () => {
        const { dashboard, journalWindow } = await boot();
        dashboard.close();
        expect(app.exitCode).toBeUndefined();
        app.emit('second-instance', {}, [], '/');
        const reopened = FakeBrowserWindow.getAllWindows().find((window) => window.url === DASHBOARD_URL);
        expect(reopened).toBeDefined();
        expect(reopened).not.toBe(dashboard);
        expect(electronDouble.focused).toEqual([reopened]);
        expect(journalWindow.focusCount).toBe(0);
      }));
  });

  describe('IPC router', () => {
    it("refuses a sender that is not our renderer's main frame", async () => {
      const { dashboard, journalWindow } = await boot();
      const invoke = (event: unknown) => ipcMain.invoke(IPC_INVOKE_CHANNEL, event, 'app.info', {});
      const refused = { ok: false, error: { code: 'invalid_request', message: 'IPC from an untrusted frame was refused' } };

      await expect(invoke(dashboard.webContents.ipcEvent())).resolves.toMatchObject({ ok: true });
      // An iframe inside the dashboard, even at the same URL, is not the main frame.
      await expect(invoke(dashboard.webContents.ipcEvent(dashboard.webContents.subframe()))).resolves.toEqual(refused);
      await expect(invoke(dashboard.webContents.ipcEvent(null))).resolves.toEqual(refused);
      // The journal window is ours, but not the dashboard: it has no business with the App API.
      await expect(invoke(journalWindow.webContents.ipcEvent())).resolves.toEqual(refused);
      // A window showing anything else.
      const foreign = new FakeBrowserWindow();
      await foreign.loadURL('https://evil.example/');
      await expect(invoke(foreign.webContents.ipcEvent())).resolves.toEqual(refused);
      await foreign.loadURL(`${DASHBOARD_URL}.evil`);
      await expect(invoke(foreign.webContents.ipcEvent())).resolves.toEqual(refused);

      // `ready` from an untrusted frame registers no push target.
      ipcMain.emit(IPC_READY_CHANNEL, foreign.webContents.ipcEvent());
      ipcMain.emit(IPC_READY_CHANNEL, dashboard.webContents.ipcEvent(dashboard.webContents.subframe()));
      ipcMain.emit(IPC_READY_CHANNEL, dashboard.webContents.ipcEvent());
      await settle();
      expect(foreign.webContents.listenerCount('did-start-navigation')).toBe(0);
      expect(dashboard.webContents.listenerCount('did-start-navigation')).toBe(1);
    });

    it('validates every payload before a service sees it', async () => {
      const { dashboard } = await boot();
      const invoke = (command: unknown, request: unknown) => ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), command, request);
      await expect(invoke('profiles.save', { id: 5 })).resolves.toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(/id/) as string } });
      await expect(invoke('app.info', { extra: true })).resolves.toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      await expect(invoke('fs.readFile', {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown_command' } });
      await expect(invoke({ toString: 'x' }, {})).resolves.toMatchObject({ ok: false });
      await expect(invoke('profiles.list', {})).resolves.toEqual({ ok: true, value: [] });
    });

    it('in dev mode trusts exactly the dev server origin: http://localhost:5173.evil.com is refused', async () => {
      const { dashboard } = await boot({ env: { ECHOSCOPE_NO_DEMO: '1', ELECTRON_RENDERER_URL: 'http://localhost:5173' } });
      expect(dashboard.url).toBe('http://localhost:5173/');
      const invoke = (event: unknown) => ipcMain.invoke(IPC_INVOKE_CHANNEL, event, 'app.info', {});
      await expect(invoke(dashboard.webContents.ipcEvent())).resolves.toMatchObject({ ok: true });
      const foreign = new FakeBrowserWindow();
      for (const url of ['http://localhost:5173.evil.com/', 'http://localhost:51730/', 'http://localhost:5173@evil.com/', 'https://localhost:5173/']) {
        await foreign.loadURL(url);
        await expect(invoke(foreign.webContents.ipcEvent())).resolves.toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      }
    });
  });

  describe('the trusted-URL check compares parsed URLs exactly', () => {
    it('dev server: the origin, never a prefix', () => {
      const trusted = { origin: 'http://localhost:5173' };
      for (const url of ['http://localhost:5173', 'http://localhost:5173/', 'http://localhost:5173/#/sessions/s1', 'http://localhost:5173/journal.html'])
        expect(isTrustedRendererUrl(url, trusted), url).toBe(true);
      for (const url of [
        'http://localhost:5173.evil.com/',
        'http://localhost:51730/',
        'http://localhost:5173@evil.com/',
        'http://user:pw@localhost:5173/',
        'https://localhost:5173/',
        'ws://localhost:5173/',
        'localhost:5173',
        'not a url',
        '',
      ])
        expect(isTrustedRendererUrl(url, trusted), url).toBe(false);
    });

    it('built files: file:// and the dashboard file exactly', () => {
      const trusted = { file: DASHBOARD_URL };
      for (const url of [DASHBOARD_URL, `${DASHBOARD_URL}#/fleet`, `${DASHBOARD_URL}?x=1`]) expect(isTrustedRendererUrl(url, trusted), url).toBe(true);
      const host = new URL(DASHBOARD_URL);
      for (const url of [
        `${DASHBOARD_URL}.evil`,
        `${DASHBOARD_URL}x/`,
        JOURNAL_URL,
        `${DASHBOARD_URL}/../journal.html`,
        `file://evil.example${host.pathname}`,
        `http://localhost${host.pathname}`,
        `${DASHBOARD_URL.replace('index.html', '')}`,
      ])
        expect(isTrustedRendererUrl(url, trusted), url).toBe(false);
    });
  });

  it('honours ELECTRON_RENDERER_URL (the dev server) only when the app is not packaged', async () => {
    app.isPackaged = true;
    const packaged = await boot({ env: { ECHOSCOPE_NO_DEMO: '1', ELECTRON_RENDERER_URL: 'http://localhost:5173' } });
    expect(FakeBrowserWindow.created.map((window) => window.url)).toEqual([DASHBOARD_URL, JOURNAL_URL]);
    // And the dev origin gets nothing from the router.
    const foreign = new FakeBrowserWindow();
    await foreign.loadURL('http://localhost:5173/');
    await expect(ipcMain.invoke(IPC_INVOKE_CHANNEL, foreign.webContents.ipcEvent(), 'app.info', {})).resolves.toMatchObject({ ok: false });
    await expect(ipcMain.invoke(IPC_INVOKE_CHANNEL, packaged.dashboard.webContents.ipcEvent(), 'app.info', {})).resolves.toMatchObject({ ok: true });
  });

  it('denies every permission request and check by default', async () => {
    await boot();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb']) {
      await expect(defaultSession.request(permission), permission).resolves.toBe(false);
      expect(defaultSession.check(permission), permission).toBe(false);
    }
    expect(defaultSession.devicePermissionHandler?.({ deviceType: 'usb' })).toBe(false);
  });

  describe('links', () => {
    it('opens an http(s) link only after the user confirms a dialog that names the URL', async () => {
      const { dashboard } = await boot();
      expect(dashboard.webContents.open('https://laravel.com/docs/broadcasting')).toEqual({ action: 'deny' });
      await settle();
      expect(dialog.shown.map((call) => call.options.detail)).toEqual(['https://laravel.com/docs/broadcasting']);
      expect(dialog.shown[0]!.window).toBe(dashboard);
      expect(shell.opened).toEqual([]); // the default answer is Cancel

      dialog.answer = (call) => call.options.buttons!.indexOf('Open in browser');
      expect(dashboard.webContents.open('https://laravel.com/docs/broadcasting')).toEqual({ action: 'deny' });
      await settle();
      expect(shell.opened).toEqual(['https://laravel.com/docs/broadcasting']);

      // A navigation away from the dashboard is stopped and becomes the same question.
      expect(dashboard.webContents.navigate('http://example.com/page')).toBe(true);
      await settle();
      expect(dialog.shown.at(-1)!.options.detail).toBe('http://example.com/page');
      expect(shell.opened).toEqual(['https://laravel.com/docs/broadcasting', 'http://example.com/page']);

      // A reload of the dashboard itself goes ahead, without a question; a look-alike file does not.
      const asked = dialog.shown.length;
      expect(dashboard.webContents.navigate(DASHBOARD_URL)).toBe(false);
      expect(dashboard.webContents.navigate(`${DASHBOARD_URL}.evil`)).toBe(true);
      await settle();
      expect(dialog.shown).toHaveLength(asked);
    });

    it('never opens other schemes, and never without a dialog', async () => {
      const { dashboard } = await boot();
      dialog.answer = () => 1;
      for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'vscode://file/etc/passwd', 'mailto:a@b.c', 'not a url']) {
        expect(dashboard.webContents.open(url)).toEqual({ action: 'deny' });
        expect(dashboard.webContents.navigate(url)).toBe(true);
      }
      await settle();
      expect(dialog.shown).toEqual([]);
      expect(shell.opened).toEqual([]);
    });
  });

  describe('profiles', () => {
    const secretProfile = { id: 'staging', name: 'Staging', kind: 'reverb', key: 'k', appId: '1', auth: { mode: 'secret', secret: 'top-secret' } };

    it("refuses safeStorage's basic_text backend on Linux: profiles kept in memory only, and the user told", () =>
      onPlatform('linux', async () => {
        safeStorage.backend = 'basic_text';
        const { dashboard, main } = await boot();
        await main.notices.idle();
        expect(dialog.shown.map((call) => call.options.message)).toEqual([expect.stringMatching(/kept in memory only/) as string]);
        expect(dialog.shown[0]!.options.detail).toMatch(/basic_text/);
        expect(dialog.shown[0]!.window).toBeUndefined(); // not modal: the dashboard stays usable
        await expect(ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), 'profiles.save', secretProfile)).resolves.toMatchObject({ ok: true });
        expect(readdirSync(userData)).toEqual([]);
      }));

    it('keeps profiles in a file, secrets sealed, on a keyring backend', async () => {
      const { dashboard } = await boot();
      await expect(ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), 'profiles.save', secretProfile)).resolves.toMatchObject({ ok: true });
      const file = readFileSync(join(userData, 'profiles.json'), 'utf8');
      expect(file).toContain('staging');
      expect(file).not.toContain('top-secret');
      expect(dialog.shown).toEqual([]);
    });

    it('moves aside a profiles file that cannot be decrypted, tells the user, and never overwrites it', async () => {
      const sealedElsewhere = Buffer.from('another-machine\u0000their-secret').toString('base64');
      const original = JSON.stringify([{ id: 'prod', name: 'Prod', kind: 'reverb', key: 'k', auth: { mode: 'secret', sealedSecret: sealedElsewhere } }]);
      writeFileSync(join(userData, 'profiles.json'), original);
      const { dashboard, main } = await boot();
      await main.notices.idle();

      const aside = readdirSync(userData).filter((name) => name.startsWith('profiles.json.unreadable-'));
      expect(aside).toHaveLength(1);
      expect(aside[0]).toMatch(/^profiles\.json\.unreadable-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
      expect(readFileSync(join(userData, aside[0]!), 'utf8')).toBe(original);
      expect(dialog.shown).toHaveLength(1);
      expect(dialog.shown[0]!.options.message).toMatch(/could not be read/);
      expect(dialog.shown[0]!.options.detail).toContain(join(userData, aside[0]!));

      await expect(ipcMain.invoke(IPC_INVOKE_CHANNEL, dashboard.webContents.ipcEvent(), 'profiles.save', secretProfile)).resolves.toMatchObject({ ok: true });
      expect(readFileSync(join(userData, aside[0]!), 'utf8')).toBe(original);
      expect(JSON.parse(readFileSync(join(userData, 'profiles.json'), 'utf8'))).toEqual([expect.objectContaining({ id: 'staging' })]);
    });

    it('moves aside a profiles file that is not JSON', async () => {
      writeFileSync(join(userData, 'profiles.json'), '[{"id": "half-writ');
      const { main } = await boot();
      await main.notices.idle();
      expect(readdirSync(userData).filter((name) => name.startsWith('profiles.json.unreadable-'))).toHaveLength(1);
      expect(existsSync(join(userData, 'profiles.json'))).toBe(false);
      expect(dialog.shown[0]!.options.detail).toMatch(/not valid JSON/);
    });
  });

  describe('process-level errors', () => {
    it('once running: logged, shown, and the app stays up', async () => {
      const { main } = await boot();
      processListener('uncaughtException')(new Error('socket handler blew up'));
      processListener('unhandledRejection')(new Error('a promise nobody awaited'));
      await main.notices.idle();
      expect(app.exitCode).toBeUndefined();
      expect(dialog.shown.map((call) => [call.options.type, call.options.message])).toEqual([
        ['error', expect.stringMatching(/keeps running: socket handler blew up/) as string],
        ['error', expect.stringMatching(/keeps running: a promise nobody awaited/) as string],
      ]);
      expect(console.error).toHaveBeenCalledWith(expect.stringContaining('socket handler blew up'));
      // Still serving.
      await expect(ipcMain.invoke(IPC_INVOKE_CHANNEL, FakeBrowserWindow.created[0]!.webContents.ipcEvent(), 'app.info', {})).resolves.toMatchObject({ ok: true });
    });

    it('while starting: says why and exits', async () => {
      await serveJournalPages();
      startMainProcess({ outDir: OUT, env: { ECHOSCOPE_NO_DEMO: '1' }, startRuntime });
      processListener('uncaughtException')(new Error('broken before ready'));
      expect(dialog.errorBoxes).toEqual([{ title: 'EchoScope could not start', content: expect.stringContaining('broken before ready') as string }]);
      expect(app.exitCode).toBe(1);
    });
  });

  describe('metrics (opt-in)', () => {
    it('serves /metrics on 127.0.0.1 only when ECHOSCOPE_METRICS_PORT is set', async () => {
      const off = await boot();
      expect(off.runtime().metricsUrl).toBeUndefined();
      electronDouble.reset();
      const on = await boot({ env: { ECHOSCOPE_NO_DEMO: '1', ECHOSCOPE_METRICS_PORT: '0' } });
      const url = on.runtime().metricsUrl!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const body = await (await fetch(url)).text();
      expect(body).toContain('# TYPE gen_ai_client_operation_time_to_first_chunk_seconds histogram');
    });

    it('says so when ECHOSCOPE_METRICS_PORT is not a port, and runs without metrics', async () => {
      const { main, runtime } = await boot({ env: { ECHOSCOPE_NO_DEMO: '1', ECHOSCOPE_METRICS_PORT: 'nine' } });
      await main.notices.idle();
      expect(dialog.shown.map((call) => call.options.message)).toEqual([expect.stringMatching(/ECHOSCOPE_METRICS_PORT is not a port number: it is ignored/) as string]);
      expect(runtime().metricsUrl).toBeUndefined();
    });

    it('keeps the Settings switch in userData/settings.json: on at the next start, and the environment wins over it', async () => {
      const first = await boot();
      const turnedOn = await first.runtime().service.invoke('metrics.configure', { serve: true, port: 0 });
      expect(turnedOn).toMatchObject({ ok: true, value: { prometheus: { state: 'serving' }, environment: null } });
      expect(JSON.parse(readFileSync(join(app.userData, 'settings.json'), 'utf8'))).toMatchObject({ metrics: { serve: true, port: 0 } });
      const userData = app.userData;
      electronDouble.reset();
      app.userData = userData;
      const second = await boot();
      expect(second.runtime().metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      electronDouble.reset();
      app.userData = userData;
      const byEnv = await boot({ env: { ECHOSCOPE_NO_DEMO: '1', ECHOSCOPE_METRICS_PORT: '0' } });
      const state = await byEnv.runtime().service.invoke('metrics.state', {});
      expect(state).toMatchObject({ ok: true, value: { environment: { variable: 'ECHOSCOPE_METRICS_PORT', port: 0 }, prometheus: { state: 'serving' } } });
      expect(await byEnv.runtime().service.invoke('metrics.configure', { serve: false })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    });
  });
});

describe('packaging config (electron-builder.yml)', () => {
  const config = parse(readFileSync(join(repo, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
    electronFuses?: unknown;
    asarUnpack?: string[];
    linux: { icon: string };
    mac: { icon: string };
    win: { icon: string };
  };

  it('sets the Electron fuses: no RunAsNode, NODE_OPTIONS or --inspect; asar integrity on, app only from the asar', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('keeps the renderer inside the asar', () => {
    expect(config.asar).not.toBe(false);
    expect(config.asarUnpack ?? []).toEqual([]);
  });

  it('points at icons that exist (PNGs, 1024 px for macOS/Windows, a size set for Linux)', () => {
    const pngSize = (file: string) => {
      const bytes = readFileSync(join(repo, file));
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      return bytes.readUInt32BE(16);
    };
    expect(pngSize(config.mac.icon)).toBe(1024);
    expect(pngSize(config.win.icon)).toBe(1024);
    const sizes = readdirSync(join(repo, config.linux.icon)).map((name) => pngSize(join(config.linux.icon, name)));
    expect(sizes.sort((a, b) => a - b)).toEqual([16, 24, 32, 48, 64, 128, 256, 512]);
  });
});
