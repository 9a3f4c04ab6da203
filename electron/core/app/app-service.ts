import {
  AppError,
  type ExportFormat,
  type JournalExportRequest,
  type JournalImportResult,
  type JournalHealth,
  type JournalStats,
  type MetricsSettings,
  type MetricsState,
  type Retention,
  ProfileInputSchema,
  profileOfConnection,
  redactProfile,
  type AppInfo,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type ConnectionStatus,
  type ParsedRequest,
  type ReconcileResult,
  type Result,
  type TopicName,
} from '../../../shared/api';
import { exportFileName, type FrameRecord, type HarCreator, type JournalRecord } from '../../../shared/journal';
import { preciseNow, type Clock } from '../clock';
import { IngestGuard } from '../ingest-guard';
import { ConnectionHub, type HubOptions } from '../hub';
import { FaultProxy } from '../proxy';
import { saveStream } from './save-file';
import { parseContractProfile } from '../../../shared/contract';
import { frameRows, nearestPoint, timelineText, vantageKeyOf, type PriorAnalysis } from '../../../shared/analysis';
import { previewContract } from '../monitor/contract-preview';
import {
  lossByVantage,
  MAX_SESSION_FRAMES,
  Monitor,
  RecordFollower,
  SessionTimelines,
  type MonitorOptions,
  type PrepareOptions,
  type RecordFollowerOptions,
  type SessionScope,
} from '../monitor';
import type { ScenarioRunner } from '../scenarios';
import { dispatch, type CommandHandlers } from './dispatch';
import { ImportUploads } from './import-uploads';
import { JournalImport, type ImportOutcome } from './journal-import';
import { FrameTail } from './frame-tail';
import { MemoryProfileStore, type ProfileStore } from './profile-store';
import { PushBatcher, type PushBatcherOptions, type PushSend } from './push-batcher';
import { sessionDetail, Topics } from './topics';

/** The metrics outputs as the App API sees them (electron/core/metrics' MetricsOutputs). */
export interface MetricsControl {
  state(): MetricsState;
  configure(update: Partial<MetricsSettings>): Promise<MetricsState>;
}

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
  sessionEvents?: (scope: SessionScope, limit: number) => Promise<FrameRecord[]>;
  /** Counters of the embedded mock provider, when the host runs one. */
  mockCounters?: () => Array<{ appId: string; connections: number; subscriptions: number; channels: number; messagesIn: number; messagesOut: number }>;
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
  chooseSaveFile?: (suggestedName: string, format: ExportFormat) => Promise<string | null>;
}

/** Sessions an import's result lists by name (all are counted). */
const LISTED_IMPORT_SESSIONS = 10_000;

/** What the App service needs of the journal (the headless host's file-backed one, or Electron's journal window). */
export interface JournalPort {
  /** `wireText`, when the hub has it, is the WebSocket message the frame was decoded from (the journal decodes it again). */
  append(record: JournalRecord, wireText?: string): void;
  stats(): Promise<JournalStats>;
  setRetention(update: Partial<Retention>): Promise<Retention>;
  /** Resolves once everything appended so far is written: an import waits on it, so it never reads faster than the journal takes. */
  flush(): Promise<void>;
  /**
   * An export, NDJSON or HAR (`filter.format`), whole. `scope` says where a session's records are and which contract keys them
   * (the monitor's `sessionScope`); `creator` names the app in a HAR.
   */
  exportNdjson(filter: JournalExportRequest, scope?: SessionScope, creator?: HarCreator): Promise<{ ndjson: string; records: number }>;
  /** The same, piece by piece (a download streams it in bounded memory). */
  exportStream(filter: JournalExportRequest, scope?: SessionScope, creator?: HarCreator, counter?: { records: number }): AsyncIterable<string>;
}

export type { SessionScope } from '../monitor';

/**
 * The Node side of the App API: one implementation behind both transports
 * (Electron IPC router, WebSocket bridge). Transports call `invoke` and attach
 * push targets; nothing else crosses the boundary.
 */
export class AppService {
  readonly hub: ConnectionHub;
  readonly monitor: Monitor;
  private readonly profiles: ProfileStore;
  private readonly tail = new FrameTail();
  private readonly targets = new Set<PushBatcher>();
  private readonly topics: Topics;
  private journalHealth: JournalHealth | undefined;
  private readonly recordListeners = new Set<(record: JournalRecord) => void>();
  private readonly handlers: CommandHandlers;
  private readonly downConnections = new Set<string>();
  private readonly timelines: SessionTimelines;
  private readonly follower: RecordFollower;
  private readonly ingestGuard: IngestGuard;
  /** The fault proxy started from the app (one at a time), and how many were started (their clients' connection names differ). */
  private proxy: FaultProxy | null = null;
  private proxyRuns = 0;
  private readonly uploads: ImportUploads;

  constructor(private readonly options: AppServiceOptions) {
    this.profiles = options.profiles ?? new MemoryProfileStore();
    const warn = options.onWarning ?? ((message: string) => console.warn(`EchoScope: ${message}`));
    this.ingestGuard = new IngestGuard(warn);
    this.uploads = new ImportUploads(warn);
    this.hub = new ConnectionHub(
      {
        record: (record, wireText) => this.onRecord(record, wireText),
        status: (status) => this.onStatus(status),
      },
      options.clock ?? preciseNow,
      options.hub,
    );
    const sessionEvents = options.sessionEvents;
    this.monitor = new Monitor({
      ...options.monitor,
      clock: options.clock ?? preciseNow,
      // With a journal, ended sessions are compacted to their rows and read back from it on demand.
      ...(sessionEvents ? { sessionSource: (scope: SessionScope) => sessionEvents(scope, MAX_SESSION_FRAMES) } : {}),
      onWarning: options.onWarning ?? ((message) => console.warn(`EchoScope: ${message}`)),
    });
    this.follower = new RecordFollower(
      {
        target: (sessionId) => {
          // A session first seen by a profile's tap is that profile's.
          const connection = this.monitor.connectionOf(sessionId);
          return connection === undefined ? undefined : this.profiles.get(profileOfConnection(connection))?.reconcile;
        },
        detail: (sessionId) => this.monitor.detail(sessionId),
        result: (sessionId, result) => this.monitor.recordReconcile(sessionId, result),
      },
      { ...options.reconcile, clock: options.clock ?? preciseNow },
    );
    this.topics = new Topics(this.monitor, this.tail, (params) => this.fleetSummary(params));
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
    this.timelines = new SessionTimelines(this.monitor, (sessionId, vantage) => this.sessionFrames(sessionId, vantage), 4, options.prepareTimelines);
    this.monitor.start();
    this.handlers = this.buildHandlers();
  }

  /**
   * The transports' entry: anything may arrive here; it is validated before any service sees it.
   * `client` is the window or bridge client asking (its subscriptions are its own).
   */
  handle(command: unknown, request: unknown, client?: PushBatcher): Promise<Result<unknown>> {
    return dispatch(this.handlers, command, request, client === undefined ? {} : { client });
  }

  /** Typed entry for in-process callers (runtime, tests). */
  invoke<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<Result<CommandResponse<C>>> {
    return dispatch(this.handlers, command, request) as Promise<Result<CommandResponse<C>>>;
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
    void this.proxy?.close();
    this.proxy = null;
    this.uploads.close();
    for (const target of this.targets) target.close();
    this.targets.clear();
  }

  private requireScenarios(): ScenarioRunner {
    if (!this.options.scenarios) throw new AppError('not_found', 'this host runs no scenario runner');
    return this.options.scenarios;
  }

  private requireMetrics(): MetricsControl {
    if (!this.options.metrics) throw new AppError('not_found', 'this host keeps no metrics settings');
    return this.options.metrics;
  }

  private requireJournal(): JournalPort {
    if (!this.options.journal) throw new AppError('not_found', 'this host runs without a journal');
    return this.options.journal;
  }

  /**
   * An import's sink: its records are journaled and analyzed with the live ones, each marked with
   * the file as its `source` — a file is a vantage of its own, so two recordings of one session are
   * two observations, not one stream seen twice. Each batch waits until the journal has written it,
   * so a big file goes at the journal's pace in bounded memory. `finish` makes the command's result.
   */
  private importSink(fileName: string) {
    const sessions = new Set<string>();
    let sessionCount = 0;
    const journal = this.options.journal;
    return {
      take: async (records: JournalRecord[]) => {
        for (const read of records) {
          const record = read.source === undefined ? { ...read, source: fileName } : read;
          journal?.append(record);
          const key = this.ingestGuard.feed((r) => this.monitor.ingest(r), record);
          if (key !== undefined && !sessions.has(key)) {
            sessionCount++;
            if (sessions.size < LISTED_IMPORT_SESSIONS) sessions.add(key);
          }
        }
        await journal?.flush();
      },
      finish: (outcome: ImportOutcome): JournalImportResult => ({
        format: outcome.format,
        records: outcome.records,
        sessions: [...sessions],
        sessionCount,
        issues: outcome.issues,
        issueCount: outcome.issueCount,
      }),
    };
  }

  /** Imports journal text sent whole (`journal.import`: small inputs from code and tests). */
  private async importText(fileName: string, content: string): Promise<JournalImportResult> {
    const sink = this.importSink(fileName);
    const importer = new JournalImport(sink);
    try {
      await importer.push(content);
      return sink.finish(await importer.end());
    } catch (error) {
      if (error instanceof AppError) throw new AppError(error.code, `${fileName}: ${error.message}`);
      throw error;
    }
  }

  /**
   * A journal export as NDJSON or HAR pieces, for a download (the headless host's `GET /journal/export`):
   * nothing is built whole. Throws `not_found` on a host without a journal.
   */
  exportStream(filter: JournalExportRequest): AsyncIterable<string> {
    return this.requireJournal().exportStream(filter, filter.sessionId === undefined ? undefined : this.sessionScope(filter.sessionId), this.harCreator());
  }

  /** How a HAR names the app that wrote it. */
  harCreator(): HarCreator {
    return { name: 'EchoScope', version: this.options.version };
  }

  /** Compares a session with the app's generation record now, when its profile opts in (after a reconnect, on demand). */
  reconcile(sessionId: string, trigger: 'reconnect' | 'manual' = 'reconnect'): Promise<ReconcileResult | undefined> {
    return this.follower.check(sessionId, trigger);
  }

  /**
   * A session's frames: from memory when the monitor still holds them all (a journal query of
   * 100k frames costs seconds), with the anomalies live analysis found in them when it kept all.
   */
  private async sessionFrames(sessionId: string, vantage: string | undefined): Promise<{ frames: FrameRecord[]; prior?: PriorAnalysis }> {
    const held = this.monitor.sessionAnalysis(sessionId, vantage);
    if (held && held.frames.length > 0) {
      const frames = held.frames.slice(0, MAX_SESSION_FRAMES);
      return { frames, prior: { classes: held.classes.subarray(0, frames.length), positions: held.positions.subarray(0, frames.length) } };
    }
    const all = this.options.sessionEvents
      ? await this.options.sessionEvents(this.sessionScope(sessionId), MAX_SESSION_FRAMES)
      : this.monitor.recentEvents(sessionId, MAX_SESSION_FRAMES);
    // One observation's stream: the journal files every vantage's frames under the session.
    return { frames: vantage === undefined ? all : all.filter((frame) => vantageKeyOf(frame) === vantage) };
  }

  /** Where the journal holds a session's records, as live analysis keys them. */
  private sessionScope(sessionId: string): SessionScope {
    const scope = this.monitor.sessionScope(sessionId);
    return scope === undefined ? { sessionId, channels: [], profile: null } : { sessionId, ...scope };
  }

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

  private fleetSummary({ bucketMs, from, to }: ParsedRequest<'fleet.summary'>): CommandResponse<'fleet.summary'> {
    return {
      bucketMs,
      buckets: this.monitor.fleet(bucketMs, from, to),
      summary: this.monitor.summary(),
      lossByVantage: lossByVantage(this.monitor.list({ limit: 50_000 }).rows, (sessionId) => this.monitor.observationLosses(sessionId), bucketMs, from, to),
    };
  }

  private requireProfile(id: string) {
    const profile = this.profiles.get(id);
    if (!profile) throw new AppError('not_found', `no connection profile "${id}"`);
    return profile;
  }

  private buildHandlers(): CommandHandlers {
    return {
      'app.info': () => ({
        name: 'EchoScope',
        version: this.options.version,
        transport: this.options.transport,
        demo: this.options.demo ?? null,
      }),
      'profiles.list': () => this.profiles.list().map(redactProfile),
      'profiles.save': (input) => {
        const profile = ProfileInputSchema.parse(input);
        this.profiles.save(profile);
        return redactProfile(profile);
      },
      'profiles.delete': ({ profileId }) => {
        if (this.hub.status(profileId)) this.hub.disconnect(profileId);
        return { deleted: this.profiles.delete(profileId) };
      },
      'connections.list': () => this.hub.list(),
      'connections.connect': ({ profileId }) => this.hub.connect(this.requireProfile(profileId)),
      'connections.disconnect': ({ profileId }) => this.hub.disconnect(profileId),
      'channels.subscribe': ({ profileId, channel }) => this.hub.subscribe(profileId, channel),
      'channels.unsubscribe': ({ profileId, channel }) => this.hub.unsubscribe(profileId, channel),
      'tail.recent': ({ limit }) => this.tail.recent(limit),
      'sessions.list': (filter) => this.monitor.list(filter),
      'sessions.get': async (params) => {
        await this.monitor.load(params.sessionId);
        const detail = sessionDetail(this.monitor, params);
        if (!detail) throw new AppError('not_found', `no session "${params.sessionId}"`);
        return detail;
      },
      'sessions.events': ({ sessionId, limit }) =>
        this.options.sessionEvents ? this.options.sessionEvents(this.sessionScope(sessionId), limit) : this.monitor.recentEvents(sessionId, limit),
      'sessions.timeline': async ({ sessionId, vantage, maxPoints, maxTextChars }) => {
        await this.monitor.load(sessionId);
        const view = await this.timelines.view(sessionId, maxPoints, maxTextChars, vantage);
        if (!view) throw new AppError('not_found', `no session "${sessionId}"`);
        return view;
      },
      'sessions.text': async ({ sessionId, vantage }) => {
        await this.monitor.load(sessionId);
        const detail = this.monitor.detail(sessionId, vantage);
        if (!detail) throw new AppError('not_found', `no session "${sessionId}"`);
        return timelineText(await this.timelines.latest(sessionId, detail.vantage), detail.gaps);
      },
      'sessions.frames': async ({ sessionId, vantage, offset, limit }) => {
        await this.monitor.load(sessionId);
        const timeline = await this.timelines.latest(sessionId, vantage ?? this.monitor.primaryVantage(sessionId));
        return { total: timeline.frames.length, t0: timeline.t0, rows: frameRows(timeline, offset, limit) };
      },
      'sessions.reconcile': async ({ sessionId }) => {
        await this.monitor.load(sessionId);
        if (!this.monitor.detail(sessionId)) throw new AppError('not_found', `no session "${sessionId}"`);
        const result = await this.reconcile(sessionId, 'manual');
        if (!result)
          throw new AppError('invalid_request', `the connection profile of "${sessionId}" has no reconciliation URL: add one (reconcile.url) to compare with the app's record`);
        return result;
      },
      'sessions.locate': async ({ sessionId, vantage, at, sequence }) => {
        await this.monitor.load(sessionId);
        return nearestPoint(await this.timelines.latest(sessionId, vantage ?? this.monitor.primaryVantage(sessionId)), at, sequence) ?? null;
      },
      'fleet.summary': (params) => this.fleetSummary(params),
      'subscriptions.subscribe': async (request, { client }) => {
        const { id } = request;
        if (client === undefined) throw new AppError('invalid_request', 'subscriptions belong to a window or bridge client: this caller has none');
        if (client.hasSubscription(id)) throw new AppError('conflict', `subscription "${id}" is already open`);
        const { snapshot, subscription } = await this.topics.open(request);
        // The window or socket went while the snapshot was read (or the same id was taken meanwhile): nothing is kept for it.
        if (client.closed || client.hasSubscription(id)) {
          subscription.close();
          throw new AppError(client.closed ? 'not_connected' : 'conflict', client.closed ? 'the subscriber is gone' : `subscription "${id}" is already open`);
        }
        client.addSubscription(id, subscription);
        return { id, snapshot };
      },
      'subscriptions.unsubscribe': ({ id }, { client }) => ({ unsubscribed: client?.removeSubscription(id) ?? false }),
      'mock.counters': () => this.options.mockCounters?.() ?? null,
      'scenarios.list': () => this.requireScenarios().list(),
      'scenarios.load': (request) => this.requireScenarios().load(request),
      'scenarios.start': async (request) => {
        const run = this.requireScenarios().start(request);
        // A simulated run plays on the embedded mock: watch its sessions so they show in Live.
        const profileId = this.options.simulateProfileId;
        if (run.mode === 'simulate' && profileId && this.hub.status(profileId)) {
          await Promise.all(run.sessions.map((session) => this.hub.subscribe(profileId, session.channel, 5000)));
        }
        return run;
      },
      'scenarios.stop': (request) => this.requireScenarios().stop(request),
      'scenarios.runs': () => this.requireScenarios().runs(),
      'proxy.status': () => this.proxy?.status() ?? null,
      'proxy.start': async ({ upstream, protocol, port, faults }) => {
        if (this.proxy !== null) throw new AppError('conflict', `a proxy already runs at ${this.proxy.url} in front of ${this.proxy.upstream}: stop it first`);
        const run = ++this.proxyRuns;
        try {
          this.proxy = await FaultProxy.start({
            upstream,
            protocol,
            port,
            faults,
            connectionPrefix: run === 1 ? 'proxy' : `proxy-${run}`,
            record: (record) => this.onRecord(record),
            log: this.options.onWarning ?? ((message) => console.warn(`EchoScope: ${message}`)),
          });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new AppError(
            'invalid_request',
            /EADDRINUSE/.test(message) ? `port ${port} is in use: choose another, or 0 for any free port` : message.replace(/^--upstream /, 'upstream '),
          );
        }
        return this.proxy.status();
      },
      'proxy.faults': (faults) => {
        if (this.proxy === null) throw new AppError('not_found', 'no proxy runs: start one first');
        this.proxy.setFaults(faults);
        return this.proxy.status();
      },
      'proxy.stop': async () => {
        const proxy = this.proxy;
        if (proxy === null) return { stopped: false, truth: null };
        this.proxy = null;
        const truth = proxy.truth();
        await proxy.close();
        return { stopped: true, truth };
      },
      'journal.stats': () => this.requireJournal().stats(),
      'journal.retention': (update) => this.requireJournal().setRetention(update),
      'journal.export': async (filter) => {
        const format = filter.format ?? 'ndjson';
        const scope = filter.sessionId === undefined ? undefined : this.sessionScope(filter.sessionId);
        const { ndjson, records } = await this.requireJournal().exportNdjson(filter, scope, this.harCreator());
        return { fileName: exportFileName(new Date((this.options.clock ?? preciseNow)()).toISOString(), format, filter.sessionId), format, content: ndjson, records };
      },
      'journal.saveAs': async (filter) => {
        const choose = this.options.chooseSaveFile;
        if (choose === undefined) throw new AppError('invalid_request', 'saving to a file is the desktop app’s: in a browser, the export downloads from the host');
        const format = filter.format ?? 'ndjson';
        const path = await choose(exportFileName(new Date((this.options.clock ?? preciseNow)()).toISOString(), format, filter.sessionId), format);
        if (path === null) return { saved: false, path: null, format, records: 0, bytes: 0 };
        const counter = { records: 0 };
        const scope = filter.sessionId === undefined ? undefined : this.sessionScope(filter.sessionId);
        const bytes = await saveStream(this.requireJournal().exportStream(filter, scope, this.harCreator(), counter), path);
        return { saved: true, path, format, records: counter.records, bytes };
      },
      'journal.import': ({ fileName, content }) => this.importText(fileName, content),
      'journal.importBegin': ({ fileName }) => {
        this.requireJournal();
        const sink = this.importSink(fileName);
        return this.uploads.begin(fileName, sink, sink.finish);
      },
      'journal.importChunk': ({ importId, offset, data }) => this.uploads.chunk(importId, offset, Buffer.from(data, 'base64')),
      'journal.importEnd': ({ importId }) => this.uploads.end(importId),
      'journal.importAbort': ({ importId }) => this.uploads.abort(importId),
      'monitor.profile': ({ profile }) => {
        if (profile !== undefined) {
          const parsed = profile === null ? ({ ok: true, profile: null } as const) : parseContractProfile(profile);
          if (!parsed.ok) throw new AppError('invalid_request', parsed.error);
          this.monitor.updateProfile(parsed.profile);
        }
        const current = this.monitor.profile();
        return { profile: current as unknown as Record<string, unknown> | null, automatic: current === null };
      },
      'contracts.preview': ({ profile, limit }) =>
        previewContract(this.monitor.recentRecords(limit), this.monitor.settings(), profile ?? null, (this.options.clock ?? preciseNow)()),
      'channels.unrecognised': () => ({ items: this.monitor.unrecognised() }),
      'monitor.settings': (update) => (Object.keys(update).length === 0 ? this.monitor.settings() : this.monitor.updateSettings(update)),
      'metrics.state': () => this.requireMetrics().state(),
      'metrics.configure': (update) => this.requireMetrics().configure(update),
    };
  }
}
