import { serveJournal, type ServedJournal } from '../../../shared/journal';

/** Serves the journal on one MessagePort (shared/journal/window-server.ts: ready, then requests; writes queue). */
export function serveJournalPort(port: MessagePort, store: Promise<ServedJournal>): void {
  const handle = serveJournal(store, (message) => port.postMessage(message));
  port.onmessage = (event: MessageEvent<unknown>) => handle(event.data);
  port.start();
}
