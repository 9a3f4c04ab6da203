import type { CommandResponse, ParsedRequest, ReconcileResult } from '../../../shared/api';
import type { KnownStart } from '../../../shared/analysis';
import type { JournalRecord } from '../../../shared/journal';
import type { Monitor, MonitorMetrics, ReconcileTarget, SessionScope } from '../monitor';
import type { AnalysisCommand, AnalysisTopicRequest, Engine, EngineFootprint, EngineSubscription, ImportTally } from './engine';
import { EngineCore, type EngineCoreOptions } from './engine-core';

/**
 * The engine in the calling thread: what the capture thread hands over is analyzed at once.
 * Electron's main uses it for now (its journal is the hidden window's), and so do a host without
 * a journal and the tests that drive the monitor's clock.
 */
export class LocalEngine implements Engine {
  readonly core: EngineCore;

  constructor(options: EngineCoreOptions = {}) {
    this.core = new EngineCore(options);
  }

  /** The monitor itself (only an engine in this thread has one here: tests, in-process tools). */
  get monitor(): Monitor {
    return this.core.monitor;
  }

  capture(record: JournalRecord): void {
    this.core.ingest(record);
  }

  call<C extends AnalysisCommand>(command: C, request: ParsedRequest<C>): Promise<CommandResponse<C>> {
    return this.core.call(command, request);
  }

  open(request: AnalysisTopicRequest): Promise<{ snapshot: unknown; subscription: EngineSubscription }> {
    return this.core.open(request);
  }

  setStart(sessionId: string, at: number, from: KnownStart['from']): void {
    this.core.setStart(sessionId, at, from);
  }

  scope(sessionId: string): Promise<SessionScope> {
    return Promise.resolve(this.core.scope(sessionId));
  }

  setReconcileTargets(targets: ReadonlyMap<string, ReconcileTarget>): void {
    this.core.setReconcileTargets(targets);
  }

  reconcile(sessionId: string, trigger: 'reconnect' | 'manual'): Promise<ReconcileResult | undefined> {
    return this.core.reconcile(sessionId, trigger);
  }

  importBegin(source: string): void {
    this.core.importBegin(source);
  }

  importEnd(source: string): Promise<ImportTally> {
    return Promise.resolve(this.core.importEnd(source));
  }

  onSessionEnd(listener: (connection: string, channel: string) => void): () => void {
    return this.core.onSessionEnd(listener);
  }

  footprint(): Promise<EngineFootprint> {
    return Promise.resolve(this.core.monitor.footprint());
  }

  attachMetrics(recorder: MonitorMetrics): void {
    this.core.attachMetrics(recorder);
  }

  close(): Promise<void> {
    this.core.close();
    return Promise.resolve();
  }
}
