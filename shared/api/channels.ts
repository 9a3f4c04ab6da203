/**
 * Transport constants and the untyped bridge contract. Kept free of imports so the
 * sandboxed Electron preload can bundle it without pulling in zod.
 */

/** Electron IPC channel names: the preload lets only these through. */
export const IPC_INVOKE_CHANNEL = 'echoscope:invoke';
export const IPC_PUSH_CHANNEL = 'echoscope:push';
export const IPC_READY_CHANNEL = 'echoscope:ready';

/** Path of the WebSocket bridge on the headless host, and the meta tag carrying its per-run token. */
export const BRIDGE_PATH = '/bridge';
export const BRIDGE_TOKEN_META = 'echoscope-bridge-token';
/** Where the headless host streams a journal export as a download (GET, with the page's token as `token`; `sessionId`, `from`, `to`, `format=ndjson|har` optional). */
export const JOURNAL_EXPORT_PATH = '/journal/export';

/**
 * The untyped transport both hosts implement: the Electron preload exposes one,
 * the browser builds one over a WebSocket. Everything above it is typed.
 */
export interface AppBridge {
  invoke(command: string, request: unknown): Promise<unknown>;
  /** Returns the unsubscribe function. */
  on(push: string, listener: (payload: unknown) => void): () => void;
  /** Tells the host the renderer listens: queued pushes start flowing. */
  ready(): void;
}
