import { AppError, type ApiError } from '../../../shared/api';
import { decodeCapture, type BatchTag, type JournalRecord } from '../../../shared/journal';
import type { MonitorMetrics } from '../monitor';
import { realTimers, type Timers } from '../timers';
import type { EngineSubscription } from './engine';
import type { EngineCore } from './engine-core';
import type { EngineMessage, EngineRequest, MetricsCall } from './engine-protocol';

/** How often the engine takes its subscriptions' deltas (a receiver takes them at most every 100 ms). */
export const PUMP_MS = 50;

/** Recorder calls relayed per message at most; the rest go with the next. */
const MAX_METRICS_CALLS = 50_000;

/** One subscription held for a receiver in the other thread: one delta in flight at a time. */
interface Held {
  subscription: EngineSubscription;
  /** The receiver took the last delta sent (or none was sent yet). */
  credit: boolean;
}

/** The monitor's recorder calls, kept to be made again where `/metrics` is served. */
class MetricsRelay implements MonitorMetrics {
  calls: MetricsCall[] = [];
  open: () => Partial<Record<string, number>> = () => ({});

  baseline(...args: Parameters<MonitorMetrics['baseline']>): void {
    this.calls.push(['baseline', ...args]);
  }
  observationLoss(...args: Parameters<MonitorMetrics['observationLoss']>): void {
    this.calls.push(['observationLoss', ...args]);
  }
  chunkGap(...args: Parameters<MonitorMetrics['chunkGap']>): void {
    if (this.calls.length < MAX_METRICS_CALLS) this.calls.push(['chunkGap', ...args]);
  }
  session(...args: Parameters<MonitorMetrics['session']>): void {
    this.calls.push(['session', ...args]);
  }
  forget(...args: Parameters<MonitorMetrics['forget']>): void {
    this.calls.push(['forget', ...args]);
  }
  readOpenSessionsFrom(byStatus: () => Partial<Record<string, number>>): void {
    this.open = byStatus;
  }
}

function apiError(error: unknown): ApiError {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/**
 * The engine's side of the engine protocol (engine-protocol.ts), in the journal's thread:
 * answers requests with the {@link EngineCore}, feeds it what the journal takes (each tagged
 * batch once, however often it is sent), and sends subscription deltas, ended sessions and
 * metrics on its pump.
 */
export class EngineServer {
  private readonly held = new Map<number, Held>();
  /** Per writer, the last batch id analyzed: a batch sent again after a failed write is not analyzed twice. */
  private readonly analyzed = new Map<string, number>();
  private metrics: MetricsRelay | undefined;
  private pump: unknown;

  constructor(
    private readonly core: EngineCore,
    private readonly post: (message: EngineMessage) => void,
    private readonly timers: Timers = realTimers,
  ) {
    core.onSessionEnd((connection, channel) => post({ kind: 'ended', connection, channel }));
    const tick = (): void => {
      this.pump = this.timers.setTimeout(() => {
        tick();
        this.flush();
      }, PUMP_MS);
    };
    tick();
  }

  /** What the journal wrote before this thread started (the last batch of each writer it knows of) was analyzed then. */
  knownWritten(tag: BatchTag | undefined): void {
    if (tag !== undefined) this.analyzed.set(tag.writer, tag.id);
  }

  /** Records the journal takes, in its order (serveJournal's `onRecords`). */
  records(records: readonly JournalRecord[], tag: BatchTag | undefined): void {
    if (tag !== undefined) {
      if ((this.analyzed.get(tag.writer) ?? 0) >= tag.id) return;
      this.analyzed.set(tag.writer, tag.id);
    }
    for (const record of records) this.core.ingest(record);
  }

  /**
   * A captured batch main sent for analysis alone (an engine without a journal of its own, or
   * records its journal turned away): decoded and analyzed; one that does not decode is told.
   */
  analyzeCaptured(batch: unknown, warn: (message: string) => void): void {
    const decoded = decodeCapture(batch);
    if (decoded.ok) this.records(decoded.capture.records, undefined);
    else warn(`a captured batch could not be analyzed: ${decoded.message}`);
  }

  async handle(request: EngineRequest): Promise<void> {
    switch (request.op) {
      case 'took': {
        const held = this.held.get(request.sub);
        if (held) held.credit = true;
        return;
      }
      case 'close':
        this.held.get(request.sub)?.subscription.close();
        this.held.delete(request.sub);
        return;
      case 'setStart':
        this.core.setStart(request.sessionId, request.at, request.from);
        return;
      case 'targets':
        this.core.setReconcileTargets(new Map(request.targets));
        return;
      case 'importBegin':
        this.core.importBegin(request.source);
        return;
      case 'metrics':
        if (this.metrics === undefined) {
          this.metrics = new MetricsRelay();
          this.core.attachMetrics(this.metrics);
        }
        return;
      default:
        return this.answer(request);
    }
  }

  close(): void {
    this.timers.clearTimeout(this.pump);
    for (const held of this.held.values()) held.subscription.close();
    this.held.clear();
  }

  private async answer(request: Extract<EngineRequest, { id: number }>): Promise<void> {
    try {
      const value = await this.value(request);
      this.post({ kind: 'result', id: request.id, ok: true, value });
    } catch (error) {
      this.post({ kind: 'result', id: request.id, ok: false, error: apiError(error) });
    }
  }

  private async value(request: Extract<EngineRequest, { id: number }>): Promise<unknown> {
    switch (request.op) {
      case 'call':
        return this.core.call(request.command, request.request as never);
      case 'open': {
        const { snapshot, subscription } = await this.core.open(request.request);
        this.held.get(request.sub)?.subscription.close();
        this.held.set(request.sub, { subscription, credit: true });
        return snapshot;
      }
      case 'scope':
        return this.core.scope(request.sessionId);
      case 'reconcile':
        return (await this.core.reconcile(request.sessionId, request.trigger)) ?? null;
      case 'importEnd':
        return this.core.importEnd(request.source);
      case 'footprint':
        return this.core.monitor.footprint();
    }
  }

  /** Each subscription with credit gives its delta, if any; the metrics relayed since the last. */
  private flush(): void {
    for (const [sub, held] of this.held) {
      if (!held.credit) continue;
      const delta = held.subscription.take();
      if (delta === undefined) continue;
      held.credit = false;
      this.post({ kind: 'delta', sub, delta });
    }
    const metrics = this.metrics;
    if (metrics !== undefined && metrics.calls.length > 0) {
      const calls = metrics.calls;
      metrics.calls = [];
      this.post({ kind: 'metrics', calls, open: metrics.open() });
    }
  }
}
