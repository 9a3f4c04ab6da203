import type { BatchTag, CapturedBatch, Journal, JournalQuery, JournalRecord, JournalWindowClient, RetentionPolicy } from '../../../shared/journal';
import type { JournalHealth } from '../../../shared/api';

/**
 * One journal's owner that can die: the headless host's worker thread, Electron's hidden journal
 * window. `start` opens a new one and resolves once its journal is ready (rejects when it cannot);
 * it calls `onExit` with the reason if the owner later ends unasked. `stop` ends one on purpose.
 */
export interface JournalOwner<T> {
  start(onExit: (reason: string) => void): Promise<T & { client: JournalWindowClient }>;
  stop(owner: T & { client: JournalWindowClient }): Promise<void>;
  /** In words, for the log and the banner: `journal thread`, `journal window`. */
  what: string;
}

export interface SupervisorOptions {
  onWarning: (message: string) => void;
  onHealth?: (health: JournalHealth) => void;
  /** First wait before starting the owner again; doubles per failed start, up to 10 s. Default 250 ms. */
  restartDelayMs?: number;
}

export interface SupervisedJournal<T> {
  /** The journal, whichever owner holds it now: calls during a restart wait for the new one. */
  journal: Journal;
  health(): JournalHealth;
  /** The owner now (undefined while restarting). */
  current(): (T & { client: JournalWindowClient }) | undefined;
  close(): Promise<void>;
}

/**
 * Supervises a journal's owner: when it ends unasked it is started again, after 250 ms, then
 * twice as long per failed start (up to 10 s). Meanwhile `health()` says `restarting` with the
 * reason, `onWarning` tells the log, and calls wait for the new owner; the writer's batch that was
 * in flight fails and goes again — its id tells the new owner whether it was written
 * (batch-order.ts). Resolves once the first owner has opened its journal.
 */
export async function superviseJournal<T>(owner: JournalOwner<T>, options: SupervisorOptions): Promise<SupervisedJournal<T>> {
  const { onWarning } = options;
  const firstDelay = options.restartDelayMs ?? 250;
  let health: JournalHealth = { state: 'ok', restarts: 0, message: null };
  let closing = false;
  let running: (T & { client: JournalWindowClient }) | undefined;
  let current: Promise<T & { client: JournalWindowClient }>;
  const report = (next: JournalHealth) => {
    health = next;
    options.onHealth?.(next);
  };

  const onExit = (reason: string) => {
    if (closing) return;
    running = undefined;
    onWarning(`${reason}; starting it again`);
    report({ ...health, state: 'restarting', message: reason });
    current = restart(firstDelay);
    current.catch(() => undefined);
  };

  const restart = async (delayMs: number): Promise<T & { client: JournalWindowClient }> => {
    for (let delay = delayMs; ; delay = Math.min(delay * 2, 10_000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (closing) throw new Error('the journal is closed');
      try {
        running = await owner.start(onExit);
        onWarning(`${owner.what} started again`);
        report({ state: 'ok', restarts: health.restarts + 1, message: null });
        return running;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        onWarning(`${message}; trying again in ${Math.min(delay * 2, 10_000)} ms`);
        report({ ...health, state: 'restarting', message });
      }
    }
  };

  running = await owner.start(onExit);
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
    current: () => running,
    close: async () => {
      closing = true;
      const last = running;
      if (last !== undefined) await owner.stop(last);
    },
  };
}
