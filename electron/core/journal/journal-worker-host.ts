import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  JournalWindowClient,
  type BatchTag,
  type CapturedBatch,
  type Journal,
  type JournalPort,
  type JournalQuery,
  type JournalRecord,
  type RetentionPolicy,
} from '../../../shared/journal';
import type { JournalHealth } from '../../../shared/api';
import { WORKER_WARNING } from './journal-worker-protocol';

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
 * Opens the headless host's journal (a segment directory) in a worker thread, supervised: when
 * the thread ends unasked it is started again, after 250 ms, then twice as long per failed start
 * (up to 10 s). Meanwhile {@link JournalWorker.health} says `restarting` with the reason,
 * `onWarning` tells the log, and calls wait for the new thread; the writer's batch that was in
 * flight fails and goes again — its id tells the new thread whether it was written (batch-order.ts).
 * Resolves once the first thread has opened its journal.
 */
export async function startJournalWorker(directory: string, onWarningOrOptions: ((message: string) => void) | JournalWorkerOptions): Promise<JournalWorker> {
  const options: JournalWorkerOptions = typeof onWarningOrOptions === 'function' ? { onWarning: onWarningOrOptions } : onWarningOrOptions;
  const { onWarning } = options;
  const firstDelay = options.restartDelayMs ?? 250;
  let health: JournalHealth = { state: 'ok', restarts: 0, message: null };
  let closing = false;
  let running: Running | undefined;
  let current: Promise<Running>;
  const report = (next: JournalHealth) => {
    health = next;
    options.onHealth?.(next);
  };

  const onExit = (reason: string) => {
    if (closing) return;
    onWarning(`${reason}; starting it again`);
    report({ ...health, state: 'restarting', message: reason });
    current = restart(firstDelay);
  };

  const restart = async (delayMs: number): Promise<Running> => {
    for (let delay = delayMs; ; delay = Math.min(delay * 2, 10_000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (closing) throw new Error('the journal is closed');
      try {
        running = await startThread(directory, onWarning, onExit);
        onWarning('journal thread started again');
        report({ state: 'ok', restarts: health.restarts + 1, message: null });
        return running;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        onWarning(`${message}; trying again in ${Math.min(delay * 2, 10_000)} ms`);
        report({ ...health, state: 'restarting', message });
      }
    }
  };

  running = await startThread(directory, onWarning, onExit);
  current = Promise.resolve(running);
  const client = async () => (await current).client;

  const journal: Journal = {
    append: async (records: readonly JournalRecord[]) => (await client()).append(records),
    appendCaptured: async (batch: CapturedBatch, tag?: BatchTag) => (await client()).appendCaptured(batch, tag),
    query: async (query?: JournalQuery) => (await client()).query(query),
    channels: async () => (await client()).channels(),
    sessions: async () => (await client()).sessions(),
    count: async () => (await client()).count(),
    stats: async () => (await client()).stats(),
    async *exportNdjson(createdAt: string, query?: JournalQuery) {
      yield* (await client()).exportNdjson(createdAt, query);
    },
    import: async (records: Iterable<JournalRecord>) => (await client()).import(records),
    prune: async (policy: RetentionPolicy, nowMs: number) => (await client()).prune(policy, nowMs),
    close: async () => (await client()).close(),
  };

  return {
    journal,
    health: () => ({ ...health }),
    crash: async () => {
      await running?.worker.terminate();
    },
    close: async () => {
      closing = true;
      const last = running;
      await last?.client.close().catch(() => undefined);
      await last?.worker.terminate();
    },
  };
}
