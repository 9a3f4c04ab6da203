import { Analyzer, combineObservations, vantageKeyOf, type AnalyzerOptions, type KnownStart, type SessionStatus, type SessionVerdict } from '../../../shared/analysis';
import type { ContractProfile } from '../../../shared/contract';
import type { FleetBucket, MonitorSettings, ObservationRow, ReconcileResult, SessionDetail, SessionFilter, SessionRow, UnrecognisedChannel } from '../../../shared/api';
import { PREVIEW_MAX_RECORDS, SessionFilterSchema } from '../../../shared/api';
import { journalSessionKey, type FrameRecord, type JournalRecord } from '../../../shared/journal';
import { preciseNow, type Clock } from '../clock';

/** A session's figures as the metrics count them. */
export type SessionFigures = Pick<SessionVerdict, 'sessionId' | 'status' | 'ttftMs' | 'durationMs' | 'anomalies' | 'contract'>;

/**
 * What live analysis counts into (`/metrics`): the recorder itself (electron/core/metrics/recorder.ts), or an engine thread's relay of it. An
 * interface of its own, so the monitor carries no metrics library: it runs where the engine runs,
 * the journal window's page included.
 */
export interface MonitorMetrics {
  baseline(figures: SessionFigures): void;
  observationLoss(sessionId: string, vantage: string, loss: { status: SessionStatus; deliveryLoss: number }, final?: boolean, baseline?: boolean): void;
  readOpenSessionsFrom(byStatus: () => Partial<Record<SessionStatus, number>>): void;
  chunkGap(ms: number, contract: string): void;
  session(figures: SessionFigures, final?: boolean): void;
  forget(sessionId: string): void;
}
import { realTimers, type Timers } from '../timers';
import { ContextLog } from './context-log';
import { DeadlineHeap } from './deadlines';
import { FleetTally } from './fleet-tally';
import { HeldFrames, type KnownAnalysis } from './held-frames';

export type { KnownAnalysis } from './held-frames';

/** Where the journal has a compacted session, and what of its time a read-back replays with its frames. */
interface Archived {
  channels: readonly string[];
  profile: ContractProfile | null;
  context: JournalRecord[];
  /** Per observation, what the Fleet's loss by vantage reads (only for a session seen from several). */
  losses: readonly ObservationLoss[];
}

/** A session as the journal is asked for it: its channels and the contract that keys their records (null: the journal's own key). */
export interface SessionScope {
  sessionId: string;
  channels: readonly string[];
  profile: ContractProfile | null;
}

export interface MonitorUpdate {
  items: SessionRow[];
  summary: { sessions: number; byStatus: Record<string, number> } & Record<string, unknown>;
}

export interface MonitorOptions {
  analyzer?: AnalyzerOptions;
  clock?: Clock;
  /** What runs the ticks once started; default real timers (tests pass a virtual clock). */
  timers?: Timers;
  /** How often the live clocks run (stall, reorder window) and changed rows are pushed. */
  tickMs?: number;
  /**
   * Ended sessions kept in memory (their rows, as summaries once compacted); past it the longest
   * ended are let go — the journal keeps their frames. Default 10,000.
   */
  maxEndedSessions?: number;
  /**
   * Where a compacted session's records are read back from (the journal): with it, an ended
   * session quiet for `compactAfterMs` is compacted — its row kept as a summary, its analyzer
   * state and frames freed — and brought back from here when its detail is asked for or a late
   * frame of it arrives. Without it nothing is compacted.
   */
  sessionSource?: (scope: SessionScope) => Promise<JournalRecord[]>;
  /**
   * How long an ended session stays whole after its last frame — or after that frame came here,
   * when later (an imported recording) — or after it was brought back. Default 60 s.
   */
  compactAfterMs?: number;
  /** Frames of live sessions held in memory for their detail and re-analysis, all sessions together. Default 200,000. */
  maxHeldFrames?: number;
  /** Where a failure to bring a compacted session back is told. */
  onWarning?: (message: string) => void;
}

const DEFAULT_SETTINGS: MonitorSettings = { stallAfterMs: 8000, orphanAfterMs: 300_000, reorderWindowMs: 2000 };

/**
 * Live analysis (DESIGN §2): feeds the shared Analyzer incrementally, runs its clocks on a
 * timer, and reports only the sessions whose row changed, so the renderer gets a few
 * batched updates per second however fast frames arrive.
 */
export class Monitor {
  private analyzer: Analyzer;
  private settingsValue: MonitorSettings;
  /** The contract every channel is read with; null: each channel's is detected from its first frames. */
  private contract: ContractProfile | null;
  private readonly clock: Clock;
  private readonly tickMs: number;
  private readonly listeners = new Set<(update: MonitorUpdate) => void>();
  private readonly pushed = new Map<string, string>();
  /**
   * Every session's current row, kept up to date by what changed (issue 19): the sessions the
   * analyzer touched, those whose deadline came (a stall, an orphan, a hole leaving the reorder
   * window), those a reconciliation changed. Ticks, `list`, `fleet` and `summary` read it; no
   * pass recomputes every verdict.
   */
  private readonly rowCache = new Map<string, SessionRow>();
  private readonly tally = new FleetTally();
  private readonly deadlines = new DeadlineHeap();
  /** Rows changed by something the analyzer does not see (a reconciliation). */
  private readonly stale = new Set<string>();
  /** Rows refreshed since the last tick: the tick pushes those whose signature changed. */
  private readonly unpushed = new Set<string>();
  private readonly reconciled = new Map<string, ReconcileResult>();
  private readonly sessionEndListeners = new Set<(sessionId: string, row: SessionRow) => void>();
  private readonly recomputeListeners = new Set<(sessionIds: ReadonlySet<string>) => void>();
  private readonly ended = new Set<string>();
  /** The connection (profile) each session was first seen on: reconciliation uses that profile's settings. */
  private readonly sessionConnections = new Map<string, string>();
  /** Frames of the sessions analyzed live (not compacted): their detail and what a settings change replays. */
  private readonly held: HeldFrames;
  /** Records of no session (connections, subscriptions), bounded, for a re-analysis. */
  private readonly context: ContextLog;
  /** The newest records, whatever they are (what a contract preview reads). */
  private readonly recent: JournalRecord[] = [];
  /** Ingest order of the next record. */
  private order = 0;
  /**
   * Sessions compacted at least once (until let go): where the journal has their frames, and the
   * context of their time (connection changes, subscriptions) a read-back replays with them.
   */
  private readonly archive = new Map<string, Archived>();
  /** Archived sessions read back: each analyzed in an analyzer of its own, so its past never disturbs the live state. */
  private readonly restored = new Map<string, Analyzer>();
  /** When each ended session may be compacted (its last frame, or its return, plus `compactAfterMs`). */
  private readonly compactions = new DeadlineHeap();
  /** When each session's last frame came here, on this clock (an import's frames are older than that). */
  private readonly arrived = new Map<string, number>();
  /** Sessions brought back from the journal, and when (kept whole for `compactAfterMs` from then). */
  private readonly warm = new Map<string, number>();
  /** Compacted sessions being read back, and what waits for them. */
  private readonly returning = new Map<string, Promise<void>>();
  /** Rows not recomputed while their session was coming back (its analyzer state was partial). */
  private readonly deferred = new Set<string>();
  /** Sessions whose verdict must be recomputed from the journal (a settings change reached them compacted). */
  private readonly reverdicts: string[] = [];
  private reverdicting = false;
  /** Known starts of jobs (scenario runs, app records), kept so a re-analysis keeps them. */
  private readonly starts = new Map<string, KnownStart>();
  private readonly timers: Timers;
  /** The pending tick while started (re-armed after each, so ticks never pile up). */
  private timer: unknown;
  private dirty = false;
  /** Where changes are counted for `/metrics` (see `attachMetrics`); null when nobody asked. */
  private metrics: MonitorMetrics | null = null;

  constructor(private readonly options: MonitorOptions = {}) {
    this.clock = options.clock ?? preciseNow;
    this.timers = options.timers ?? realTimers;
    this.tickMs = options.tickMs ?? 500;
    this.settingsValue = {
      stallAfterMs: options.analyzer?.stallAfterMs ?? DEFAULT_SETTINGS.stallAfterMs,
      orphanAfterMs: options.analyzer?.orphanAfterMs ?? DEFAULT_SETTINGS.orphanAfterMs,
      reorderWindowMs: options.analyzer?.reorderWindowMs ?? DEFAULT_SETTINGS.reorderWindowMs,
    };
    this.contract = options.analyzer?.profile ?? null;
    this.analyzer = new Analyzer({ ...options.analyzer, ...this.settingsValue, profile: this.contract });
    this.held = new HeldFrames(options.maxHeldFrames ?? 200_000);
    this.context = new ContextLog(() => this.held.oldestOrder());
  }

  /** Feeds one record; returns the session key a frame was attributed to. */
  ingest(record: JournalRecord): string | undefined {
    let key = this.analyzer.ingest(record);
    let analyzer = this.analyzer;
    if (key !== undefined && this.archive.has(key)) {
      // A frame of an archived session: not a new session in the live analyzer, but the next frame of that one.
      this.analyzer.forget(key);
      const own = this.restored.get(key);
      if (own !== undefined) {
        key = own.ingest(record);
        analyzer = own;
      }
    }
    if (key !== undefined && !this.sessionConnections.has(key)) this.sessionConnections.set(key, record.connection);
    if (key !== undefined && this.options.sessionSource !== undefined) this.arrived.set(key, this.clock());
    if (this.metrics !== null && key !== undefined && !Number.isNaN(analyzer.interTokenMs)) {
      this.metrics.chunkGap(analyzer.interTokenMs, analyzer.contractName(key) ?? 'unknown');
    }
    this.hold(record, key, analyzer);
    this.recent.push(record);
    if (this.recent.length > PREVIEW_MAX_RECORDS * 1.1) this.recent.splice(0, this.recent.length - PREVIEW_MAX_RECORDS);
    // A frame of a compacted session (a late duplicate, a replay): it is brought back whole, this frame after its past.
    if (key !== undefined && this.isCompacted(key)) void this.bringBack(key);
    this.dirty = true;
    return key;
  }

  /** Keeps a record for the detail and a re-analysis: a frame with its session, anything else as context. */
  private hold(record: JournalRecord, key: string | undefined, analyzer = this.analyzer, restoring = false): void {
    const order = this.order++;
    if (record.type !== 'frame') return this.context.add(record, order);
    const owner = key ?? journalSessionKey(record);
    if (owner === undefined) return this.context.add(record, order);
    // A protocol frame on a compacted session's channel: the journal has it (unless it is that session's past being read back).
    if (key === undefined && !restoring && this.isCompacted(owner)) return;
    this.held.add(owner, record, key !== undefined, analyzer.classification, analyzer.position, order);
  }

  /** The analyzer a session lives in: its own when it was read back from the journal, else the live one. */
  private analyzerOf(sessionId: string): Analyzer {
    return this.restored.get(sessionId) ?? this.analyzer;
  }

  start(): void {
    if (this.timer !== undefined) return;
    const next = (): void => {
      this.timer = this.timers.setTimeout(() => {
        next();
        this.tick();
      }, this.tickMs);
    };
    next();
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * When a session's job began, known from outside the stream (a scenario run, the app record's
   * `initiated_at`): TTFT is measured from it, and it tells a late join from a lost head.
   */
  setStart(sessionId: string, at: number, from: KnownStart['from'], precisionMs = 0): void {
    const known = this.starts.get(sessionId);
    if (known !== undefined && known.at <= at) return;
    this.starts.set(sessionId, precisionMs > 0 ? { at, from, precisionMs } : { at, from });
    this.analyzerOf(sessionId).setStart(sessionId, at, from, precisionMs);
    this.pushed.delete(sessionId);
    this.dirty = true;
  }

  /**
   * Brings the row cache up to `now`: recomputes the rows of the sessions touched since, or whose
   * deadline has come, and re-arms their deadlines. Cost: O(changed + due), whatever the fleet.
   */
  /** Rows computed so far (what a tick costs is what it recomputes; tests and the benchmark read it). */
  rowsComputed = 0;

  private refresh(now: number): void {
    const due = new Set<string>(this.stale);
    this.stale.clear();
    for (const key of this.analyzer.takeTouched()) due.add(key);
    for (const own of this.restored.values()) for (const key of own.takeTouched()) due.add(key);
    this.deadlines.due(now, due);
    for (const sessionId of due) {
      // Coming back from the journal: its analyzer state is partial until then, its summary stands.
      if (this.returning.has(sessionId)) {
        this.deferred.add(sessionId);
        continue;
      }
      if (this.isCompacted(sessionId)) continue;
      const analyzer = this.analyzerOf(sessionId);
      const verdict = analyzer.sessionVerdict(sessionId, now, { includeText: false });
      const old = this.rowCache.get(sessionId);
      if (old !== undefined) this.tally.remove(old);
      if (verdict === undefined) {
        this.rowCache.delete(sessionId);
        this.deadlines.delete(sessionId);
        continue;
      }
      const row = this.row(verdict);
      this.rowsComputed++;
      if (this.metrics !== null) this.countChange(this.metrics, verdict, now);
      this.rowCache.set(sessionId, row);
      this.tally.add(row);
      this.deadlines.set(sessionId, analyzer.nextChangeAt(sessionId, now));
      if (this.options.sessionSource !== undefined && row.terminalAt !== null) {
        // Quiet since its last frame, or since that frame came here: an imported recording's frames are as old as the recording.
        const since = Math.max(row.lastAt ?? now, this.arrived.get(sessionId) ?? Number.NEGATIVE_INFINITY, this.warm.get(sessionId) ?? Number.NEGATIVE_INFINITY);
        this.compactions.set(sessionId, since + this.compactAfterMs);
      }
      this.unpushed.add(sessionId);
    }
  }

  private get compactAfterMs(): number {
    return this.options.compactAfterMs ?? 60_000;
  }

  /**
   * Compacts the ended sessions whose quiet time is over (issue 19): the row stays, as the
   * summary the Live table and Fleet read; the analyzer's state and the held frames go. The
   * journal has the rest, and `load` or a late frame brings it back.
   */
  private compactDue(now: number): void {
    if (this.options.sessionSource === undefined) return;
    const due = new Set<string>();
    this.compactions.due(now, due);
    for (const sessionId of due) {
      const row = this.rowCache.get(sessionId);
      if (row === undefined || row.terminalAt === null || this.returning.has(sessionId) || this.unpushed.has(sessionId)) continue;
      if (!this.archiveSession(sessionId, row)) continue;
      this.rowCache.set(sessionId, this.summaryOf(row));
      // Its row changes no more until it comes back; then it is pushed again, once.
      this.pushed.delete(sessionId);
      if (!this.restored.delete(sessionId)) this.analyzer.forget(sessionId);
      this.held.drop(sessionId);
      this.deadlines.delete(sessionId);
      this.warm.delete(sessionId);
      this.arrived.delete(sessionId);
      this.compactedCount++;
    }
  }

  /**
   * A row as kept for a compacted session: its parts that most sessions share (the contract and
   * why, the checks, the terminal states, the anomaly kinds) are one object each, not one per row.
   */
  private summaryOf(row: SessionRow): SessionRow {
    return {
      ...row,
      contract: this.shared(row.contract),
      checks: this.shared(row.checks),
      terminalStates: this.shared(row.terminalStates),
      anomalyKinds: this.shared(row.anomalyKinds),
    };
  }

  private readonly sharedParts = new Map<string, unknown>();

  private shared<T>(value: T): T {
    const key = JSON.stringify(value) ?? 'undefined';
    const known = this.sharedParts.get(key);
    if (known !== undefined) return known as T;
    // Bounded: parts that are all different (a coverage per session) are kept as they are.
    if (this.sharedParts.size < 4096) this.sharedParts.set(key, value);
    return value;
  }

  /**
   * Records where the journal has a session and the context of its time (from the context log:
   * its vantages' connection changes while it ran, its channels' subscriptions), unless it is
   * archived already. False when no analyzer has the session.
   */
  private archiveSession(sessionId: string, row: Pick<SessionRow, 'firstAt' | 'lastAt'>, analyzer = this.analyzerOf(sessionId)): boolean {
    if (this.archive.has(sessionId)) return true;
    const scope = analyzer.sessionScope(sessionId);
    if (scope === undefined) return false;
    const observations = analyzer.observationVerdicts(sessionId, row.lastAt ?? 0, { includeText: false });
    const vantages = new Set(observations.map((v) => vantageKeyOf(v)));
    const context = this.context.around(vantages, new Set(scope.channels), row.firstAt ?? Number.NEGATIVE_INFINITY, row.lastAt ?? Number.POSITIVE_INFINITY);
    this.archive.set(sessionId, { ...scope, context, losses: observations.length > 1 ? observations.map(observationLoss) : [] });
    return true;
  }

  /** Sessions compacted so far (a session brought back and compacted again counts twice). */
  compactedCount = 0;

  /**
   * Makes a session's detail available: a compacted one is read back from the journal (the
   * frames that arrived since it was compacted after its past) and kept whole for
   * `compactAfterMs`. Resolves at once for a session analyzed live or unknown.
   */
  load(sessionId: string): Promise<void> {
    if (!this.isCompacted(sessionId) && !this.returning.has(sessionId)) {
      if (this.warm.has(sessionId)) this.warm.set(sessionId, this.clock());
      return Promise.resolve();
    }
    return this.bringBack(sessionId, true);
  }

  private bringBack(sessionId: string, keepWarm = false): Promise<void> {
    const pending = this.returning.get(sessionId);
    if (pending !== undefined) return pending;
    const archived = this.archive.get(sessionId);
    const source = this.options.sessionSource;
    if (archived === undefined || source === undefined || this.restored.has(sessionId)) return Promise.resolve();
    const done = source({ sessionId, channels: archived.channels, profile: archived.profile })
      .then(
        (records) => this.restore(sessionId, records, keepWarm),
        (error: unknown) => {
          this.options.onWarning?.(
            `session ${sessionId}: cannot read it back from the journal (${error instanceof Error ? error.message : String(error)}); its row keeps the verdict it had`,
          );
        },
      )
      .finally(() => {
        this.returning.delete(sessionId);
        for (const id of this.deferred) this.stale.add(id);
        this.deferred.clear();
        this.dirty = true;
      });
    this.returning.set(sessionId, done);
    return done;
  }

  /**
   * An archived session's past, read back into an analyzer of its own: its frames from the
   * journal with the context of their time, in arrival order, then the frames that arrived since
   * it was compacted (held meanwhile). The journal's own copy of those is skipped: it is what is
   * at or after the first of them.
   */
  private restore(sessionId: string, records: readonly JournalRecord[], keepWarm: boolean): void {
    const archived = this.archive.get(sessionId);
    if (archived === undefined || this.restored.has(sessionId)) return;
    const late = this.held.recent(sessionId, Number.POSITIVE_INFINITY);
    const lateFrom = late[0]?.at ?? Number.POSITIVE_INFINITY;
    this.held.drop(sessionId);
    const own = this.newAnalyzer();
    const start = this.starts.get(sessionId);
    if (start !== undefined) own.setStart(sessionId, start.at, start.from, start.precisionMs);
    // The journal's own copies of the late frames are left out, one for one: not all it has from their time on. A second
    // recording of the session (another file, another vantage) covers the same span of time, and its past is the session's too.
    const copies = new FrameCopies(late);
    const past = [...archived.context, ...records.filter((record) => record.type === 'frame' && (record.at < lateFrom || !copies.take(record)))];
    // Stable: a context record and a frame at the same time keep the order they were given in.
    past.sort((a, b) => a.at - b.at);
    for (const record of past) {
      const key = own.ingest(record);
      if (record.type === 'frame') this.hold(record, key, own, true);
    }
    for (const frame of late) this.hold(frame, own.ingest(frame), own, true);
    this.restored.set(sessionId, own);
    if (keepWarm) this.warm.set(sessionId, this.clock());
    this.stale.add(sessionId);
    this.pushed.delete(sessionId);
  }

  private newAnalyzer(): Analyzer {
    return new Analyzer({ ...this.options.analyzer, ...this.settingsValue, profile: this.contract });
  }

  /** Whether a session is compacted (its row is a summary; `load` brings its detail back). */
  isCompacted(sessionId: string): boolean {
    return this.archive.has(sessionId) && !this.restored.has(sessionId);
  }

  /** What the monitor holds, counted (tests and the benchmark assert its bound from these). */
  footprint(): { analyzerSessions: number; rows: number; summaries: number; heldFrames: number; contextRecords: number; recentRecords: number } {
    return {
      analyzerSessions: this.analyzer.sessions + this.restored.size,
      rows: this.rowCache.size,
      summaries: this.archive.size - this.restored.size,
      heldFrames: this.held.size,
      contextRecords: this.context.size,
      recentRecords: this.recent.length,
    };
  }

  /**
   * Counts what changes from now on for `/metrics`: chunk gaps as frames arrive, each changed
   * session's new anomalies, TTFT and end. What is already known (the journal's recent past read
   * back at start-up) is the baseline, not counted again.
   */
  attachMetrics(recorder: MonitorMetrics): void {
    const now = this.clock();
    this.refresh(now);
    for (const sessionId of this.rowCache.keys()) {
      const analyzer = this.analyzerOf(sessionId);
      const verdict = analyzer.sessionVerdict(sessionId, now, { includeText: false });
      if (verdict === undefined) continue;
      recorder.baseline(verdict);
      if (verdict.observations > 1) for (const v of analyzer.observationVerdicts(sessionId, now)) recorder.observationLoss(sessionId, vantageKeyOf(v), v, false, true);
    }
    recorder.readOpenSessionsFrom(() => this.tally.summary(0).byStatus);
    this.metrics = recorder;
  }

  private countChange(recorder: MonitorMetrics, verdict: SessionVerdict & { observations: number }, now: number): void {
    recorder.session(verdict);
    // Delivery loss is per vantage: only a session seen from several has any.
    if (verdict.observations > 1) {
      for (const v of this.analyzerOf(verdict.sessionId).observationVerdicts(verdict.sessionId, now)) recorder.observationLoss(verdict.sessionId, vantageKeyOf(v), v);
    }
  }

  /** The monitor's clock (what its stalls and orphans are judged against). */
  now(): number {
    return this.clock();
  }

  /** Runs the clocks now and notifies listeners of changed rows. Returns what changed. */
  tick(now = this.clock()): SessionRow[] {
    this.refresh(now);
    const changed: SessionRow[] = [];
    for (const sessionId of this.unpushed) {
      const row = this.rowCache.get(sessionId);
      if (row === undefined) continue;
      const signature = rowSignature(row);
      if (this.pushed.get(sessionId) !== signature) {
        this.pushed.set(sessionId, signature);
        changed.push(row);
      }
      if (row.terminalAt !== null && !this.ended.has(sessionId)) {
        this.ended.add(sessionId);
        for (const listener of this.sessionEndListeners) listener(sessionId, row);
      }
    }
    if (this.unpushed.size > 0) for (const listener of this.recomputeListeners) listener(this.unpushed);
    this.unpushed.clear();
    this.compactDue(now);
    this.evictEnded();
    if (changed.length > 0 || this.dirty) {
      const update: MonitorUpdate = { items: changed, summary: this.summaryNow() };
      for (const listener of this.listeners) listener(update);
    }
    this.dirty = false;
    return changed;
  }

  /**
   * Bounded memory (issue 19): past `maxEndedSessions`, the sessions that ended longest ago are
   * forgotten — their row, their analyzer state, their bookkeeping. Open sessions are never.
   */
  private evictEnded(): void {
    const cap = this.options.maxEndedSessions ?? 10_000;
    if (this.ended.size <= cap) return;
    for (const sessionId of this.ended) {
      if (this.ended.size <= cap) break;
      this.ended.delete(sessionId);
      const row = this.rowCache.get(sessionId);
      if (row !== undefined) this.tally.remove(row);
      this.rowCache.delete(sessionId);
      this.deadlines.delete(sessionId);
      this.compactions.delete(sessionId);
      this.archive.delete(sessionId);
      this.restored.delete(sessionId);
      this.warm.delete(sessionId);
      this.arrived.delete(sessionId);
      this.held.drop(sessionId);
      this.pushed.delete(sessionId);
      this.reconciled.delete(sessionId);
      this.sessionConnections.delete(sessionId);
      this.starts.delete(sessionId);
      this.analyzer.forget(sessionId);
      this.metrics?.forget(sessionId);
      this.evictedCount++;
    }
  }

  /** Ended sessions let go so far (see `maxEndedSessions`). */
  evictedCount = 0;

  private summaryNow(): MonitorUpdate['summary'] {
    return this.tally.summary(this.analyzer.ignored) as unknown as MonitorUpdate['summary'];
  }

  /** Every session's row as of now (from the cache, brought up to date). */
  private currentRows(): IterableIterator<SessionRow> {
    this.refresh(this.clock());
    return this.rowCache.values();
  }

  onUpdate(listener: (update: MonitorUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Told on each tick which sessions were verdicted again since the previous one, whether or not
   * their row changed: a detail's texts, anomalies and observations can change under an unchanged
   * row (the session topic listens). The set is the monitor's own: read it, do not keep it.
   */
  onRecomputed(listener: (sessionIds: ReadonlySet<string>) => void): () => void {
    this.recomputeListeners.add(listener);
    return () => this.recomputeListeners.delete(listener);
  }

  /** Called once per session when it reaches a terminal state (the reconciler listens). */
  onSessionEnd(listener: (sessionId: string, row: SessionRow) => void): () => void {
    this.sessionEndListeners.add(listener);
    return () => this.sessionEndListeners.delete(listener);
  }

  list(filter: SessionFilter = {}): { total: number; rows: SessionRow[] } {
    const query = SessionFilterSchema.parse(filter);
    const rows = [...this.currentRows()].filter((row) => {
      if (query.status && !query.status.includes(row.status)) return false;
      if (query.anomaly && !row.anomalyKinds.includes(query.anomaly)) return false;
      if (query.text && !row.channel.includes(query.text) && !row.sessionId.includes(query.text)) return false;
      if (query.from !== undefined && (row.lastAt ?? 0) < query.from) return false;
      if (query.to !== undefined && (row.firstAt ?? Infinity) > query.to) return false;
      return true;
    });
    return { total: rows.length, rows: rows.slice(0, query.limit) };
  }

  /**
   * One session: its combined row, every observation's own row, the comparison when several
   * vantages saw it, and the gaps, texts and anomalies of one observation — `vantage`, else the
   * fullest. Undefined for an unknown session or vantage.
   */
  detail(sessionId: string, vantage?: string): SessionDetail | undefined {
    const now = this.clock();
    const analyzer = this.analyzerOf(sessionId);
    const verdicts = analyzer.observationVerdicts(sessionId, now);
    if (verdicts.length === 0) return undefined;
    const combined = combineObservations(verdicts);
    const session = vantage === undefined ? combined : verdicts.find((v) => vantageKeyOf(v) === vantage);
    if (!session) return undefined;
    const reconcile = this.reconciled.get(sessionId) ?? null;
    const anomalies: SessionDetail['anomalies'] = session.anomalies.map((anomaly) => ({ ...anomaly }));
    if (reconcile) {
      for (const mismatch of reconcile.mismatches) anomalies.push({ kind: 'reconcile_mismatch', at: reconcile.checkedAt, field: mismatch.field, detail: mismatch.detail });
    }
    const observations: ObservationRow[] = verdicts.map((v) => {
      const key = vantageKeyOf(v);
      return { ...this.row({ ...v, observations: verdicts.length }, undefined, analyzer.observationTimes(sessionId, key)), vantage: key };
    });
    return {
      row: this.row(combined, reconcile ?? undefined),
      vantage: vantageKeyOf(session),
      observations,
      comparison: verdicts.length > 1 ? (analyzer.comparison(sessionId, now) ?? null) : null,
      gaps: session.gaps,
      text: session.text,
      naiveText: session.naiveText,
      anomalies,
      ...(session.anomaliesDropped ? { anomaliesDropped: session.anomaliesDropped } : {}),
      reconcile,
    };
  }

  /** Every observation's verdict of a session, without texts (the fleet's loss by vantage). */
  observationVerdicts(sessionId: string): SessionVerdict[] {
    return this.analyzerOf(sessionId).observationVerdicts(sessionId, this.clock(), { includeText: false });
  }

  /** Each observation's delivery figures (the Fleet's loss by vantage): a compacted session's from its summary. */
  observationLosses(sessionId: string): readonly ObservationLoss[] {
    if (this.isCompacted(sessionId)) return this.archive.get(sessionId)?.losses ?? [];
    return this.observationVerdicts(sessionId).map(observationLoss);
  }

  /** The vantage key of a session's fullest observation (what the detail shows by default). */
  primaryVantage(sessionId: string): string | undefined {
    const verdict = this.analyzerOf(sessionId).sessionVerdict(sessionId, this.clock(), { includeText: false });
    return verdict === undefined ? undefined : vantageKeyOf(verdict);
  }

  /** Sessions bucketed by time (the terminal-state timeline): ended sessions where they ended, open ones where last heard from. */
  fleet(bucketMs: number, from?: number, to?: number): FleetBucket[] {
    const buckets = new Map<number, FleetBucket & { ttft: number[]; interToken: number[] }>();
    for (const row of this.currentRows()) {
      const at = row.terminalAt ?? row.lastAt;
      if (at === null || (from !== undefined && at < from) || (to !== undefined && at > to)) continue;
      const start = Math.floor(at / bucketMs) * bucketMs;
      let bucket = buckets.get(start);
      if (!bucket) {
        bucket = { start, byStatus: {}, sessions: 0, events: 0, duplicates: 0, missing: 0, ttftP95: null, interTokenP95: null, ttft: [], interToken: [] };
        buckets.set(start, bucket);
      }
      bucket.byStatus[row.status] = (bucket.byStatus[row.status] ?? 0) + 1;
      bucket.sessions += 1;
      bucket.events += row.events;
      bucket.duplicates += row.duplicates;
      bucket.missing += row.missing;
      if (row.ttftMs !== null) bucket.ttft.push(row.ttftMs);
      if (row.interTokenMs) bucket.interToken.push(row.interTokenMs.p95);
    }
    return [...buckets.values()]
      .sort((a, b) => a.start - b.start)
      .map(({ ttft, interToken, ...bucket }) => ({ ...bucket, ttftP95: percentile(ttft, 0.95), interTokenP95: percentile(interToken, 0.95) }));
  }

  connectionOf(sessionId: string): string | undefined {
    return this.sessionConnections.get(sessionId);
  }

  /** Sessions first seen on a connection that have not ended (reconciled after a reconnect). */
  openSessionsOn(connection: string): string[] {
    const open: string[] = [];
    for (const [sessionId, owner] of this.sessionConnections) if (owner === connection && !this.ended.has(sessionId)) open.push(sessionId);
    return open;
  }

  /** The most recent frames of a session the monitor holds (the journal has them all). */
  recentEvents(sessionId: string, limit: number): FrameRecord[] {
    return this.held.recent(sessionId, limit, true);
  }

  /**
   * Every frame of a session in arrival order — those the analyzer attributed to it and the
   * other frames the journal files under it (protocol frames on its channel) — or undefined
   * when the monitor no longer holds all of them (then ask the journal).
   */
  sessionFrames(sessionId: string, vantage?: string): FrameRecord[] | undefined {
    return this.sessionAnalysis(sessionId, vantage)?.frames;
  }

  /**
   * A session's frames with what live analysis already found: which frames it analyzed and its
   * anomalies — so the detail's classification need not run the analyzer over them again.
   * `anomalies` is undefined when the session's list was capped (then classify from scratch);
   * the whole answer is undefined when the monitor no longer holds every frame (a compacted
   * session, or one trimmed by the held-frames budget).
   */
  sessionAnalysis(sessionId: string, vantage = this.primaryVantage(sessionId)): KnownAnalysis | undefined {
    if (this.isCompacted(sessionId)) return undefined;
    return this.held.analysis(sessionId, vantage);
  }

  summary(): MonitorUpdate['summary'] {
    this.refresh(this.clock());
    return this.summaryNow();
  }

  settings(): MonitorSettings {
    return { ...this.settingsValue };
  }

  /** The contract every channel is read with; null when each channel's is detected. */
  profile(): ContractProfile | null {
    return this.contract;
  }

  /** A session's contract as its channel is read (given or detected); undefined for an unknown session. */
  sessionContract(channel: string): ContractProfile | undefined {
    for (const own of this.restored.values()) {
      const contract = own.channelContract(channel);
      if (contract !== undefined) return contract;
    }
    return this.analyzer.channelContract(channel);
  }

  /** A session's channels and the contract keying it (for journal reads); undefined for an unknown session. */
  sessionScope(sessionId: string): Omit<SessionScope, 'sessionId'> | undefined {
    const scope = this.analyzerOf(sessionId).sessionScope(sessionId);
    if (scope !== undefined) return scope;
    const archived = this.archive.get(sessionId);
    return archived === undefined ? undefined : { channels: archived.channels, profile: archived.profile };
  }

  /** Channels whose frames no contract read. */
  unrecognised(): UnrecognisedChannel[] {
    return this.analyzer.unrecognised();
  }

  /** A new contract (null: detect per channel) applies to everything seen so far (see `reanalyze`). */
  updateProfile(profile: ContractProfile | null): ContractProfile | null {
    this.contract = profile;
    this.reanalyze();
    return profile;
  }

  /** New thresholds apply to everything seen so far (see `reanalyze`). */
  updateSettings(update: Partial<MonitorSettings>): MonitorSettings {
    this.settingsValue = { ...this.settingsValue, ...update };
    this.reanalyze();
    return this.settings();
  }

  /**
   * Analyzes again what the monitor holds: the live sessions' frames with their context, in the
   * order they came. Compacted sessions, and live ones whose frames the budget trimmed, keep their
   * row until the journal has given their records back and they are verdicted again, one at a
   * time in the background. A session let go (maxEndedSessions) stays gone.
   */
  private reanalyze(): void {
    const before = this.analyzer;
    this.analyzer = this.newAnalyzer();
    // Sessions read back had the old settings in their own analyzers: compacted again, verdicted again below.
    for (const sessionId of this.restored.keys()) this.held.drop(sessionId);
    this.restored.clear();
    // Live sessions whose frames the budget trimmed: archived, so the journal gives them back whole.
    if (this.options.sessionSource !== undefined) {
      for (const sessionId of this.held.trimmedSessions()) {
        const row = this.rowCache.get(sessionId);
        if (row !== undefined) this.archiveSession(sessionId, row, before);
      }
    }
    for (const [sessionId, start] of this.starts) if (!this.archive.has(sessionId)) this.analyzer.setStart(sessionId, start.at, start.from, start.precisionMs);
    const replay = [...this.held.ordered(), ...this.context.ordered()].sort((a, b) => a.order - b.order);
    this.held.clear();
    for (const { record } of replay) this.hold(record, this.ingestLive(record));
    // Every live row again (the new analyzer touched every session it has); summaries stay until verdicted again.
    for (const [sessionId, row] of this.rowCache) {
      if (this.archive.has(sessionId)) continue;
      this.tally.remove(row);
      this.rowCache.delete(sessionId);
      this.pushed.delete(sessionId);
    }
    this.deadlines.clear();
    this.compactions.clear();
    this.unpushed.clear();
    this.reverdicts.length = 0;
    this.reverdicts.push(...this.archive.keys());
    void this.reverdictNext();
    this.dirty = true;
  }

  /** A replayed record into the live analyzer; an archived session's frames are the journal's to give back. */
  private ingestLive(record: JournalRecord): string | undefined {
    const key = this.analyzer.ingest(record);
    if (key !== undefined && this.archive.has(key)) this.analyzer.forget(key);
    return key;
  }

  /** Verdicts compacted sessions again after a settings change, one at a time (each compacted again once verdicted). */
  private async reverdictNext(): Promise<void> {
    if (this.reverdicting) return;
    this.reverdicting = true;
    try {
      for (let sessionId = this.reverdicts.shift(); sessionId !== undefined; sessionId = this.reverdicts.shift()) {
        if (this.isCompacted(sessionId)) await this.bringBack(sessionId);
      }
    } finally {
      this.reverdicting = false;
    }
  }

  /** Sessions still waiting to be verdicted again after a settings change. */
  get pendingReverdicts(): number {
    return this.reverdicts.length + (this.reverdicting ? 1 : 0);
  }

  recordReconcile(sessionId: string, result: ReconcileResult): void {
    // The app record says when the job began: a known start for TTFT and for telling a late join.
    const initiatedAt = recordTime(result.record?.initiated_at);
    if (initiatedAt !== undefined) this.setStart(sessionId, initiatedAt.at, 'record', initiatedAt.precisionMs);
    this.reconciled.set(sessionId, result);
    this.stale.add(sessionId);
    this.pushed.delete(sessionId);
    this.dirty = true;
  }

  private row(
    session: SessionVerdict & { observations: number },
    reconcile = this.reconciled.get(session.sessionId),
    times = this.analyzerOf(session.sessionId).sessionTimes(session.sessionId),
  ): SessionRow {
    const { text: _text, naiveText: _naive, anomalies, gaps: _gaps, anomaliesDropped: _dropped, textTruncated: _t, naiveTextTruncated: _n, ...counters } = session;
    const kinds = new Set<SessionRow['anomalyKinds'][number]>(anomalies.map((a) => a.kind));
    if (reconcile && reconcile.mismatches.length > 0) kinds.add('reconcile_mismatch');
    return {
      ...counters,
      anomalyKinds: [...kinds],
      firstAt: finite(times?.firstAt),
      lastAt: finite(times?.lastAt),
      terminalAt: finite(times?.terminalAt),
    };
  }

  /** The newest `limit` records (at most PREVIEW_MAX_RECORDS), oldest first (what a contract preview reads). */
  recentRecords(limit: number): readonly JournalRecord[] {
    return this.recent.slice(Math.max(0, this.recent.length - limit));
  }
}

/**
 * A record's timestamp as epoch ms: ISO 8601 text (what Laravel's JSON gives), or a number of
 * seconds (Unix time) or milliseconds. Undefined when it is none of these. `precisionMs` is how
 * coarse it is: 1000 for a whole second — Laravel saves `initiated_at` to the second and its JSON
 * still writes a zero fraction (`…T10:00:00.000000Z`) — 0 otherwise.
 */
/** Frames known by what they are — arrival, vantage, event and payload — each to be taken once (monitor.ts `restore`). */
class FrameCopies {
  private readonly left = new Map<string, number>();

  constructor(frames: readonly FrameRecord[]) {
    for (const frame of frames) {
      const key = FrameCopies.key(frame);
      this.left.set(key, (this.left.get(key) ?? 0) + 1);
    }
  }

  /** True (and one copy fewer) when `frame` is one of them. */
  take(frame: FrameRecord): boolean {
    if (this.left.size === 0) return false;
    const key = FrameCopies.key(frame);
    const left = this.left.get(key);
    if (left === undefined) return false;
    if (left === 1) this.left.delete(key);
    else this.left.set(key, left - 1);
    return true;
  }

  private static key(frame: FrameRecord): string {
    return `${frame.at}\u0000${frame.connection}\u0000${frame.source ?? ''}\u0000${frame.tap ?? ''}\u0000${frame.channel ?? ''}\u0000${frame.event}\u0000${JSON.stringify(frame.data) ?? ''}`;
  }
}

export function recordTime(value: unknown): { at: number; precisionMs: number } | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return atPrecision(value < 1e11 ? value * 1000 : value);
  if (typeof value !== 'string' || value.length === 0) return undefined;
  // `2024-11-22 08:00:00` (a database timestamp without a zone) is taken as UTC, as Laravel stores it by default.
  const text = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(value) && !/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? atPrecision(ms) : undefined;
}

function atPrecision(ms: number): { at: number; precisionMs: number } {
  return { at: ms, precisionMs: ms % 1000 === 0 ? 1000 : 0 };
}

function finite(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : value;
}

function rowSignature(row: SessionRow): string {
  return `${row.status}|${row.observations}|${row.deliveryLoss}|${row.joinedLate}|${row.ttftMs ?? ''}|${row.events}|${row.duplicates}|${row.replays}|${row.missing}|${row.outOfOrder}|${row.afterTerminal}|${row.stalls}|${row.violations}|${row.disconnects}|${row.anomalyKinds.length}|${row.interTokenMs?.p95 ?? ''}`;
}

function percentile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? null;
}

/** What the Fleet's loss by vantage needs of an observation's verdict. */
export type ObservationLoss = Pick<SessionVerdict, 'connection' | 'source' | 'tap' | 'uniqueSequences' | 'deliveryLoss'>;

function observationLoss(verdict: SessionVerdict): ObservationLoss {
  const loss: ObservationLoss = { connection: verdict.connection, uniqueSequences: verdict.uniqueSequences, deliveryLoss: verdict.deliveryLoss };
  if (verdict.source !== undefined) loss.source = verdict.source;
  if (verdict.tap !== undefined) loss.tap = verdict.tap;
  return loss;
}
