import { BRIDGE_TOKEN_META, createAppApi, type AppApi, type AppBridge } from '../../shared/api';
import { hostBridge } from './host-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser. */
    echoscope?: AppBridge;
  }
}

const RELOAD_KEY = 'echoscope:last-self-reload';
const TOKEN_IN_PAGE = new RegExp(`<meta name="${BRIDGE_TOKEN_META}" content="([0-9a-f]+)">`);

/**
 * The one module that reads the bridge: the preload's object in Electron,
 * else a WebSocket to the headless host that served this page.
 */
export function connectApi(): AppApi {
  return createAppApi(window.echoscope ?? webSocketBridge(), { onListenerError: (push, error) => console.error(`EchoScope: a ${push} listener failed`, error) });
}

function webSocketBridge(): AppBridge {
  return hostBridge({
    pageUrl: window.location.href,
    token: document.querySelector(`meta[name="${BRIDGE_TOKEN_META}"]`)?.getAttribute('content') ?? '',
    openSocket: (url) => new WebSocket(url),
    fetchPageToken: async () => {
      try {
        const response = await fetch(window.location.href, { cache: 'no-store' });
        return response.ok ? (TOKEN_IN_PAGE.exec(await response.text())?.[1] ?? null) : null;
      } catch {
        return null;
      }
    },
    reload: () => window.location.reload(),
    lastReloadAt: () => {
      const value = Number(window.sessionStorage.getItem(RELOAD_KEY));
      return Number.isFinite(value) && value > 0 ? value : null;
    },
    markReload: (at) => window.sessionStorage.setItem(RELOAD_KEY, String(at)),
    now: () => Date.now(),
    setTimer: (callback, ms) => window.setTimeout(callback, ms),
    clearTimer: (handle) => window.clearTimeout(handle as number),
  });
}
