import { app, BrowserWindow } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileProfileStore, MemoryProfileStore, type ProfileStore } from '../core/app';
import { startRuntime, type Runtime } from '../core/runtime';
import { safeStorageCodec } from './secret-codec';
import { registerIpcRouter } from './ipc-router';
import { createMainWindow, rendererPaths } from './window';

/** Electron-only glue: lifecycle, the window, the IPC router. Everything else lives in electron/core. */
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const paths = rendererPaths(outDir);
const trustedPrefix = paths.devUrl ?? pathToFileURL(paths.rendererHtml).href;

let runtime: Runtime | undefined;

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
    runtime = await startRuntime({ transport: 'electron', version: app.getVersion(), demo: process.env.ECHOSCOPE_NO_DEMO !== '1', profiles: openProfileStore() });
    unregister = registerIpcRouter(runtime.service, (url) => url.startsWith(trustedPrefix));
    createMainWindow(paths);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(paths);
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('will-quit', () => {
    unregister?.();
    void runtime?.close();
  });
}
