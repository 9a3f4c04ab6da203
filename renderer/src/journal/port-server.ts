import type { EngineSettings } from '../../../electron/core/engine/engine-protocol';
import { hostEngine, type EngineJournal, type RecentPast } from '../../../electron/core/engine/engine-host';

/**
 * Serves the journal and the desktop app's engine on one MessagePort (engine-host.ts): the
 * journal's protocol (ready, then requests; writes queue) and, on the same port, live analysis of
 * what the journal takes — the app's one engine, beside its IndexedDB journal, off Electron main.
 */
export function serveJournalPort(port: MessagePort, store: Promise<EngineJournal>, engine: { settings?: EngineSettings; recent?: RecentPast } = {}): void {
  const handle = hostEngine(store, { ...engine, post: (message) => port.postMessage(message) });
  port.onmessage = (event: MessageEvent<unknown>) => handle(event.data);
  port.start();
}
