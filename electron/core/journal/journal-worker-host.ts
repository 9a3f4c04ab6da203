import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { JournalWindowClient, type Journal, type JournalPort } from '../../../shared/journal';
import type { JournalHealth } from '../../../shared/api';
import { WORKER_WARNING } from './journal-worker-protocol';
import { superviseJournal } from './journal-supervisor';

export interface JournalWorker {
  /** The journal, whichever thread holds it now: calls during a restart wait for the new one. */
  journal: Journal;
  health(): JournalHealth;
  /** Ends the thread (test support: a crash as the supervisor sees it). */
  crash(): Promise<void>;
  close(): Promise<void>;
}

export interface JournalWorkerOptions {
  onWarning: (message: string) => void;
  onHealth?: (health: JournalHealth) => void;
  /** First wait before starting the thread again; doubles per failed start, up to 10 s. Default 250 ms. */
  restartDelayMs?: number;
}

/**
 * Where the worker's entry is: next to the built CLI (out/main/journal-worker.js), or the
 * TypeScript source when running from source (tests, tsx), which then loads through tsx.
 */
function createWorker(directory: string): Worker {
  const candidates = ['./journal-worker.js', '../journal-worker.js', './journal-worker.ts'].map((relative) => new URL(relative, import.meta.url));
  const entry = candidates.find((candidate) => existsSync(fileURLToPath(candidate)));
  if (!entry) throw new Error(`journal worker entry not found (looked for ${candidates.map((c) => fileURLToPath(c)).join(', ')})`);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: { directory } });
  // From source: register tsx's loader inside the worker, then load the TypeScript entry.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: { directory } });
}

interface Running {
  worker: Worker;
  client: JournalWindowClient;
}

/** Starts the thread and resolves once its journal has opened; rejects (the thread ended) when it cannot. */
async function startThread(directory: string, onWarning: (message: string) => void, onExit: (reason: string) => void): Promise<Running> {
  const worker = createWorker(directory);
  const port: JournalPort = {
    post: (request) => worker.postMessage(request),
    onMessage: (listener) => {
      const handler = (message: unknown) => {
        if (typeof message === 'object' && message !== null && WORKER_WARNING in message) onWarning(String((message as Record<string, unknown>)[WORKER_WARNING]));
        else listener(message);
      };
      worker.on('message', handler);
      return () => worker.off('message', handler);
    },
  };
  const client = new JournalWindowClient(port);
  let failure = '';
  worker.once('error', (error) => (failure = error.message));
  const exited = new Promise<never>((_, reject) =>
    worker.once('exit', (code) => {
      const reason = failure !== '' ? `journal thread failed: ${failure}` : `journal thread ended (exit code ${code})`;
      // Requests it never answered fail now: a writer retries its batch on the next thread.
      void client.close();
      onExit(reason);
      reject(new Error(reason));
    }),
  );
  try {
    await Promise.race([client.ready, exited]);
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  exited.catch(() => undefined);
  return { worker, client };
}

/**
 * Opens the headless host's journal (a segment directory) in a worker thread, supervised
 * (journal-supervisor.ts): a thread that ends unasked is started again with backoff, and calls
 * wait for it. Resolves once the first thread has opened its journal.
 */
export async function startJournalWorker(directory: string, onWarningOrOptions: ((message: string) => void) | JournalWorkerOptions): Promise<JournalWorker> {
  const options: JournalWorkerOptions = typeof onWarningOrOptions === 'function' ? { onWarning: onWarningOrOptions } : onWarningOrOptions;
  const supervised = await superviseJournal<Running>(
    {
      what: 'journal thread',
      start: (onExit) => startThread(directory, options.onWarning, onExit),
      stop: async (running) => {
        await running.client.close().catch(() => undefined);
        await running.worker.terminate();
      },
    },
    options,
  );
  return {
    journal: supervised.journal,
    health: supervised.health,
    crash: async () => {
      await supervised.current()?.worker.terminate();
    },
    close: supervised.close,
  };
}
