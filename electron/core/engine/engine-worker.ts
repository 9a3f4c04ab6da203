/**
 * Worker-thread entry of the headless host's engine (issue 19, DESIGN §10): the segmented
 * HostJournal and live analysis run here together, so neither delays frame capture nor the
 * App API on the main thread. What the journal takes is what the engine analyzes — the same
 * decoded records, in the same order — so nothing crosses threads twice, and a session's detail
 * is read back from the journal in this thread, never copied across.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveJournal } from '../../../shared/journal';
import { HostJournal } from '../journal/host-journal';
import { recentRecords, sessionFrames } from '../journal/journal-reads';
import { WORKER_WARNING } from '../journal/journal-worker-protocol';
import { EngineCore } from './engine-core';
import { ENGINE, unwrapEngine, type EngineMessage, type EngineRequest, type EngineSettings, type FeedRequest } from './engine-protocol';
import { EngineServer } from './engine-server';

const port = parentPort;
if (!port) throw new Error('engine-worker.ts runs as a worker thread');
const { directory, settings, recent } = workerData as { directory: string; settings: EngineSettings; recent: { windowMs: number; records: number } };
const warn = (message: string) => port.postMessage({ [WORKER_WARNING]: message });
const opened = HostJournal.open({ directory, onWarning: warn });

const core = new EngineCore({
  monitor: settings,
  // A compacted session is read back here, after the writes before it: the newest of its frames are in the file.
  sessionEvents: async (scope, limit) => {
    await serve.written();
    return sessionFrames(await opened, scope, limit);
  },
  onWarning: warn,
});
const server = new EngineServer(core, (message: EngineMessage) => port.postMessage({ [ENGINE]: message }));

/** The journal opened and its recent past analyzed again: only then are appends and requests taken, so nothing is analyzed out of order. */
const ready = opened.then(async (store) => {
  server.knownWritten(store.lastBatch);
  for (const record of await recentRecords(store, recent.windowMs, recent.records)) core.ingest(record);
  return store;
});

const serve = serveJournal(ready, (message) => port.postMessage(message), { onRecords: (records, tag) => server.records(records, tag) });
port.on('message', (message: unknown) => {
  const request = unwrapEngine<EngineRequest | FeedRequest>(message);
  if (request === undefined) return serve(message);
  void ready.then(
    () => (request.op === 'records' ? server.analyzeCaptured(request.batch, warn) : request.op === 'read' ? undefined : server.handle(request)),
    () => undefined,
  );
});
