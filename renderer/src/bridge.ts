import {
  BRIDGE_PATH,
  BRIDGE_TOKEN_META,
  createAppApi,
  type AppApi,
  type AppBridge,
  type BridgeServerMessage,
} from '../../shared/api';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser. */
    echoscope?: AppBridge;
  }
}

/**
 * The one module that reads the bridge: the preload's object in Electron,
 * else a WebSocket to the headless host that served this page.
 */
export function connectApi(): AppApi {
  return createAppApi(window.echoscope ?? webSocketBridge());
}

function webSocketBridge(): AppBridge {
  const token = document.querySelector(`meta[name="${BRIDGE_TOKEN_META}"]`)?.getAttribute('content') ?? '';
  const url = new URL(BRIDGE_PATH, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);

  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  let wantsReady = false;
  let socket: WebSocket;
  let opened: Promise<void>;

  const open = () => {
    socket = new WebSocket(url);
    opened = new Promise<void>((resolve) => socket.addEventListener('open', () => resolve(), { once: true }));
    socket.addEventListener('open', () => {
      if (wantsReady) socket.send(JSON.stringify({ kind: 'ready' }));
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
      for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'internal', message: 'the host closed the bridge' } });
      pending.clear();
      // The host may be restarting: reconnect with a gentle delay.
      setTimeout(open, 1000);
    });
  };
  open();

  return {
    async invoke(command, request) {
      await opened;
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ kind: 'invoke', id, command, request }));
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
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ kind: 'ready' }));
    },
  };
}
