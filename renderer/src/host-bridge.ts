import { BRIDGE_PATH, type AppBridge, type BridgeServerMessage } from '../../shared/api';

/** The slice of the DOM WebSocket this transport uses (the `ws` package offers it too, for tests). */
export interface BridgeSocket {
  readonly readyState: number;
  send(text: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'message', listener: (event: { data?: unknown }) => void): void;
}

export interface HostBridgeEnvironment {
  /** The page's own URL: the bridge is on its origin. */
  pageUrl: string;
  /** The per-run token the host put in this page. */
  token: string;
  openSocket(url: string): BridgeSocket;
  /** The token the host puts in the page now; null when it cannot be reached or gave none. */
  fetchPageToken(): Promise<string | null>;
  reload(): void;
  /** When this page last reloaded itself (kept across reloads, e.g. sessionStorage); null if never. */
  lastReloadAt(): number | null;
  markReload(at: number): void;
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Default 60 s. */
  invokeTimeoutMs?: number;
}

/** Retry delays after the bridge closes, growing to the last. */
const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];
/** A page never reloads itself twice within this: a host that keeps restarting cannot make it loop. */
export const MIN_RELOAD_INTERVAL_MS = 10_000;
const OPEN = 1;

/**
 * The App API transport of a page served by the headless host: one WebSocket to its bridge.
 * - Every invoke has a deadline and answers `{ok:false, error:{code:'timeout'}}` past it.
 * - A socket's subscriptions end with it: once a new one is open, `subscriptions.reset` tells the views to subscribe again.
 * - When the bridge closes it retries with a growing delay, asking the host for the page first:
 *   a different token means the host restarted (this page's token is refused with 403 now),
 *   so the page reloads to get the new one, at most once per MIN_RELOAD_INTERVAL_MS.
 */
export function hostBridge(env: HostBridgeEnvironment): AppBridge {
  const url = new URL(BRIDGE_PATH, env.pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', env.token);
  const invokeTimeoutMs = env.invokeTimeoutMs ?? 60_000;

  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  let wantsReady = false;
  let retries = 0;
  let everOpened = false;
  let socket: BridgeSocket;
  let markOpened: () => void = () => undefined;
  let opened = new Promise<void>((resolve) => (markOpened = resolve));

  const open = (): void => {
    socket = env.openSocket(url.toString());
    socket.addEventListener('open', () => {
      retries = 0;
      markOpened();
      if (wantsReady) socket.send(JSON.stringify({ kind: 'ready' }));
      // The host dropped the previous socket's subscriptions with it: the views subscribe again.
      if (everOpened) listeners.get('subscriptions.reset')?.forEach((listener) => listener({}));
      everOpened = true;
    });
    socket.addEventListener('message', (event) => {
      let message: BridgeServerMessage;
      try {
        message = JSON.parse(String(event.data)) as BridgeServerMessage;
      } catch {
        return;
      }
      if (message.kind === 'result') {
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      } else {
        listeners.get(message.push)?.forEach((listener) => listener(message.payload));
      }
    });
    socket.addEventListener('close', () => {
      for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'connection_failed', message: 'the EchoScope host closed the bridge' } });
      pending.clear();
      opened = new Promise<void>((resolve) => (markOpened = resolve));
      const delay = RETRY_DELAYS_MS[Math.min(retries, RETRY_DELAYS_MS.length - 1)]!;
      retries += 1;
      env.setTimer(() => void reconnect(), delay);
    });
  };

  const reconnect = async (): Promise<void> => {
    const current = await env.fetchPageToken();
    if (current === env.token) {
      open();
      return;
    }
    if (current !== null) {
      // The host restarted: this page's token is refused now (403). Reload for the new one, boundedly.
      const last = env.lastReloadAt();
      const now = env.now();
      if (last === null || now - last >= MIN_RELOAD_INTERVAL_MS) {
        env.markReload(now);
        env.reload();
        return;
      }
    }
    const delay = RETRY_DELAYS_MS[Math.min(retries, RETRY_DELAYS_MS.length - 1)]!;
    retries += 1;
    env.setTimer(() => void reconnect(), delay);
  };

  open();

  return {
    invoke(command, request) {
      const id = nextId++;
      return new Promise((resolve) => {
        const timer = env.setTimer(() => {
          pending.delete(id);
          resolve({
            ok: false,
            error: { code: 'timeout', message: `${command}: no answer from the EchoScope host within ${Math.round(invokeTimeoutMs / 1000)} s (is it still running?)` },
          });
        }, invokeTimeoutMs);
        pending.set(id, (result) => {
          env.clearTimer(timer);
          resolve(result);
        });
        void opened.then(() => {
          if (pending.has(id) && socket.readyState === OPEN) socket.send(JSON.stringify({ kind: 'invoke', id, command, request }));
        });
      });
    },
    on(push, listener) {
      const set = listeners.get(push) ?? new Set();
      set.add(listener);
      listeners.set(push, set);
      return () => set.delete(listener);
    },
    ready() {
      wantsReady = true;
      if (socket.readyState === OPEN) socket.send(JSON.stringify({ kind: 'ready' }));
    },
  };
}
