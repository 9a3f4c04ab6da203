import type { ApiError } from '../../../shared/api';
import type { KnownStart } from '../../../shared/analysis';
import type { CapturedBatch, FrameRecord } from '../../../shared/journal';
import type { MonitorMetrics, MonitorOptions, ReconcileTarget, SessionScope } from '../monitor';
import type { AnalysisCommand, AnalysisTopicRequest } from './engine';

/**
 * Messages between the capture/UI thread and the engine beside the journal (`serve`'s worker
 * thread, the desktop app's journal window: engine-host.ts), beside the journal protocol on the same port (shared/journal/window-protocol.ts): each is wrapped as
 * `{ [ENGINE]: … }`, so the journal's client and server never see them. Both ends are this
 * program's own threads; what crosses is plain data (structured clone).
 */
export const ENGINE = 'echoscopeEngine';

/** What the capture thread asks of the engine. `id`: the request a `result` answers. */
export type EngineRequest =
  | { op: 'call'; id: number; command: AnalysisCommand; request: unknown }
  | { op: 'open'; id: number; sub: number; request: AnalysisTopicRequest }
  /** The receiver took subscription `sub`'s delta: the next may be computed. */
  | { op: 'took'; sub: number }
  | { op: 'close'; sub: number }
  | { op: 'setStart'; sessionId: string; at: number; from: KnownStart['from'] }
  | { op: 'scope'; id: number; sessionId: string }
  | { op: 'targets'; targets: [string, ReconcileTarget][] }
  | { op: 'reconcile'; id: number; sessionId: string; trigger: 'reconnect' | 'manual' }
  | { op: 'importBegin'; source: string }
  | { op: 'importEnd'; id: number; source: string }
  | { op: 'footprint'; id: number }
  /** Count into `/metrics` from now on (the engine relays its recorder calls). */
  | { op: 'metrics' };

/**
 * What main feeds an engine thread that has no journal beside it (`serve --no-journal`, a desktop
 * app whose journal window did not open): the records it captured, and the answers to its reads.
 */
export type FeedRequest = { op: 'records'; batch: CapturedBatch } | { op: 'read'; id: number; frames?: FrameRecord[]; error?: string };

/** A recorder call the engine made, to be made again on the recorder where `/metrics` is served. */
export type MetricsCall = { [M in keyof MonitorMetrics]: [M, ...Parameters<MonitorMetrics[M]>] }[Exclude<keyof MonitorMetrics, 'readOpenSessionsFrom'>];

/** What the engine tells the capture thread. */
export type EngineMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: ApiError }
  | { kind: 'delta'; sub: number; delta: unknown }
  | { kind: 'ended'; connection: string; channel: string }
  | { kind: 'metrics'; calls: MetricsCall[]; open: Partial<Record<string, number>> }
  /** A compacted session's frames, asked of main (an engine thread without a journal of its own). */
  | { kind: 'read'; id: number; scope: SessionScope; limit: number };

/** The monitor's settings an engine thread is started with (plain data: no clocks or timers cross). */
export type EngineSettings = Pick<MonitorOptions, 'analyzer' | 'tickMs' | 'maxEndedSessions' | 'compactAfterMs' | 'maxHeldFrames'>;

/** A wrapped engine message, or undefined when `message` is not one. */
export function unwrapEngine<T>(message: unknown): T | undefined {
  if (typeof message !== 'object' || message === null || !(ENGINE in message)) return undefined;
  return (message as Record<string, T>)[ENGINE];
}
