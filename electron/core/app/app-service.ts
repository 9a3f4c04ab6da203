import {
  profileOfConnection,
  type AppInfo,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type ConnectionStatus,
  type JournalExportRequest,
  type JournalHealth,
  type ReconcileResult,
  type Result,
  type TopicName,
} from '../../../shared/api';
import type { HarCreator, JournalRecord } from '../../../shared/journal';
import { preciseNow, type Clock } from '../clock';
import { IngestGuard } from '../ingest-guard';
import { ConnectionHub, type HubOptions } from '../hub';
import { MAX_SESSION_FRAMES, Monitor, RecordFollower, SessionTimelines, type MonitorOptions, type PrepareOptions, type RecordFollowerOptions, type SessionScope } from '../monitor';
import type { ScenarioRunner } from '../scenarios';
import { CommandRouter, type DomainServices } from './command-router';
import { FrameTail } from './frame-tail';
import type { ChooseSaveFile, JournalPort } from './journal-port';
import { MemoryProfileStore, type ProfileStore } from './profile-store';
import { PushBatcher, type PushBatcherOptions, type PushSend } from './push-batcher';
import {
  AppInfoService,
  ConnectionsService,
  ContractsService,
  fleetSummary,
  JournalApiService,
  MetricsService,
  ProxyService,
  requireJournal,
  ScenariosService,
  SessionsService,
  SubscriptionsService,
  type MetricsControl,
  type MockCounters,
} from './services';
import { SessionSource, type SessionEvents } from './session-source';
import { Topics } from './topics';

export interface AppServiceOptions {
  transport: AppInfo['transport'];
  version: string;
  demo?: AppInfo['demo'];
  profiles?: ProfileStore;
  clock?: Clock;
  monitor?: MonitorOptions;
  /** Background classification of long sessions when they end (see SessionTimelines). */
  prepareTimelines?: PrepareOptions;
  /** Where a session's full event list comes from (the journal); default: the monitor's retained history. */
  sessionEvents?: SessionEvents;
  /** Counters of the embedded mock provider, when the host runs one. */
  mockCounters?: MockCounters;
  /** The scenario runner (simulate on the embedded mock, or a full check). */
  scenarios?: ScenarioRunner;
  /** Where the metrics go (`/metrics` on a port of its own, OTLP), changed live from Settings; without it `metrics.*` answer `not_found`. */
  metrics?: MetricsControl;
  /** Profile whose connection watches `simulate` runs (the demo profile on the embedded mock). */
  simulateProfileId?: string;
  /** The durable journal; without one, the journal commands answer `not_found`. */
  journal?: JournalPort;
  /** Reconciliation's timers, fetch and default settle window (tests drive time through them). */
  reconcile?: Omit<RecordFollowerOptions, 'clock'>;
  /** The hub's timers and channel API (tests). */
  hub?: HubOptions;
  /** Where problems that do not fail a command are told (a record the analyzer could not read). */
  onWarning?: (message: string) => void;
  /** The desktop app's save dialog: where to write an export (null: cancelled). Without it, `journal.saveAs` is refused. */
  chooseSaveFile?: ChooseSaveFile;
  /**
   * Stand-ins for some domains' services (tests): each answers its domain's commands instead of
   * the one built here, through the same router and `dispatch`; the others are built as usual.
   */
  services?: Partial<DomainServices>;
}

export type { JournalPort } from './journal-port';
export type { MetricsControl } from './services';
export type { SessionScope } from '../monitor';

/**
 * The Node side of the App API: one implementation behind both transports
 * (Electron IPC router, WebSocket bridge). Transports call `invoke` and attach
 * push targets; nothing else crosses the boundary.
 *
 * This is the composition root: it wires the capture path (hub → journal, monitor, tail topic),
 * reconciliation and the push targets, and registers one service per command domain with the
 * router (`./services`); the commands themselves are the services'.
 */
export class AppService {
  readonly hub: ConnectionHub;
  readonly monitor: Monitor;
  private readonly tail = new FrameTail();
  private readonly targets = new Set<PushBatcher>();
  private readonly topics: Topics;
  private journalHealth: JournalHealth | undefined;
  private readonly recordListeners = new Set<(record: JournalRecord) => void>();
  private readonly router: CommandRouter;
  private readonly downConnections = new Set<string>();
  private readonly source: SessionSource;
  private readonly timelines: SessionTimelines;
  private readonly follower: RecordFollower;
  private readonly ingestGuard: IngestGuard;

  constructor(private readonly options: AppServiceOptions) {
    const profiles = options.profiles ?? new MemoryProfileStore();
    const clock = options.clock ?? preciseNow;
    const warn = options.onWarning ?? ((message: string) => console.warn(`EchoScope: ${message}`));
    this.ingestGuard = new IngestGuard(warn);
    this.hub = new ConnectionHub(
      {
        record: (record, wireText) => this.onRecord(record, wireText),
        status: (status) => this.onStatus(status),
      },
      clock,
      options.hub,
    );
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
          return connection === undefined ? undefined : profiles.get(profileOfConnection(connection))?.reconcile;
        },
        detail: (sessionId) => this.monitor.detail(sessionId),
        result: (sessionId, result) => this.monitor.recordReconcile(sessionId, result),
      },
      { ...options.reconcile, clock },
    );
    this.topics = new Topics(this.monitor, this.tail, (params) => fleetSummary(this.monitor, params));
    this.monitor.onUpdate((update) => {
      // After a session's first terminal, its later terminals and after-terminal events make the record worth another look.
      this.follower.rowsChanged(update.items);
    });
    this.monitor.onSessionEnd((sessionId, row) => {
      this.follower.ended(sessionId, row);
      // A discovered channel is let go once its session ended (after the discovery's grace period).
      const connection = this.monitor.connectionOf(sessionId);
      if (connection !== undefined) this.hub.sessionEnded(profileOfConnection(connection), row.channel);
      this.timelines.ended(sessionId, row.events);
    });
    options.scenarios?.onSessionStart((sessionId, at) => this.monitor.setStart(sessionId, at, 'run'));
    // A check run watches on connections of its own: what they capture is journaled and analyzed here, so its sessions open like any other.
    options.scenarios?.onRecord((record) => this.onRecord(record));
    options.scenarios?.onProgress((progress) => {
      for (const target of this.targets) target.setProgress(progress);
    });
    this.timelines = new SessionTimelines(this.monitor, (sessionId, vantage) => this.source.frames(sessionId, vantage), 4, options.prepareTimelines);
    this.monitor.start();
    const standIns = options.services ?? {};
    this.router = new CommandRouter({
      app: standIns.app ?? new AppInfoService({ version: options.version, transport: options.transport, demo: options.demo ?? null }),
      connections:
        standIns.connections ?? new ConnectionsService({ hub: this.hub, profiles, tail: this.tail, ...(options.mockCounters ? { mockCounters: options.mockCounters } : {}) }),
      sessions:
        standIns.sessions ??
        new SessionsService({ monitor: this.monitor, timelines: this.timelines, source: this.source, reconcile: (sessionId, trigger) => this.reconcile(sessionId, trigger) }),
      contracts: standIns.contracts ?? new ContractsService({ monitor: this.monitor, clock }),
      metrics: standIns.metrics ?? new MetricsService(options.metrics),
      journal:
        standIns.journal ??
        new JournalApiService({
          journal: options.journal,
          ingest: (record) => this.ingestGuard.feed((r) => this.monitor.ingest(r), record),
          source: this.source,
          creator: this.harCreator(),
          clock,
          chooseSaveFile: options.chooseSaveFile,
          onWarning: warn,
        }),
      scenarios: standIns.scenarios ?? new ScenariosService({ runner: options.scenarios, hub: this.hub, simulateProfileId: options.simulateProfileId }),
      proxy: standIns.proxy ?? new ProxyService({ record: (record) => this.onRecord(record), onWarning: warn }),
      subscriptions: standIns.subscriptions ?? new SubscriptionsService(this.topics),
    });
  }

  /**
   * The transports' entry: anything may arrive here; it is validated before any service sees it.
   * `client` is the window or bridge client asking (its subscriptions are its own).
   */
  handle(command: unknown, request: unknown, client?: PushBatcher): Promise<Result<unknown>> {
    return this.router.dispatch(command, request, client === undefined ? {} : { client });
  }

  /** Typed entry for in-process callers (runtime, tests). */
  invoke<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<Result<CommandResponse<C>>> {
    return this.router.dispatch(command, request) as Promise<Result<CommandResponse<C>>>;
  }

  /** A window or bridge client that receives batched pushes; call `ready()` on it when it listens. */
  addPushTarget(send: PushSend, options?: PushBatcherOptions): PushBatcher {
    const batcher = new PushBatcher(send, options);
    this.targets.add(batcher);
    for (const status of this.hub.list()) batcher.setStatus(status);
    if (this.journalHealth) batcher.setJournalHealth(this.journalHealth);
    return batcher;
  }

  /** The journal thread's health changed (the headless host's supervisor): every window hears it, and so does each new one. */
  setJournalHealth(health: JournalHealth): void {
    this.journalHealth = health;
    for (const target of this.targets) target.setJournalHealth(health);
  }

  /** The window or client is gone: its subscriptions with it. */
  removePushTarget(batcher: PushBatcher): void {
    batcher.close();
    this.targets.delete(batcher);
  }

  /** Open subscriptions, of one topic or all (every window's and client's together). */
  subscriptionCount(topic?: TopicName): number {
    return this.topics.count(topic);
  }

  /** Takes a record as the hub hands one over: journaled, analyzed, published to its topic's subscribers (in-process capture, tests). */
  capture(record: JournalRecord): void {
    this.onRecord(record);
  }

  /** In-process observers of every captured record (journal, monitor). Returns the unsubscribe function. */
  onRecords(listener: (record: JournalRecord) => void): () => void {
    this.recordListeners.add(listener);
    return () => this.recordListeners.delete(listener);
  }

  close(): void {
    this.options.scenarios?.dispose();
    this.monitor.stop();
    this.follower.close();
    this.timelines.close();
    this.hub.closeAll();
    this.router.close();
    for (const target of this.targets) target.close();
    this.targets.clear();
  }

  /**
   * A journal export as NDJSON or HAR pieces, for a download (the headless host's `GET /journal/export`):
   * nothing is built whole. Throws `not_found` on a host without a journal.
   */
  exportStream(filter: JournalExportRequest): AsyncIterable<string> {
    return requireJournal(this.options.journal).exportStream(filter, filter.sessionId === undefined ? undefined : this.source.scope(filter.sessionId), this.harCreator());
  }

  /** How a HAR names the app that wrote it. */
  harCreator(): HarCreator {
    return { name: 'EchoScope', version: this.options.version };
  }

  /** Compares a session with the app's generation record now, when its profile opts in (after a reconnect, on demand). */
  reconcile(sessionId: string, trigger: 'reconnect' | 'manual' = 'reconnect'): Promise<ReconcileResult | undefined> {
    return this.follower.check(sessionId, trigger);
  }

  /** The capture path, whoever captured the record (the hub, a check run's connections, the fault proxy's clients). */
  private onRecord(record: JournalRecord, wireText?: string): void {
    if (record.type === 'frame') this.tail.push(record);
    this.options.journal?.append(record, wireText);
    this.ingestGuard.feed((r) => this.monitor.ingest(r), record);
    if (record.type === 'connection') {
      const wasDown = this.downConnections.has(record.connection);
      if (record.state === 'connected') {
        this.downConnections.delete(record.connection);
        // Back after a drop: what did the sessions that spanned the outage miss?
        if (wasDown) for (const sessionId of this.monitor.openSessionsOn(record.connection)) void this.reconcile(sessionId);
      } else if (record.state !== 'connecting') {
        this.downConnections.add(record.connection);
      }
    }
    if (this.topics.tail.size > 0) this.topics.tail.publish(record);
    for (const listener of this.recordListeners) listener(record);
  }

  private onStatus(status: ConnectionStatus): void {
    for (const target of this.targets) target.setStatus(status);
  }
}
