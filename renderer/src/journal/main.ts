import { JOURNAL_PORT_MESSAGE } from '../../../shared/journal';
import { openJournalStore } from '../../../shared/journal/store';
import { serveJournalPort } from './port-server';

/**
 * Entry of the hidden journal window (DESIGN §2): the journal on this window's IndexedDB,
 * served on the MessagePort main hands over. The preload forwards the port with
 * `window.postMessage` (a sandboxed, isolated preload cannot hand objects to the page otherwise);
 * a plain page driven by Playwright receives it the same way.
 */
const store = openJournalStore({ indexedDB: window.indexedDB, IDBKeyRange: window.IDBKeyRange });

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const port = event.ports[0];
  if (event.source !== window || port === undefined) return;
  const data = event.data;
  if (typeof data !== 'object' || data === null || (data as { kind?: unknown }).kind !== JOURNAL_PORT_MESSAGE) return;
  serveJournalPort(port, store);
});
