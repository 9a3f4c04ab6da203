/**
 * A jsdom page made into a tab the REAL headless host served (electron/core/host), for tests of
 * the renderer's bridge client (`connectApi`), which reads the page's own globals: its URL, the
 * token meta tag, WebSocket, fetch, sessionStorage and `location.reload()`.
 *
 * Needs vitest's jsdom environment (it exposes its JSDOM as the global `jsdom`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppService } from '../electron/core/app';
import { startHeadlessHost, type HeadlessHost } from '../electron/core/host';

interface Jsdom {
  reconfigure(options: { url: string }): void;
  window: { _origin: string };
  virtualConsole: { on(event: 'jsdomError', listener: (error: Error) => void): void };
}

const rendererDir = mkdtempSync(join(tmpdir(), 'echoscope-tab-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head><title>EchoScope</title></head><body><div id="root"></div></body></html>');

export class ServedTabs {
  private readonly hosts: HeadlessHost[] = [];
  private readonly services: AppService[] = [];
  private reloadCount = 0;
  private readonly jsdom = (globalThis as unknown as { jsdom: Jsdom }).jsdom;

  constructor() {
    // jsdom cannot navigate: `location.reload()` reports "navigation to another Document" as not implemented, which counts it.
    this.jsdom.virtualConsole.on('jsdomError', (error) => {
      if (error.message.includes('navigation to another Document')) this.reloadCount++;
    });
  }

  /** Times the page called `location.reload()` since `reset()`. */
  get reloads(): number {
    return this.reloadCount;
  }

  /** A fresh tab state: no reloads counted, empty sessionStorage and head. */
  reset(): void {
    this.reloadCount = 0;
    window.sessionStorage.clear();
    document.head.innerHTML = '';
  }

  async startHost(service = new AppService({ transport: 'browser', version: '9.9.9', monitor: { tickMs: 50 } })): Promise<HeadlessHost> {
    this.services.push(service);
    const host = await startHeadlessHost({ service, rendererDir, port: 0 });
    this.hosts.push(host);
    return host;
  }

  /** The tab loads the host's page: its URL and origin, and the head the host served (with the bridge token) unless `head` replaces it. */
  async open(host: HeadlessHost, head?: string): Promise<void> {
    this.jsdom.reconfigure({ url: host.url });
    // reconfigure leaves the origin jsdom's WebSocket sends at the first URL's; a tab loaded from the host has the host's
    this.jsdom.window._origin = new URL(host.url).origin;
    const served = await (await fetch(host.url)).text();
    document.head.innerHTML = head ?? new DOMParser().parseFromString(served, 'text/html').head.innerHTML;
  }

  /** Closes every host and service started (a tab's bridge then retries without a page to fetch). */
  async close(): Promise<void> {
    await Promise.all(this.hosts.splice(0).map((host) => host.close()));
    for (const service of this.services.splice(0)) service.close();
  }
}
