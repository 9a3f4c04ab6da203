/**
 * The page side of the fixture: what the page's own Echo received, read off its WebSocket. It runs
 * in the browser (`context.addInitScript`) before any of the page's scripts, so it works whatever
 * bundles pusher-js — the app's Vite build, a CDN copy, an IIFE — and without touching the app.
 *
 * Playwright sends the function's source text to the page: it must stay self-contained (no
 * imports, no helpers from outside its body).
 */

/** One thing a page socket did, as the capture reports it to the fixture. */
export interface WireEntry {
  /** The page's socket, numbered from 1 in the order the page opened them. */
  socket: number;
  url: string;
  kind: 'receive' | 'send' | 'close';
  /** Epoch ms on the page's clock, with a sub-millisecond fraction. */
  at: number;
  /** The message text (receive, send). */
  text?: string;
  /** close: the WebSocket close code and reason. */
  code?: number;
  reason?: string;
}

/** The name the fixture's binding is exposed under in the page. */
export const CAPTURE_BINDING = '__echoscopeWire';

export function installWireCapture(binding: string): void {
  type Report = (entry: WireEntry) => Promise<void>;
  const page = window as unknown as Record<string, unknown>;
  const Native = window.WebSocket;
  if (page[`${binding}Installed`] === true) return;
  page[`${binding}Installed`] = true;
  let sockets = 0;
  const now = (): number => performance.timeOrigin + performance.now();
  const report = (entry: WireEntry): void => {
    const send = page[binding] as Report | undefined;
    // The binding is gone while the page closes; what it still received then is not the test's.
    if (typeof send === 'function') send(entry).catch(() => undefined);
  };
  class CapturedWebSocket extends Native {
    private readonly echoscopeSocket: number;
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const socket = ++sockets;
      this.echoscopeSocket = socket;
      const href = String(url);
      // Registered before the page can set `onmessage`: every message is recorded before the app sees it.
      this.addEventListener('message', (event: MessageEvent) => {
        if (typeof event.data === 'string') report({ socket, url: href, kind: 'receive', at: now(), text: event.data });
      });
      this.addEventListener('close', (event: CloseEvent) => report({ socket, url: href, kind: 'close', at: now(), code: event.code, reason: event.reason }));
    }
    override send(data: Parameters<WebSocket['send']>[0]): void {
      if (typeof data === 'string') report({ socket: this.echoscopeSocket, url: this.url, kind: 'send', at: now(), text: data });
      super.send(data);
    }
  }
  window.WebSocket = CapturedWebSocket;
}
