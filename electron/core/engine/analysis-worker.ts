/**
 * Worker-thread entry of an engine without a journal of its own (issue 19, item 3): live analysis
 * in a thread beside main, for a host with no journal beside its engine (`serve --no-journal`, a
 * desktop app whose journal window did not open, a runtime given a journal without an engine). Main hands it what it captured as batches
 * (frames as their wire text, as the journal gets them) and answers its reads of the journal (a
 * compacted session brought back), when there is one; everything else is the engine protocol, as
 * in `serve`'s engine thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FrameRecord } from '../../../shared/journal';
import { WORKER_WARNING } from '../journal/journal-worker-protocol';
import { EngineCore } from './engine-core';
import { ENGINE, unwrapEngine, type EngineMessage, type EngineRequest, type EngineSettings, type FeedRequest } from './engine-protocol';
import { EngineServer } from './engine-server';

const port = parentPort;
if (!port) throw new Error('analysis-worker.ts runs as a worker thread');
const { settings, journal } = workerData as { settings: EngineSettings; journal: boolean };
const warn = (message: string) => port.postMessage({ [WORKER_WARNING]: message });
const post = (message: EngineMessage) => port.postMessage({ [ENGINE]: message });

/** Reads of the journal asked of main, by id. */
const reads = new Map<number, { resolve(frames: FrameRecord[]): void; reject(error: Error): void }>();
let nextRead = 1;

const core = new EngineCore({
  monitor: settings,
  // Without a journal nothing is compacted: a session's detail is what the monitor holds.
  ...(journal
    ? {
        sessionEvents: (scope, limit) =>
          new Promise<FrameRecord[]>((resolve, reject) => {
            const id = nextRead++;
            reads.set(id, { resolve, reject });
            post({ kind: 'read', id, scope, limit });
          }),
      }
    : {}),
  onWarning: warn,
});
const server = new EngineServer(core, post);

port.on('message', (message: unknown) => {
  const request = unwrapEngine<EngineRequest | FeedRequest>(message);
  if (request === undefined) return;
  switch (request.op) {
    case 'records':
      return server.analyzeCaptured(request.batch, warn);
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
