/**
 * One engine beside its journal, wherever it runs (issue 19, DESIGN §10): `serve`'s engine
 * thread over the segmented HostJournal, and the desktop app's hidden journal window over
 * IndexedDB. What the journal takes is what the engine analyzes — the same decoded records, in
 * the same order — so nothing crosses threads twice, and a compacted session's detail is read
 * back from the journal where it is, never copied across.
 *
 * Portable on purpose: no Node and no DOM. Everything this module reaches runs in a Chromium
 * page as well as in a worker thread (`npm run lint:deps` holds it so).
 */
import { serveJournal, type Journal, type ServedJournal } from '../../../shared/journal';
import { recentRecords, sessionFrames } from '../journal/journal-reads';
import { WORKER_WARNING } from '../journal/journal-worker-protocol';
import { EngineCore } from './engine-core';
import { ENGINE, unwrapEngine, type EngineMessage, type EngineRequest, type EngineSettings, type FeedRequest } from './engine-protocol';
import { EngineServer } from './engine-server';

/** What of the journal's recent past an engine analyzes again when it starts. */
export interface RecentPast {
  windowMs: number;
  records: number;
}

/** Records of the most recent sessions analyzed again at start-up (~5 µs each: a bounded start, whatever the journal's size), within a day of the newest. */
export const RECENT_PAST: RecentPast = { windowMs: 24 * 3_600_000, records: 20_000 };

/** A journal an engine can stand beside: it serves the journal protocol and answers the engine's reads. */
export type EngineJournal = ServedJournal & Pick<Journal, 'query' | 'stats' | 'sessions'>;

export interface EngineHostOptions {
  settings?: EngineSettings;
  recent?: RecentPast;
  /** Posts a message to main: the journal's answers, the engine's, and warnings (`WORKER_WARNING`). */
  post(message: unknown): void;
}

/**
 * Serves the journal and the engine on one port: returns the handler of each message from main.
 * Until the journal has opened and its recent past is analyzed again, nothing is taken (so nothing
 * is analyzed out of order).
 */
export function hostEngine(opened: Promise<EngineJournal>, options: EngineHostOptions): (message: unknown) => void {
  const { post } = options;
  const recent = options.recent ?? RECENT_PAST;
  const warn = (message: string) => post({ [WORKER_WARNING]: message });
  const core = new EngineCore({
    monitor: options.settings ?? {},
    // A compacted session is read back here, after the writes before it: the newest of its frames are in the journal.
    sessionEvents: async (scope, limit) => {
      await serve.written();
      return sessionFrames(await opened, scope, limit);
    },
    onWarning: warn,
  });
  const server = new EngineServer(core, (message: EngineMessage) => post({ [ENGINE]: message }));
  const ready = opened.then(async (store) => {
    server.knownWritten(store.lastBatch);
    for (const record of await recentRecords(store, recent.windowMs, recent.records)) core.ingest(record);
    return store;
  });
  const serve = serveJournal(ready, post, { onRecords: (records, tag) => server.records(records, tag) });
  return (message: unknown) => {
    const request = unwrapEngine<EngineRequest | FeedRequest>(message);
    if (request === undefined) return serve(message);
    void ready.then(
      () => (request.op === 'records' ? server.analyzeCaptured(request.batch, warn) : request.op === 'read' ? undefined : server.handle(request)),
      () => undefined,
    );
  };
}
