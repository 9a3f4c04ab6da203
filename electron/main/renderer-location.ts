import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where a window's page comes from: the dev server (electron-vite dev) or the built files. */
export type PageSource = { url: string } | { file: string };

export interface RendererLocation {
  dashboard: PageSource;
  journal: PageSource;
  dashboardPreload: string;
  journalPreload: string;
  /** True only for a URL of our own renderer (see `isTrustedRendererUrl`). */
  isTrusted(url: string): boolean;
}

/**
 * The renderer's location. `ELECTRON_RENDERER_URL` (set by `electron-vite dev`) is honoured only
 * when the app is not packaged: in a packaged app an environment variable must never decide
 * which page gets the App API.
 */
export function rendererLocation(outDir: string, options: { isPackaged: boolean; devServerUrl: string | undefined }): RendererLocation {
  const devServer = !options.isPackaged && options.devServerUrl ? new URL(options.devServerUrl) : undefined;
  const dashboardFile = join(outDir, 'renderer', 'index.html');
  const journalFile = join(outDir, 'renderer', 'journal.html');
  const trusted: TrustedRenderer = devServer ? { origin: devServer.origin } : { file: pathToFileURL(dashboardFile).href };
  return {
    dashboard: devServer ? { url: devServer.href } : { file: dashboardFile },
    journal: devServer ? { url: new URL('journal.html', devServer).href } : { file: journalFile },
    dashboardPreload: join(outDir, 'preload', 'index.cjs'),
    journalPreload: join(outDir, 'preload', 'journal.cjs'),
    isTrusted: (url) => isTrustedRendererUrl(url, trusted),
  };
}

/** Our renderer: the dev server's origin, or the built dashboard file. */
export type TrustedRenderer = { origin: string } | { file: string };

/**
 * Exact comparison of parsed URLs, never a prefix: `http://localhost:5173.evil.com` and
 * `http://localhost:51730` are not `http://localhost:5173`, and `file:///app/index.html.evil`
 * is not `file:///app/index.html`. The hash (the renderer's route) and the query are ignored.
 */
export function isTrustedRendererUrl(url: string, trusted: TrustedRenderer): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if ('origin' in trusted) {
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === trusted.origin && parsed.username === '' && parsed.password === '';
  }
  const file = new URL(trusted.file);
  return parsed.protocol === 'file:' && parsed.host === file.host && parsed.pathname === file.pathname;
}

export function loadPage(window: { loadURL(url: string): Promise<void>; loadFile(file: string): Promise<void> }, source: PageSource): Promise<void> {
  return 'url' in source ? window.loadURL(source.url) : window.loadFile(source.file);
}
