/**
 * Worker-thread entry of the headless host's journal: the segmented HostJournal runs here, so
 * its work (decoding batches, indexing, fsync waits, queries) never delays frame capture on the
 * main thread. It speaks the same
 * request protocol as Electron's journal window.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { answerJournalRequest, type JournalWindowMessage } from '../../../shared/journal';
import { HostJournal } from './host-journal';
import { isJournalWrite, WORKER_WARNING } from './journal-worker-protocol';

const port = parentPort;
if (!port) throw new Error('journal-worker.ts runs as a worker thread');
const { directory } = workerData as { directory: string };
const send = (message: JournalWindowMessage) => port.postMessage(message);
const store = HostJournal.open({ directory, onWarning: (message) => port.postMessage({ [WORKER_WARNING]: message }) });

store.then(
  () => send({ kind: 'ready' }),
  (error: unknown) => send({ kind: 'ready', error: { code: 'internal', message: `journal did not open: ${error instanceof Error ? error.message : String(error)}` } }),
);
let writes: Promise<void> = Promise.resolve();
port.on('message', (raw: unknown) => {
  const answer = () => answerJournalRequest(store, raw, send);
  // Writes run one after another so batches are acknowledged in arrival order.
  if (isJournalWrite(raw)) writes = writes.then(answer, answer);
  else void answer(); // answerJournalRequest never rejects: failures are error results
});
