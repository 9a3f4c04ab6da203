/**
 * Worker-thread entry of the desktop app's engine (issue 19, item 3): live analysis in a thread
 * of its own, beside Electron main, whose journal is the hidden window's IndexedDB. Main hands
 * it what it captured as batches (frames as their wire text, as the journal gets them) and
 * answers its reads of the journal (a compacted session brought back); everything else is the
 * engine protocol, as in `serve`'s engine thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeCapture, type FrameRecord } from '../../../shared/journal';
import { WORKER_WARNING } from '../journal/journal-worker-protocol';
import { EngineCore } from './engine-core';
import { ENGINE, unwrapEngine, type EngineMessage, type EngineRequest, type EngineSettings, type FeedRequest } from './engine-protocol';
import { EngineServer } from './engine-server';

const port = parentPort;
if (!port) throw new Error('analysis-worker.ts runs as a worker thread');
const { settings } = workerData as { settings: EngineSettings };
const warn = (message: string) => port.postMessage({ [WORKER_WARNING]: message });
const post = (message: EngineMessage) => port.postMessage({ [ENGINE]: message });

/** Reads of the journal asked of main, by id. */
const reads = new Map<number, { resolve(frames: FrameRecord[]): void; reject(error: Error): void }>();
let nextRead = 1;

const core = new EngineCore({
  monitor: settings,
  sessionEvents: (scope, limit) =>
    new Promise((resolve, reject) => {
      const id = nextRead++;
      reads.set(id, { resolve, reject });
      post({ kind: 'read', id, scope, limit });
    }),
  onWarning: warn,
});
const server = new EngineServer(core, post);

port.on('message', (message: unknown) => {
  const request = unwrapEngine<EngineRequest | FeedRequest>(message);
  if (request === undefined) return;
  switch (request.op) {
    case 'records': {
      const decoded = decodeCapture(request.batch);
      if (!decoded.ok) return warn(`a captured batch could not be analyzed: ${decoded.message}`);
      return server.records(decoded.capture.records, undefined);
    }
    case 'read': {
      const waiting = reads.get(request.id);
      reads.delete(request.id);
      if (request.error === undefined) waiting?.resolve(request.frames ?? []);
      else waiting?.reject(new Error(request.error));
      return;
    }
    default:
      void server.handle(request);
  }
});
