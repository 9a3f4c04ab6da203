import {
  commandDomains,
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
import { ConnectionHub, type HubOptions } from '../hub';
import type { Monitor, MonitorOptions, PrepareOptions, ReconcileTarget, RecordFollowerOptions } from '../monitor';
import type { ScenarioRunner } from '../scenarios';
import type { AnalysisCommand, Engine } from '../engine/engine';
import { LocalEngine } from '../engine/local-engine';
import { CommandRouter, type DomainHandlers, type DomainService, type DomainServices } from './command-router';
import { FrameTail } from './frame-tail';
import type { ChooseSaveFile, JournalPort } from './journal-port';
import { MemoryProfileStore, type ProfileStore } from './profile-store';
import { PushBatcher, type PushBatcherOptions, type PushSend } from './push-batcher';
import {
  AppInfoService,
  ConnectionsService,
  JournalApiService,
  MetricsService,
  ProxyService,
  requireJournal,
  ScenariosService,
  SubscriptionsService,
  type MetricsControl,
  type MockCounters,
} from './services';
import type { SessionEvents } from './session-source';
import { Topics } from './topics';

export interface AppServiceOptions {
  transport: AppInfo['transport'];
  version: string;
  demo?: AppInfo['demo'];
  profiles?: ProfileStore;
  clock?: Clock;
  /**
   * Live analysis, wherever it runs (the headless host's runs in its journal thread). Without
   * one, it runs in this thread, built from `monitor`, `prepareTimelines`, `sessionEvents` and
   * `reconcile`.
   */
  engine?: Engine;
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

/** A domain whose commands live analysis answers, wherever the engine runs. */
function analysisDomain<D extends 'sessions' | 'contracts'>(domain: D, engine: Engine): DomainService<D> {
  const handlers: Record<string, unknown> = {};
  for (const name of Object.keys(commandDomains[domain] as object)) {
    handlers[name] = (request: unknown) => engine.call(name as AnalysisCommand, request as never);
  }
  return { handlers: handlers as DomainHandlers<D> };
}

/** Each profile's reconciliation settings, by profile id (what the engine's follower compares with). */
function reconcileTargets(profiles: ProfileStore): Map<string, ReconcileTarget> {
  const targets = new Map<string, ReconcileTarget>();
  for (const profile of profiles.list()) if (profile.reconcile) targets.set(profile.id, profile.reconcile);
  return targets;
}

/** The profile store, telling `changed` after every save and delete. */
function observedProfiles(profiles: ProfileStore, changed: () => void): ProfileStore {
  return {
    list: () => profiles.list(),
    get: (id) => profiles.get(id),
    save: (profile) => {
      profiles.save(profile);
      changed();
    },
    delete: (id) => {
      const deleted = profiles.delete(id);
      changed();
      return deleted;
    },
  };
}

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
  /** Live analysis: in this thread, or the journal thread's (the headless host). */
  readonly engine: Engine;
  private readonly tail = new FrameTail();
  private readonly targets = new Set<PushBatcher>();
  private readonly topics: Topics;
  private journalHealth: JournalHealth | undefined;
  private readonly recordListeners = new Set<(record: JournalRecord) => void>();
  private readonly router: CommandRouter;

  constructor(private readonly options: AppServiceOptions) {
    const clock = options.clock ?? preciseNow;
    const warn = options.onWarning ?? ((message: string) => console.warn(`EchoScope: ${message}`));
    this.hub = new ConnectionHub(
      {
        record: (record, wireText) => this.onRecord(record, wireText),
        status: (status) => this.onStatus(status),
      },
      clock,
      options.hub,
    );
    this.engine =
      options.engine ??
      new LocalEngine({
        clock,
        ...(options.monitor ? { monitor: options.monitor } : {}),
        ...(options.prepareTimelines ? { prepareTimelines: options.prepareTimelines } : {}),
        ...(options.sessionEvents ? { sessionEvents: options.sessionEvents } : {}),
        ...(options.reconcile ? { reconcile: options.reconcile } : {}),
        onWarning: warn,
      });
    const stored = options.profiles ?? new MemoryProfileStore();
    const profiles = observedProfiles(stored, () => this.engine.setReconcileTargets(reconcileTargets(stored)));
    this.engine.setReconcileTargets(reconcileTargets(stored));
    // A discovered channel is let go once its session ended (after the discovery's grace period).
    this.engine.onSessionEnd((connection, channel) => this.hub.sessionEnded(profileOfConnection(connection), channel));
    this.topics = new Topics(this.tail, (request) => this.engine.open(request));
    options.scenarios?.onSessionStart((sessionId, at) => this.engine.setStart(sessionId, at, 'run'));
    // A check run watches on connections of its own: what they capture is journaled and analyzed here, so its sessions open like any other.
    options.scenarios?.onRecord((record) => this.onRecord(record));
    options.scenarios?.onProgress((progress) => {
      for (const target of this.targets) target.setProgress(progress);
    });
    const standIns = options.services ?? {};
    this.router = new CommandRouter({
      app: standIns.app ?? new AppInfoService({ version: options.version, transport: options.transport, demo: options.demo ?? null }),
      connections:
        standIns.connections ?? new ConnectionsService({ hub: this.hub, profiles, tail: this.tail, ...(options.mockCounters ? { mockCounters: options.mockCounters } : {}) }),
      sessions: standIns.sessions ?? analysisDomain('sessions', this.engine),
      contracts: standIns.contracts ?? analysisDomain('contracts', this.engine),
      metrics: standIns.metrics ?? new MetricsService(options.metrics),
      journal:
        standIns.journal ??
        new JournalApiService({
          journal: options.journal,
          engine: this.engine,
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

  /** The monitor, when live analysis runs in this thread (tests, in-process tools); throws where it runs in the journal thread. */
  get monitor(): Monitor {
    if (this.engine instanceof LocalEngine) return this.engine.monitor;
    throw new Error('live analysis runs in the journal thread here: ask the App API (sessions.*, fleet.summary)');
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
    // An engine given to it is its giver's to close (the runtime's engine thread).
    if (this.options.engine === undefined) void this.engine.close();
    this.hub.closeAll();
    this.router.close();
    for (const target of this.targets) target.close();
    this.targets.clear();
  }

  /**
   * A journal export as NDJSON or HAR pieces, for a download (the headless host's `GET /journal/export`):
   * nothing is built whole. Throws `not_found` on a host without a journal.
   */
  async *exportStream(filter: JournalExportRequest): AsyncIterable<string> {
    const journal = requireJournal(this.options.journal);
    const scope = filter.sessionId === undefined ? undefined : await this.engine.scope(filter.sessionId);
    yield* journal.exportStream(filter, scope, this.harCreator());
  }

  /** How a HAR names the app that wrote it. */
  harCreator(): HarCreator {
    return { name: 'EchoScope', version: this.options.version };
  }

  /** Compares a session with the app's generation record now, when its profile opts in (after a reconnect, on demand). */
  reconcile(sessionId: string, trigger: 'reconnect' | 'manual' = 'reconnect'): Promise<ReconcileResult | undefined> {
    return this.engine.reconcile(sessionId, trigger);
  }

  /** The capture path, whoever captured the record (the hub, a check run's connections, the fault proxy's clients). */
  private onRecord(record: JournalRecord, wireText?: string): void {
    if (record.type === 'frame') this.tail.push(record);
    const journaled = this.options.journal?.append(record, wireText) ?? false;
    this.engine.capture(record, wireText, journaled);
    if (this.topics.tail.size > 0) this.topics.tail.publish(record);
    for (const listener of this.recordListeners) listener(record);
  }

  private onStatus(status: ConnectionStatus): void {
    for (const target of this.targets) target.setStatus(status);
  }
}
