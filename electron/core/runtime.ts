import { startMockServer, type MockServer } from '../mock';
import { ProfileInputSchema, type AppInfo, type JournalHealth, type Profile } from '../../shared/api';
import { AppService, type AppServiceOptions, type ProfileStore } from './app';
import { startDemoFleet, type DemoFleet } from './demo/demo-fleet';
import { preciseNow } from './clock';
import { ScenarioRunner } from './scenarios';
import { JournalService, startAnalysisWorker, startEngineWorker, type AnalysisWorker, type JournalWorker, type WorkerChannel } from './journal';
import { WorkerEngine } from './engine/worker-engine';
import { RECENT_PAST } from './engine/engine-host';
import type { EngineSettings } from './engine/engine-protocol';
import type { Journal } from '../../shared/journal';
import { MetricsOutputs, MetricsRecorder, type MetricsOutputsOptions } from './metrics';
import type { MonitorOptions } from './monitor';

export interface RuntimeOptions {
  transport: AppInfo['transport'];
  version: string;
  /** Start the embedded mock provider with a demo mix and watch it. */
  demo: boolean;
  /** Port of the embedded mock provider (0 = pick a free one). */
  mockPort?: number;
  profiles?: ProfileStore;
  /**
   * The journal: a segment directory for the headless host (its HostJournal, in a worker), or a ready
   * `Journal` (Electron's journal window). Without either, nothing is journaled.
   */
  journal?:
    | { directory: string }
    | {
        journal: Journal;
        location: string;
        /** A supervised journal's health now (Electron's journal window), and where its changes are told. */
        health?: () => JournalHealth;
        watchHealth?: (listener: (health: JournalHealth) => void) => void;
        /**
         * The engine beside this journal (the desktop app's journal window hosts both:
         * engine/engine-host.ts): it analyzes what the journal takes and re-reads its recent past
         * itself. Without it, analysis runs in a thread of its own, fed from here.
         */
        engine?: WorkerChannel;
      };
  /** Warnings to show the user (torn journal lines, failed writes). */
  onWarning?: (message: string) => void;
  /** Scenario files or folders given on the command line: the only paths `scenarios.load {path}` reads. */
  scenarioPaths?: readonly string[];
  /** Counts the monitor's changes for `/metrics` (what the journal's recent past already holds is not counted again). */
  metrics?: MetricsRecorder;
  /**
   * Where the figures go besides the host's own `/metrics`, changeable while it runs (Settings):
   * `/metrics` on a port of its own (or where ECHOSCOPE_METRICS_PORT says), OTLP. A recorder is made
   * when none is given.
   */
  metricsOutputs?: Omit<MetricsOutputsOptions, 'recorder' | 'version' | 'onNotice'>;
  /** The monitor's clocks and bounds (ticks, compaction of ended sessions); defaults otherwise. */
  monitor?: MonitorOptions;
  /** The desktop app's save dialog, for exports streamed to a file (`journal.saveAs`). */
  chooseSaveFile?: AppServiceOptions['chooseSaveFile'];
}

export interface Runtime {
  service: AppService;
  mock: MockServer | undefined;
  journal: JournalService | undefined;
  /** The headless host's supervised journal thread (its engine thread), when it has one. */
  journalWorker: JournalWorker | undefined;
  /** The engine thread fed by main (a host without a journal beside its engine), when there is one. */
  analysisWorker: AnalysisWorker | undefined;
  /** Where `/metrics` is served on a port of its own now, when it is. */
  readonly metricsUrl: string | undefined;
  close(): Promise<void>;
}

export const DEMO_PROFILE_ID = 'demo';

/** The monitor's settings that can go to the engine thread: its clock and timers are that thread's own. */
function engineSettings(monitor: MonitorOptions | undefined): EngineSettings {
  if (monitor === undefined) return {};
  const { analyzer, tickMs, maxEndedSessions, compactAfterMs, maxHeldFrames } = monitor;
  return {
    ...(analyzer ? { analyzer } : {}),
    ...(tickMs === undefined ? {} : { tickMs }),
    ...(maxEndedSessions === undefined ? {} : { maxEndedSessions }),
    ...(compactAfterMs === undefined ? {} : { compactAfterMs }),
    ...(maxHeldFrames === undefined ? {} : { maxHeldFrames }),
  };
}

/** Assembles the core for a host (Electron main or the headless `serve`): the App service and, optionally, the demo. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  let mock: MockServer | undefined;
  let feed: DemoFleet | undefined;
  if (options.demo) {
    mock = await startMockServer({ host: '127.0.0.1', port: options.mockPort ?? 0 });
  }
  const app = mock?.apps[0];
  const warn = options.onWarning ?? ((message: string) => console.warn(`EchoScope: ${message}`));
  let journal: JournalService | undefined;
  let worker: JournalWorker | undefined;
  let engine: WorkerEngine | undefined;
  /** An engine thread fed from here: no journal beside the engine (none at all, or one given without its engine). */
  let analysis: AnalysisWorker | undefined;
  // Told to every window once the App service exists (a restart during start-up is told to the log).
  let onJournalHealth: (health: JournalHealth) => void = () => undefined;
  if (options.journal) {
    // The segmented journal and live analysis work in one supervised worker thread (the engine): capture and the App API on this thread are never held up by them.
    if ('directory' in options.journal) {
      const started = await startEngineWorker(options.journal.directory, {
        onWarning: warn,
        onHealth: (health) => onJournalHealth(health),
        settings: engineSettings(options.monitor),
        recent: RECENT_PAST,
      });
      worker = started;
      engine = new WorkerEngine(started.channel);
    }
    const source = worker ? worker.journal : (options.journal as { journal: Journal }).journal;
    const location = 'directory' in options.journal ? options.journal.directory : options.journal.location;
    const health = worker ? () => worker!.health() : 'journal' in options.journal ? options.journal.health : undefined;
    if ('journal' in options.journal) {
      options.journal.watchHealth?.((next) => onJournalHealth(next));
      if (options.journal.engine) engine = new WorkerEngine(options.journal.engine);
    }
    journal = new JournalService(source, { location, clock: preciseNow, onError: warn, ...(health ? { health } : {}) });
  }
  if (!engine) {
    // Live analysis off this thread all the same: in a thread of its own, fed what is captured here (and read back through the journal, if any).
    analysis = await startAnalysisWorker({ settings: engineSettings(options.monitor), journal: journal !== undefined, onWarning: warn });
    const read = journal;
    engine = new WorkerEngine(analysis.channel, read ? { sessionEvents: (scope, limit) => read.sessionEvents(scope, limit) } : {});
  }
  const metrics = options.metrics ?? (options.metricsOutputs ? new MetricsRecorder() : undefined);
  const outputs = metrics && options.metricsOutputs ? new MetricsOutputs({ ...options.metricsOutputs, recorder: metrics, version: options.version, onNotice: warn }) : undefined;
  const service = new AppService({
    ...(engine ? { engine } : {}),
    ...(journal ? { journal } : {}),
    transport: options.transport,
    version: options.version,
    ...(options.monitor ? { monitor: options.monitor } : {}),
    demo: mock && app ? { url: mock.httpUrl, appId: app.id, key: app.key } : null,
    ...(options.profiles ? { profiles: options.profiles } : {}),
    ...(mock ? { mockCounters: () => mock!.counters(), simulateProfileId: DEMO_PROFILE_ID } : {}),
    scenarios: new ScenarioRunner({ mock: () => mock ?? null, commandLinePaths: options.scenarioPaths ?? [] }),
    onWarning: warn,
    ...(options.chooseSaveFile ? { chooseSaveFile: options.chooseSaveFile } : {}),
    ...(outputs ? { metrics: outputs } : {}),
  });
  onJournalHealth = (health) => service.setJournalHealth(health);
  if (journal && analysis) {
    // Sessions from before this start are analyzed again, so the journal's recent past shows at once (serve's engine thread reads it itself).
    for (const record of await journal.recent(RECENT_PAST.windowMs, RECENT_PAST.records)) service.engine.capture(record);
  }
  if (metrics) service.engine.attachMetrics(metrics);
  // Metrics are an extra: a port that cannot be had is said (and shown in Settings), and the rest runs.
  await outputs?.start();
  if (mock && app) {
    const profile: Profile = ProfileInputSchema.parse({
      id: DEMO_PROFILE_ID,
      name: 'Embedded demo',
      kind: 'reverb',
      host: mock.host,
      port: mock.port,
      key: app.key,
      appId: app.id,
      auth: { mode: 'secret', secret: app.secret },
    });
    const saved = await service.invoke('profiles.save', profile);
    if (!saved.ok) throw new Error(`demo profile rejected: ${saved.error.message}`);
    await service.invoke('connections.connect', { profileId: DEMO_PROFILE_ID });
    feed = startDemoFleet({
      mock,
      watch: (channel) => service.hub.subscribe(DEMO_PROFILE_ID, channel, 5000),
      unwatch: (channel) => {
        if (service.hub.status(DEMO_PROFILE_ID)) service.hub.unsubscribe(DEMO_PROFILE_ID, channel);
      },
      started: (sessionId, at) => service.engine.setStart(sessionId, at, 'run'),
      onWarning: warn,
    });
  }
  return {
    service,
    mock,
    journal,
    journalWorker: worker,
    analysisWorker: analysis,
    get metricsUrl() {
      return outputs?.url;
    },
    close: async () => {
      feed?.stop();
      await outputs?.close();
      service.close();
      await engine?.close();
      await analysis?.close();
      await journal?.close();
      await worker?.close();
      await mock?.close();
    },
  };
}
