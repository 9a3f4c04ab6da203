import type { CommandResponse, DomainCommandName, ParsedRequest, ParsedTopicParams, ReconcileResult } from '../../../shared/api';
import type { KnownStart } from '../../../shared/analysis';
import type { JournalRecord } from '../../../shared/journal';
import type { Monitor, MonitorMetrics, ReconcileTarget, SessionScope } from '../monitor';

/** The App API's commands live analysis answers: the session and fleet views, the contract and its settings. */
export type AnalysisCommand = DomainCommandName<'sessions'> | DomainCommandName<'contracts'>;

/** The topics whose state is live analysis' (the frame tail is the capture's). */
export type AnalysisTopic = 'session' | 'live' | 'fleet';
export type AnalysisTopicRequest = { [T in AnalysisTopic]: { topic: T; params: ParsedTopicParams<T> } }[AnalysisTopic];

/** One subscriber's subscription as its receiver (a window's PushBatcher) holds it; see topics/subscription.ts. */
export interface EngineSubscription {
  take(): unknown;
  close(): void;
}

/** What an import's records amounted to in live analysis: the sessions it fed (the first `LISTED` by name). */
export interface ImportTally {
  sessions: string[];
  count: number;
}

/**
 * The engine (DESIGN §10, issue 19): live analysis — the monitor, the session timelines, the
 * topics over them, reconciliation — behind one interface, wherever it runs. The App service on
 * the capture/UI thread talks only to this. {@link LocalEngine} runs it in the calling thread
 * (Electron's main for now, tests, a host without a journal); the headless host's runs in the
 * journal's worker thread, where the records it analyzes already are ({@link WorkerEngine}).
 */
export interface Engine {
  /**
   * A record captured on this thread. An engine in this thread analyzes it; one in the journal's
   * thread ignores it here, because it analyzes what the journal takes (the same records, in the
   * same order, with nothing extra crossing threads). `wireText`: the WebSocket message a frame
   * was decoded from (an engine thread fed from here gets the frame as that text, as a journal does).
   * `journaled`: the journal took it; one it turned away (too many wait) is still analyzed, sent to
   * an engine in the journal's thread apart from the journal.
   */
  capture(record: JournalRecord, wireText?: string, journaled?: boolean): void;
  /** Answers one of the analysis commands (the request is already validated). */
  call<C extends AnalysisCommand>(command: C, request: ParsedRequest<C>): Promise<CommandResponse<C>>;
  /** Opens a subscription to an analysis topic: its snapshot, and the subscription its receiver takes deltas from. */
  open(request: AnalysisTopicRequest): Promise<{ snapshot: unknown; subscription: EngineSubscription }>;
  /** When a session's job began, known from outside the stream (a scenario run, the demo). */
  setStart(sessionId: string, at: number, from: KnownStart['from']): void;
  /** Where the journal holds a session's records, as live analysis keys them (an export of one session). */
  scope(sessionId: string): Promise<SessionScope>;
  /** Each profile's reconciliation settings (undefined: it does not reconcile); told again whenever profiles change. */
  setReconcileTargets(targets: ReadonlyMap<string, ReconcileTarget>): void;
  /** Compares a session with the app's record now (undefined: its profile does not reconcile). */
  reconcile(sessionId: string, trigger: 'reconnect' | 'manual'): Promise<ReconcileResult | undefined>;
  /** An import of `source` begins: the sessions its records feed are tallied until {@link importEnd}. */
  importBegin(source: string): void;
  /** After the import's records were all handed over (and journaled): what they fed. */
  importEnd(source: string): Promise<ImportTally>;
  /** A session ended: the connection and channel it was on (the hub lets a discovered channel go). */
  onSessionEnd(listener: (connection: string, channel: string) => void): () => void;
  /** What live analysis holds in memory now (the monitor's counted structures: issue 19's bound). */
  footprint(): Promise<EngineFootprint>;
  /** Counts what analysis sees from now on into `recorder` (`/metrics`, OTLP). */
  attachMetrics(recorder: MonitorMetrics): void;
  close(): Promise<void>;
}

/** The monitor's counted structures (monitor.ts `footprint`). */
export type EngineFootprint = ReturnType<Monitor['footprint']>;

/** Sessions an import's result lists by name (all are counted). */
export const LISTED_IMPORT_SESSIONS = 10_000;
