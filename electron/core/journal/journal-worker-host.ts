import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { JournalWindowClient, type JournalPort } from '../../../shared/journal';
import { WORKER_WARNING } from './journal-worker-protocol';

export interface JournalWorker {
  journal: JournalWindowClient;
  close(): Promise<void>;
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

/** Opens the headless host's journal (a segment directory) in a worker thread; resolves once it has loaded its index. */
export async function startJournalWorker(directory: string, onWarning: (message: string) => void): Promise<JournalWorker> {
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
  const journal = new JournalWindowClient(port);
  const exited = new Promise<never>((_, reject) => worker.once('error', (error) => reject(new Error(`journal worker failed: ${error.message}`))));
  await Promise.race([journal.ready, exited]);
  return {
    journal,
    close: async () => {
      await journal.close().catch(() => undefined);
      await worker.terminate();
    },
  };
}
