import { BrowserWindow, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { DASHBOARD_CSP } from '../core/host';

/** Hardened defaults for every window (DESIGN §3): isolated, sandboxed, no Node, no navigation, no popups. */
export function createMainWindow(paths: { preload: string; rendererHtml: string; devUrl?: string }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    title: 'EchoScope',
    show: false,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    },
  });
  harden(window.webContents);
  window.webContents.session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [DASHBOARD_CSP] } });
  });
  window.once('ready-to-show', () => window.show());
  if (paths.devUrl) void window.loadURL(paths.devUrl);
  else void window.loadFile(paths.rendererHtml);
  return window;
}

function harden(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalHttpUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function isExternalHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

export function rendererPaths(outDir: string) {
  return {
    preload: join(outDir, 'preload', 'index.cjs'),
    rendererHtml: join(outDir, 'renderer', 'index.html'),
    ...(process.env.ELECTRON_RENDERER_URL ? { devUrl: process.env.ELECTRON_RENDERER_URL } : {}),
  };
}
