import { AppError, type CommandResponse, type ParsedRequest, type ReconcileResult, type SessionDetail, type TopicState } from '../../../shared/api';
import type { KnownStart } from '../../../shared/analysis';
import type { WorkerChannel } from '../journal/journal-worker-host';
import type { MonitorMetrics, ReconcileTarget, SessionScope } from '../monitor';
import type { AnalysisCommand, AnalysisTopicRequest, Engine, EngineFootprint, EngineSubscription, ImportTally } from './engine';
import { CapturedBatchBuilder, type FrameRecord, type JournalRecord } from '../../../shared/journal';
import { ENGINE, unwrapEngine, type EngineMessage, type EngineRequest, type FeedRequest, type MetricsCall } from './engine-protocol';

/** How long captured records wait to go to a fed engine thread as one batch, at most (or `FEED_BATCH` of them). */
const FEED_MS = 20;
const FEED_BATCH = 5000;

/**
 * What an engine thread without a journal beside it needs from this side (engine/analysis-worker.ts):
 * the records captured here, and a compacted session's frames. A thread started again after a
 * crash starts empty and analyzes what comes from then on (the journal keeps everything; sessions
 * under way then read as late joins) — unlike `serve`'s, which re-reads its journal's recent past.
 */
export interface EngineFeed {
  /** Without a journal there is none: the thread then compacts nothing and never asks. */
  sessionEvents?(scope: SessionScope, limit: number): Promise<FrameRecord[]>;
}

/** A request without its `id` (the client numbers them). */
type Asked = EngineRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** A topic's snapshot as a delta that replaces whatever the receiver held (after the engine thread started again). */
function snapshotDelta(topic: AnalysisTopicRequest['topic'], snapshot: unknown): unknown {
  switch (topic) {
    case 'session':
      return snapshot === null ? undefined : { kind: 'replace', detail: snapshot as SessionDetail };
    case 'live': {
      const window = snapshot as TopicState<'live'>;
      return { total: window.total, sessions: window.sessions, counts: window.counts, ids: window.rows.map((row) => row.sessionId), rows: window.rows };
    }
    case 'fleet':
      return { fleet: snapshot };
  }
}

/** A subscription held by the engine thread: its one delta in flight, taken by the receiver's next flush. */
class RemoteSubscription implements EngineSubscription {
  pending: unknown;
  closed = false;

  constructor(
    readonly sub: number,
    readonly request: AnalysisTopicRequest,
    private readonly engine: WorkerEngine,
  ) {}

  take(): unknown {
    const delta = this.pending;
    if (delta === undefined) return undefined;
    this.pending = undefined;
    this.engine.post({ op: 'took', sub: this.sub });
    return delta;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.forget(this);
  }
}

/**
 * The engine in the journal's worker thread (engine-worker.ts), as the capture/UI thread sees
 * it: commands and topic subscriptions go over the worker's port; the records it analyzes are
 * the journal's, so `capture` sends nothing. When the thread is started again (its supervisor),
 * it re-analyzes the journal's recent past, and this side tells it again the reconciliation
 * targets and the metrics, and opens every subscription again, whose receiver then gets the
 * fresh snapshot as a replacing delta. Requests in flight then fail (`not_connected`).
 */
export class WorkerEngine implements Engine {
  private nextId = 1;
  private nextSub = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly subscriptions = new Map<number, RemoteSubscription>();
  private readonly endListeners = new Set<(connection: string, channel: string) => void>();
  private targets: [string, ReconcileTarget][] = [];
  private metrics: MonitorMetrics | undefined;
  private lastOpen: Partial<Record<string, number>> = {};
  private readonly unsubscribe: (() => void)[];
  private closed = false;
  /** Records captured for a fed engine thread, not sent yet. */
  private readonly captured = new CapturedBatchBuilder();
  private feedTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `feed`: the thread has no journal of its own, so what is captured here is sent to it (batched)
   * and its reads of the journal are answered here. Without it, the thread analyzes what its
   * journal takes and `capture` sends nothing.
   */
  constructor(
    private readonly channel: WorkerChannel,
    private readonly feed?: EngineFeed,
  ) {
    this.unsubscribe = [channel.onMessage((message) => this.receive(message)), channel.onRestart(() => this.restarted())];
  }

  capture(record: JournalRecord, wireText?: string, journaled = false): void {
    // An engine thread with its own journal analyzes what the journal takes: the same record reaches it there.
    // One the journal turned away (too many wait for it) is analyzed all the same: it goes on its own.
    if ((this.feed === undefined && journaled) || this.closed) return;
    this.captured.add(record, wireText);
    if (this.captured.count >= FEED_BATCH) this.sendCaptured();
    else this.feedTimer ??= setTimeout(() => this.sendCaptured(), FEED_MS);
  }

  call<C extends AnalysisCommand>(command: C, request: ParsedRequest<C>): Promise<CommandResponse<C>> {
    return this.ask({ op: 'call', command, request }) as Promise<CommandResponse<C>>;
  }

  async open(request: AnalysisTopicRequest): Promise<{ snapshot: unknown; subscription: EngineSubscription }> {
    const sub = this.nextSub++;
    const subscription = new RemoteSubscription(sub, request, this);
    this.subscriptions.set(sub, subscription);
    try {
      const snapshot = await this.ask({ op: 'open', sub, request });
      return { snapshot, subscription };
    } catch (error) {
      subscription.close();
      throw error;
    }
  }

  setStart(sessionId: string, at: number, from: KnownStart['from']): void {
    this.post({ op: 'setStart', sessionId, at, from });
  }

  scope(sessionId: string): Promise<SessionScope> {
    return this.ask({ op: 'scope', sessionId }) as Promise<SessionScope>;
  }

  setReconcileTargets(targets: ReadonlyMap<string, ReconcileTarget>): void {
    this.targets = [...targets];
    this.post({ op: 'targets', targets: this.targets });
  }

  async reconcile(sessionId: string, trigger: 'reconnect' | 'manual'): Promise<ReconcileResult | undefined> {
    return ((await this.ask({ op: 'reconcile', sessionId, trigger })) as ReconcileResult | null) ?? undefined;
  }

  importBegin(source: string): void {
    this.post({ op: 'importBegin', source });
  }

  importEnd(source: string): Promise<ImportTally> {
    return this.ask({ op: 'importEnd', source }) as Promise<ImportTally>;
  }

  onSessionEnd(listener: (connection: string, channel: string) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  footprint(): Promise<EngineFootprint> {
    return this.ask({ op: 'footprint' }) as Promise<EngineFootprint>;
  }

  attachMetrics(recorder: MonitorMetrics): void {
    this.metrics = recorder;
    recorder.readOpenSessionsFrom(() => this.lastOpen);
    this.post({ op: 'metrics' });
  }

  close(): Promise<void> {
    if (this.feedTimer !== undefined) clearTimeout(this.feedTimer);
    this.closed = true;
    for (const off of this.unsubscribe) off();
    this.fail('the engine closed');
    return Promise.resolve();
  }

  /** @internal the subscriptions' side. Records captured before it go first: the engine sees everything in this side's order. */
  post(request: EngineRequest | FeedRequest): void {
    if (this.closed) return;
    if (request.op !== 'records' && this.captured.count > 0) this.sendCaptured();
    this.channel.post({ [ENGINE]: request });
  }

  private sendCaptured(): void {
    if (this.feedTimer !== undefined) clearTimeout(this.feedTimer);
    this.feedTimer = undefined;
    if (this.captured.count > 0) this.post({ op: 'records', batch: this.captured.take() });
  }

  /** @internal a subscription closed by its receiver */
  forget(subscription: RemoteSubscription): void {
    this.subscriptions.delete(subscription.sub);
    this.post({ op: 'close', sub: subscription.sub });
  }

  private ask(request: Asked): Promise<unknown> {
    if (this.closed) return Promise.reject(new AppError('not_connected', 'the engine closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ ...request, id } as EngineRequest);
    });
  }

  private receive(raw: unknown): void {
    const message = unwrapEngine<EngineMessage>(raw);
    if (message === undefined) return;
    switch (message.kind) {
      case 'result': {
        const waiting = this.pending.get(message.id);
        if (waiting === undefined) return;
        this.pending.delete(message.id);
        if (message.ok) waiting.resolve(message.value);
        else waiting.reject(new AppError(message.error.code, message.error.message));
        return;
      }
      case 'delta': {
        const subscription = this.subscriptions.get(message.sub);
        if (subscription !== undefined) subscription.pending = message.delta;
        return;
      }
      case 'ended':
        for (const listener of this.endListeners) listener(message.connection, message.channel);
        return;
      case 'metrics':
        this.lastOpen = message.open;
        if (this.metrics !== undefined) replay(this.metrics, message.calls);
        return;
      case 'read':
        void this.answerRead(message.id, message.scope, message.limit);
        return;
    }
  }

  private async answerRead(id: number, scope: SessionScope, limit: number): Promise<void> {
    const read = this.feed?.sessionEvents;
    if (read === undefined) return this.post({ op: 'read', id, error: 'no journal here to read a session back from' });
    try {
      this.post({ op: 'read', id, frames: await read(scope, limit) });
    } catch (error) {
      this.post({ op: 'read', id, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** A new engine thread took over: what the old one was told is told again, and every subscription is opened again. */
  private restarted(): void {
    this.fail('the engine thread was started again: ask again');
    if (this.targets.length > 0) this.post({ op: 'targets', targets: this.targets });
    if (this.metrics !== undefined) this.post({ op: 'metrics' });
    for (const subscription of this.subscriptions.values()) {
      const id = this.nextId++;
      this.pending.set(id, {
        resolve: (snapshot) => {
          if (!subscription.closed) subscription.pending = snapshotDelta(subscription.request.topic, snapshot);
        },
        reject: () => undefined,
      });
      this.post({ op: 'open', id, sub: subscription.sub, request: subscription.request });
    }
  }

  private fail(reason: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of waiting) reject(new AppError('not_connected', reason));
  }
}

/** Makes the engine thread's recorder calls on the recorder here. */
function replay(recorder: MonitorMetrics, calls: readonly MetricsCall[]): void {
  for (const call of calls) {
    switch (call[0]) {
      case 'baseline':
        recorder.baseline(call[1]);
        break;
      case 'observationLoss':
        recorder.observationLoss(call[1], call[2], call[3], call[4], call[5]);
        break;
      case 'chunkGap':
        recorder.chunkGap(call[1], call[2]);
        break;
      case 'session':
        recorder.session(call[1], call[2]);
        break;
      case 'forget':
        recorder.forget(call[1]);
        break;
    }
  }
}
