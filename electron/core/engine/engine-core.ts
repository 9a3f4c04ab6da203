import { AppError, commandDomains, profileOfConnection, type CommandResponse, type ParsedRequest, type ReconcileResult } from '../../../shared/api';
import type { KnownStart } from '../../../shared/analysis';
import type { JournalRecord } from '../../../shared/journal';
import { preciseNow, type Clock } from '../clock';
import { IngestGuard } from '../ingest-guard';
import {
  MAX_SESSION_FRAMES,
  Monitor,
  RecordFollower,
  SessionTimelines,
  type MonitorMetrics,
  type MonitorOptions,
  type PrepareOptions,
  type ReconcileTarget,
  type RecordFollowerOptions,
  type SessionScope,
} from '../monitor';
import { ContractsService } from '../app/services/contracts-service';
import { fleetSummary, SessionsService } from '../app/services/sessions-service';
import { SessionSource, type SessionEvents } from '../app/session-source';
import { AnalysisTopics } from '../app/topics';
import { LISTED_IMPORT_SESSIONS, type AnalysisCommand, type AnalysisTopicRequest, type EngineSubscription, type ImportTally } from './engine';

export interface EngineCoreOptions {
  clock?: Clock;
  monitor?: MonitorOptions;
  /** Background classification of long sessions when they end (see SessionTimelines). */
  prepareTimelines?: PrepareOptions;
  /** Where a session's full event list comes from (the journal); default: the monitor's retained history. */
  sessionEvents?: SessionEvents;
  /** Reconciliation's timers, fetch and default settle window (tests drive time through them). */
  reconcile?: Omit<RecordFollowerOptions, 'clock'>;
  /** Where problems that do not fail a command are told (a record the analyzer could not read). */
  onWarning?: (message: string) => void;
}

type Handler = (request: unknown, context: object) => unknown;

/**
 * Live analysis, whole, in one thread: the monitor and what is built on it — the session
 * timelines, the session/live/fleet topics, reconciliation after reconnects and terminals, the
 * `sessions.*`/`contracts` commands. Fed records in arrival order; tells when a session ended.
 * The capture/UI thread reaches it through an {@link Engine} (engine.ts).
 */
export class EngineCore {
  readonly monitor: Monitor;
  readonly timelines: SessionTimelines;
  readonly source: SessionSource;
  readonly topics: AnalysisTopics;
  private readonly follower: RecordFollower;
  private readonly guard: IngestGuard;
  private readonly handlers = new Map<string, Handler>();
  private readonly downConnections = new Set<string>();
  private readonly endListeners = new Set<(connection: string, channel: string) => void>();
  private readonly tallies = new Map<string, { sessions: Set<string>; count: number }>();
  private targets: ReadonlyMap<string, ReconcileTarget> = new Map();

  constructor(options: EngineCoreOptions = {}) {
    const clock = options.clock ?? preciseNow;
    const warn = options.onWarning ?? ((message: string) => console.warn(`EchoScope: ${message}`));
    this.guard = new IngestGuard(warn);
    const sessionEvents = options.sessionEvents;
    this.monitor = new Monitor({
      ...options.monitor,
      clock,
      // With a journal, ended sessions are compacted to their rows and read back from it on demand.
      ...(sessionEvents ? { sessionSource: (scope: SessionScope) => sessionEvents(scope, MAX_SESSION_FRAMES) } : {}),
      onWarning: warn,
    });
    this.source = new SessionSource(this.monitor, sessionEvents);
    this.follower = new RecordFollower(
      {
        target: (sessionId) => {
          // A session first seen by a profile's tap is that profile's.
          const connection = this.monitor.connectionOf(sessionId);
          return connection === undefined ? undefined : this.targets.get(profileOfConnection(connection));
        },
        detail: (sessionId) => this.monitor.detail(sessionId),
        result: (sessionId, result) => this.monitor.recordReconcile(sessionId, result),
      },
      { ...options.reconcile, clock },
    );
    this.timelines = new SessionTimelines(this.monitor, (sessionId, vantage) => this.source.frames(sessionId, vantage), 4, options.prepareTimelines);
    this.topics = new AnalysisTopics(this.monitor, (params) => fleetSummary(this.monitor, params));
    this.monitor.onUpdate((update) => {
      // After a session's first terminal, its later terminals and after-terminal events make the record worth another look.
      this.follower.rowsChanged(update.items);
    });
    this.monitor.onSessionEnd((sessionId, row) => {
      this.follower.ended(sessionId, row);
      const connection = this.monitor.connectionOf(sessionId);
      if (connection !== undefined) for (const listener of this.endListeners) listener(connection, row.channel);
      this.timelines.ended(sessionId, row.events);
    });
    const sessions = new SessionsService({
      monitor: this.monitor,
      timelines: this.timelines,
      source: this.source,
      reconcile: (sessionId, trigger) => this.reconcile(sessionId, trigger),
    });
    const contracts = new ContractsService({ monitor: this.monitor, clock });
    for (const [name, handler] of [...Object.entries(sessions.handlers), ...Object.entries(contracts.handlers)]) this.handlers.set(name, handler as Handler);
    this.monitor.start();
  }

  /** One record, in arrival order: analyzed (a record the analyzer cannot read is told and skipped), and tallied for an import. */
  ingest(record: JournalRecord): void {
    const key = this.guard.feed((r) => this.monitor.ingest(r), record);
    if (key !== undefined && record.source !== undefined) {
      const tally = this.tallies.get(record.source);
      if (tally !== undefined && !tally.sessions.has(key)) {
        tally.count++;
        if (tally.sessions.size < LISTED_IMPORT_SESSIONS) tally.sessions.add(key);
      }
    }
    if (record.type !== 'connection') return;
    const wasDown = this.downConnections.has(record.connection);
    if (record.state === 'connected') {
      this.downConnections.delete(record.connection);
      // Back after a drop: what did the sessions that spanned the outage miss?
      if (wasDown) for (const sessionId of this.monitor.openSessionsOn(record.connection)) void this.reconcile(sessionId, 'reconnect');
    } else if (record.state !== 'connecting') {
      this.downConnections.add(record.connection);
    }
  }

  async call<C extends AnalysisCommand>(command: C, request: ParsedRequest<C>): Promise<CommandResponse<C>> {
    const handler = this.handlers.get(command);
    if (handler === undefined) throw new AppError('unknown_command', `live analysis does not answer "${command}"`);
    return (await handler(request, {})) as CommandResponse<C>;
  }

  open(request: AnalysisTopicRequest): Promise<{ snapshot: unknown; subscription: EngineSubscription }> {
    return this.topics.open(request);
  }

  setStart(sessionId: string, at: number, from: KnownStart['from']): void {
    this.monitor.setStart(sessionId, at, from);
  }

  scope(sessionId: string): SessionScope {
    return this.source.scope(sessionId);
  }

  setReconcileTargets(targets: ReadonlyMap<string, ReconcileTarget>): void {
    this.targets = targets;
  }

  reconcile(sessionId: string, trigger: 'reconnect' | 'manual'): Promise<ReconcileResult | undefined> {
    return this.follower.check(sessionId, trigger);
  }

  importBegin(source: string): void {
    this.tallies.set(source, { sessions: new Set(), count: 0 });
  }

  importEnd(source: string): ImportTally {
    const tally = this.tallies.get(source);
    this.tallies.delete(source);
    return { sessions: [...(tally?.sessions ?? [])], count: tally?.count ?? 0 };
  }

  onSessionEnd(listener: (connection: string, channel: string) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  attachMetrics(recorder: MonitorMetrics): void {
    this.monitor.attachMetrics(recorder);
  }

  close(): void {
    this.monitor.stop();
    this.follower.close();
    this.timelines.close();
  }
}

/** The analysis commands, by name (what an engine in another thread is asked). */
export const ANALYSIS_COMMANDS: ReadonlySet<string> = new Set([...Object.keys(commandDomains.sessions), ...Object.keys(commandDomains.contracts)]);
