/**
 * Worker-thread entry of the headless host's engine (issue 19, DESIGN §10): the segmented
 * HostJournal and live analysis run here together (engine-host.ts), so neither delays frame
 * capture nor the App API on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HostJournal } from '../journal/host-journal';
import { WORKER_WARNING } from '../journal/journal-worker-protocol';
import { hostEngine, type RecentPast } from './engine-host';
import type { EngineSettings } from './engine-protocol';

const port = parentPort;
if (!port) throw new Error('engine-worker.ts runs as a worker thread');
const { directory, settings, recent } = workerData as { directory: string; settings: EngineSettings; recent: RecentPast };
const opened = HostJournal.open({ directory, onWarning: (message) => port.postMessage({ [WORKER_WARNING]: message }) });
const handle = hostEngine(opened, { settings, recent, post: (message) => port.postMessage(message) });
port.on('message', handle);
