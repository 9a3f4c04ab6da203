import { answerJournalRequest, type JournalWindowMessage, type ServedJournal } from '../../../shared/journal';

/** Requests that change the journal; they run one after another so batches commit in arrival order. */
const WRITES = new Set(['append', 'import', 'prune']);

function isWrite(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && WRITES.has(String((raw as { op?: unknown }).op));
}

/**
 * Serves the journal on one MessagePort: says `ready` once the store is open (or why it
 * could not open), then answers every request. Reads run at once; writes queue.
 */
export function serveJournalPort(port: MessagePort, store: Promise<ServedJournal>): void {
  const send = (message: JournalWindowMessage) => port.postMessage(message);
  store.then(
    () => send({ kind: 'ready' }),
    (error: unknown) => send({ kind: 'ready', error: { code: 'internal', message: `journal store did not open: ${error instanceof Error ? error.message : String(error)}` } }),
  );
  let writes: Promise<void> = Promise.resolve();
  port.onmessage = (event: MessageEvent<unknown>) => {
    const answer = () => answerJournalRequest(store, event.data, send);
    if (isWrite(event.data)) writes = writes.then(answer, answer);
    else void answer(); // answerJournalRequest never rejects: failures are error results
  };
  port.start();
}
