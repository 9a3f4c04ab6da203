/**
 * Worker-thread entry of the headless host's journal: the segmented HostJournal runs here, so
 * its work (decoding batches, indexing, fsync waits, queries) never delays frame capture on the
 * main thread. It speaks the same request protocol as Electron's journal window.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveJournal } from '../../../shared/journal';
import { HostJournal } from './host-journal';
import { WORKER_WARNING } from './journal-worker-protocol';

const port = parentPort;
if (!port) throw new Error('journal-worker.ts runs as a worker thread');
const { directory } = workerData as { directory: string };
const store = HostJournal.open({ directory, onWarning: (message) => port.postMessage({ [WORKER_WARNING]: message }) });
port.on(
  'message',
  serveJournal(store, (message) => port.postMessage(message)),
);
