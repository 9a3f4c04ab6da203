import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { JournalWindowClient, type Journal, type JournalPort } from '../../../shared/journal';
import type { JournalHealth } from '../../../shared/api';
import type { EngineSettings } from '../engine/engine-protocol';
import { unwrapEngine } from '../engine/engine-protocol';
import { workerWarning } from './journal-worker-protocol';
import { superviseJournal } from './journal-supervisor';

export interface JournalWorker {
  /** The journal, whichever thread holds it now: calls during a restart wait for the new one. */
  journal: Journal;
  health(): JournalHealth;
  /** Ends the thread (test support: a crash as the supervisor sees it). */
  crash(): Promise<void>;
  close(): Promise<void>;
}

/** The engine's side of the worker's port (engine/engine-protocol.ts), across restarts of the thread. */
export interface WorkerChannel {
  /** Posts to the thread now running; while it is being started again, queued for the new one. */
  post(message: unknown): void;
  /** Messages that are not the journal's (the engine's). Returns the unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
  /**
   * A new thread took over after one ended: the listener can post what the new one must know
   * before anything queued meanwhile is posted.
   */
  onRestart(listener: () => void): () => void;
}

/** What an owner of the engine is posted through: a worker thread, the journal window's port. */
export interface Postable {
  postMessage(message: unknown): void;
}

/**
 * The {@link WorkerChannel} over whichever owner runs now (a thread, the journal window): posts
 * go to it, or wait for the next one while it is being started again (`down`); `up` attaches a
 * new one, telling the restart listeners first when it replaces one, then posting what waited.
 */
export class OwnerChannel<T extends Postable = Worker> implements WorkerChannel {
  private readonly listeners = new Set<(message: unknown) => void>();
  private readonly restartListeners = new Set<() => void>();
  private current: T | undefined;
  private waiting: unknown[] | undefined;

  post(message: unknown): void {
    if (this.current === undefined) (this.waiting ??= []).push(message);
    else this.current.postMessage(message);
  }

  onMessage(listener: (message: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRestart(listener: () => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  /** A message of the owner's that is the engine's. */
  deliver(message: unknown): void {
    for (const listener of this.listeners) listener(message);
  }

  /** The owner ended: posts wait for the next. */
  down(): void {
    this.current = undefined;
    this.waiting ??= [];
  }

  /** An owner is running: the first, or one that replaces an ended one. */
  up(owner: T): void {
    const restarted = this.current === undefined && this.waiting !== undefined;
    const waiting = this.waiting ?? [];
    this.waiting = undefined;
    this.current = owner;
    if (!restarted) return;
    // The new owner first hears what it must know, then what was asked while it started.
    for (const listener of this.restartListeners) listener();
    for (const message of waiting) owner.postMessage(message);
  }

  get owner(): T | undefined {
    return this.current;
  }
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
function createWorker(entry: WorkerEntry): Worker {
  const candidates = [`./${entry.name}.js`, `../${entry.name}.js`, entry.source].map((relative) => new URL(relative, import.meta.url));
  const found = candidates.find((candidate) => existsSync(fileURLToPath(candidate)));
  if (!found) throw new Error(`${entry.name} entry not found (looked for ${candidates.map((c) => fileURLToPath(c)).join(', ')})`);
  if (!found.pathname.endsWith('.ts')) return new Worker(found, { workerData: entry.data });
  // From source: register tsx's loader inside the worker, then load the TypeScript entry.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(found.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: entry.data });
}

/**
 * The journal's side of an owner's port (a thread's, the journal window's): its warnings go to
 * `onWarning`, the engine's messages to `onEngine`, the rest to the journal client. The engine's
 * listener is on from the start, so nothing the engine says before the journal is ready is lost.
 */
export function ownerPort(
  post: (request: unknown) => void,
  listen: (handler: (message: unknown) => void) => () => void,
  options: { onWarning: (message: string) => void; onEngine?: (message: unknown) => void },
): JournalPort {
  const { onWarning, onEngine } = options;
  if (onEngine) listen((message) => unwrapEngine(message) !== undefined && onEngine(message));
  return {
    post,
    onMessage: (listener) =>
      listen((message) => {
        const warning = workerWarning(message);
        if (warning !== undefined) onWarning(warning);
        else if (unwrapEngine(message) === undefined) listener(message);
      }),
  };
}

/** A worker's entry: its built name (out/main/<name>.js), its source beside this file, and its workerData. */
interface WorkerEntry {
  name: string;
  source: string;
  data: unknown;
}

interface Running {
  worker: Worker;
  client: JournalWindowClient;
}

/** Starts the thread and resolves once its journal has opened; rejects (the thread ended) when it cannot. */
async function startThread(
  what: string,
  entry: WorkerEntry,
  onWarning: (message: string) => void,
  onExit: (reason: string) => void,
  onOther?: (message: unknown) => void,
): Promise<Running> {
  const worker = createWorker(entry);
  const client = new JournalWindowClient(
    ownerPort(
      (request) => worker.postMessage(request),
      (handler) => {
        worker.on('message', handler);
        return () => worker.off('message', handler);
      },
      { onWarning, ...(onOther ? { onEngine: onOther } : {}) },
    ),
  );
  let failure = '';
  worker.once('error', (error) => (failure = error.message));
  const exited = new Promise<never>((_, reject) =>
    worker.once('exit', (code) => {
      const reason = failure !== '' ? `${what} failed: ${failure}` : `${what} ended (exit code ${code})`;
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
  return superviseThread('journal thread', { name: 'journal-worker', source: './journal-worker.ts', data: { directory } }, options);
}

export interface EngineWorkerOptions extends JournalWorkerOptions {
  /** The monitor's settings in the engine thread. */
  settings: EngineSettings;
  /** What of the journal's recent past the engine analyzes again when a thread starts. */
  recent: { windowMs: number; records: number };
}

/**
 * The headless host's engine thread (engine/engine-worker.ts): the journal as
 * {@link startJournalWorker} runs it, with live analysis beside it on the same port, supervised
 * alike. `channel` is the engine's side of the port.
 */
export async function startEngineWorker(directory: string, options: EngineWorkerOptions): Promise<JournalWorker & { channel: WorkerChannel }> {
  const channel = new OwnerChannel();
  const entry: WorkerEntry = { name: 'engine-worker', source: '../engine/engine-worker.ts', data: { directory, settings: options.settings, recent: options.recent } };
  return { ...(await superviseThread('engine thread', entry, options, channel)), channel };
}

/** A journal's worker thread, supervised; `channel`, when given, carries the engine's messages across its restarts. */
async function superviseThread(what: string, entry: WorkerEntry, options: JournalWorkerOptions, channel?: OwnerChannel): Promise<JournalWorker> {
  const supervised = await superviseJournal<Running>(
    {
      what,
      start: async (onExit) => {
        const running = await startThread(
          what,
          entry,
          options.onWarning,
          (reason) => {
            channel?.down();
            onExit(reason);
          },
          channel === undefined ? undefined : (message) => channel.deliver(message),
        );
        channel?.up(running.worker);
        return running;
      },
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

export interface AnalysisWorker {
  channel: WorkerChannel;
  /** Ends the thread (test support: a crash as the restart logic sees it). */
  crash(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An engine thread without a journal beside it (engine/analysis-worker.ts): `serve --no-journal`,
 * a desktop app whose journal window did not open. A thread that ends unasked is started again after
 * `restartDelayMs` (doubling per failure, up to 10 s) and the `channel`'s restart listeners are told,
 * so the main side feeds it again; what is posted meanwhile waits for it.
 */
export async function startAnalysisWorker(options: {
  settings: EngineSettings;
  /** Whether main has a journal to answer the engine's reads from (without one, nothing is compacted). */
  journal: boolean;
  onWarning: (message: string) => void;
  restartDelayMs?: number;
}): Promise<AnalysisWorker> {
  const channel = new OwnerChannel();
  const entry: WorkerEntry = { name: 'analysis-worker', source: '../engine/analysis-worker.ts', data: { settings: options.settings, journal: options.journal } };
  let closing = false;
  const firstDelay = options.restartDelayMs ?? 250;

  const start = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = createWorker(entry);
      worker.on('message', (message: unknown) => {
        const warning = workerWarning(message);
        if (warning !== undefined) options.onWarning(warning);
        else if (unwrapEngine(message) !== undefined) channel.deliver(message);
      });
      let failure = '';
      worker.once('error', (error) => (failure = error.message));
      worker.once('online', () => resolve(worker));
      worker.once('exit', (code) => {
        const reason = failure !== '' ? `analysis thread failed: ${failure}` : `analysis thread ended (exit code ${code})`;
        reject(new Error(reason));
        if (channel.owner !== worker || closing) return;
        channel.down();
        options.onWarning(`${reason}; starting it again`);
        void restart(firstDelay);
      });
    });

  const restart = async (delayMs: number): Promise<void> => {
    for (let delay = delayMs; !closing; delay = Math.min(delay * 2, 10_000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (closing) return;
      try {
        const worker = await start();
        options.onWarning('analysis thread started again');
        channel.up(worker);
        return;
      } catch (error) {
        options.onWarning(`${error instanceof Error ? error.message : String(error)}; trying again in ${Math.min(delay * 2, 10_000)} ms`);
      }
    }
  };

  channel.up(await start());
  return {
    channel,
    crash: async () => {
      await channel.owner?.terminate();
    },
    close: async () => {
      closing = true;
      await channel.owner?.terminate();
    },
  };
}
