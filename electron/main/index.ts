import { app, BrowserWindow } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileProfileStore, MemoryProfileStore, type ProfileStore } from '../core/app';
import { startRuntime, type Runtime } from '../core/runtime';
import { safeStorageCodec } from './secret-codec';
import { journalWindowPaths, openJournalWindow, type JournalWindow } from './journal-window';
import { registerIpcRouter } from './ipc-router';
import { createMainWindow, rendererPaths } from './window';

/** Electron-only glue: lifecycle, the window, the IPC router. Everything else lives in electron/core. */
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const paths = rendererPaths(outDir);
const trustedPrefix = paths.devUrl ?? pathToFileURL(paths.rendererHtml).href;

let runtime: Runtime | undefined;

/** The hidden journal window never closes by itself, so closing the main window is what quits (except on macOS). */
function openMain(): void {
  const window = createMainWindow(paths);
  window.on('closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

/** Profiles live in userData with their secrets sealed by safeStorage; without it, in memory (and we say so). */
function openProfileStore(): ProfileStore {
  try {
    return new FileProfileStore(join(app.getPath('userData'), 'profiles.json'), safeStorageCodec());
  } catch (error) {
    console.warn(`EchoScope: ${error instanceof Error ? error.message : String(error)}`);
    return new MemoryProfileStore();
  }
}
let unregister: (() => void) | undefined;
let journalWindow: JournalWindow | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  void app.whenReady().then(async () => {
    // The journal lives in a hidden window (Dexie needs IndexedDB); it outlives UI reloads.
    journalWindow = await openJournalWindow(journalWindowPaths(outDir)).catch((error: unknown) => {
      console.warn(`EchoScope: the journal window did not start, nothing will be journaled: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    runtime = await startRuntime({
      transport: 'electron',
      version: app.getVersion(),
      demo: process.env.ECHOSCOPE_NO_DEMO !== '1',
      profiles: openProfileStore(),
      ...(journalWindow ? { journal: { journal: journalWindow.journal, location: 'IndexedDB (journal window)' } } : {}),
    });
    unregister = registerIpcRouter(runtime.service, (url) => url.startsWith(trustedPrefix));
    openMain();
    app.on('activate', () => {
      if (!BrowserWindow.getAllWindows().some((window) => window.isVisible())) openMain();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('will-quit', () => {
    unregister?.();
    void runtime?.close().finally(() => journalWindow?.close());
  });
}
