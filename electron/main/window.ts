import { BrowserWindow, type WebContents } from 'electron';
import { DASHBOARD_CSP } from '../core/host';
import type { ExternalLinks } from './external-links';
import { loadPage, type RendererLocation } from './renderer-location';

/** Hardened defaults (DESIGN §3): isolated, sandboxed, no Node, no navigation, no popups; links only through the user's confirmation. */
export function createDashboardWindow(location: RendererLocation, links: ExternalLinks): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    title: 'EchoScope',
    show: false,
    webPreferences: {
      preload: location.dashboardPreload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    },
  });
  harden(window.webContents, location, links);
  window.webContents.session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [DASHBOARD_CSP] } });
  });
  window.once('ready-to-show', () => window.show());
  loadPage(window, location.dashboard).catch((error: unknown) => {
    console.error(`EchoScope: the dashboard did not load: ${error instanceof Error ? error.message : String(error)}`);
  });
  return window;
}

/**
 * The page never leaves our renderer: navigations anywhere else and every `window.open` are
 * denied; an http(s) target becomes a request to open it in the browser, which the user confirms.
 * A navigation to our renderer itself (a reload, the dev server's full reload) goes ahead.
 */
function harden(contents: WebContents, location: RendererLocation, links: ExternalLinks): void {
  // shell.openExternal rejects when nothing on the system opens the URL: say so instead of an unhandled rejection.
  const ask = (url: string) =>
    links.request(url).catch((error: unknown) => console.error(`EchoScope: could not open ${url}: ${error instanceof Error ? error.message : String(error)}`));
  contents.on('will-navigate', (event) => {
    if (location.isTrusted(event.url)) return;
    event.preventDefault();
    void ask(event.url);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    void ask(url);
    return { action: 'deny' };
  });
}
