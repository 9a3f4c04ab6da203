import { Analyzer, combineObservations, vantageKeyOf, type AnalyzerOptions, type KnownStart, type SessionVerdict } from '../../../shared/analysis';
import type { ContractProfile } from '../../../shared/contract';
import type { FleetBucket, MonitorSettings, ObservationRow, ReconcileResult, SessionDetail, SessionFilter, SessionRow, UnrecognisedChannel } from '../../../shared/api';
import { SessionFilterSchema } from '../../../shared/api';
import { journalSessionKey, type FrameRecord, type JournalRecord } from '../../../shared/journal';
import { preciseNow, type Clock } from '../clock';
import type { MetricsRecorder } from '../metrics';
import { realTimers, type Timers } from '../timers';
import { DeadlineHeap } from './deadlines';
import { FleetTally } from './fleet-tally';

/** One observation's frames as the monitor holds them, with what live analysis made of each (see `Monitor.sessionAnalysis`). */
export interface KnownAnalysis {
  frames: FrameRecord[];
  /** The analyzer's classification of each frame (shared/analysis/classification.ts); 0: not analyzed. */
  classes: Uint32Array;
  /** Each frame's position (see `Analyzer.position`). */
  positions: Float64Array;
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
   * Ended sessions kept in memory (rows and analyzer state); past it the longest ended are let
   * go — the journal keeps their frames. Default 20,000.
   */
  maxEndedSessions?: number;
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
  private readonly ended = new Set<string>();
  /** The connection (profile) each session was first seen on: reconciliation uses that profile's settings. */
  private readonly sessionConnections = new Map<string, string>();
  /** Kept so a settings change can re-analyze what was seen. Bounded: the oldest are dropped. */
  private readonly history: JournalRecord[] = [];
  /** Session key of each history entry (undefined for non-frames), parallel to `history`. */
  private readonly historyKeys: Array<string | undefined> = [];
  /** The analyzer's classification of each history entry (0 for what it did not analyze), parallel to `history`. */
  private readonly historyClasses: number[] = [];
  /** The position the analyzer gave each retained record (its sequence, or an event stream's position). */
  private readonly historyPositions: number[] = [];
  private readonly historyLimit = 200_000;
  /** Sessions that lost frames when the history was trimmed: their complete frame list is in the journal only. */
  private readonly trimmedSessions = new Set<string>();
  /** Known starts of jobs (scenario runs, app records), kept so a re-analysis keeps them. */
  private readonly starts = new Map<string, KnownStart>();
  private readonly timers: Timers;
  /** The pending tick while started (re-armed after each, so ticks never pile up). */
  private timer: unknown;
  private dirty = false;
  /** Where changes are counted for `/metrics` (see `attachMetrics`); null when nobody asked. */
  private metrics: MetricsRecorder | null = null;

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
  }

  /** Feeds one record; returns the session key a frame was attributed to. */
  ingest(record: JournalRecord): string | undefined {
    const key = this.analyzer.ingest(record);
    if (key !== undefined && !this.sessionConnections.has(key)) this.sessionConnections.set(key, record.connection);
    if (this.metrics !== null && key !== undefined && !Number.isNaN(this.analyzer.interTokenMs)) {
      this.metrics.chunkGap(this.analyzer.interTokenMs, this.analyzer.contractName(key) ?? 'unknown');
    }
    this.history.push(record);
    this.historyKeys.push(key);
    this.historyClasses.push(this.analyzer.classification);
    this.historyPositions.push(this.analyzer.position);
    if (this.history.length > this.historyLimit * 1.1) {
      const excess = this.history.length - this.historyLimit;
      for (let i = 0; i < excess; i += 1) {
        const dropped = this.history[i];
        const droppedKey = this.historyKeys[i] ?? (dropped ? journalSessionKey(dropped) : undefined);
        if (droppedKey !== undefined) this.trimmedSessions.add(droppedKey);
      }
      this.history.splice(0, excess);
      this.historyKeys.splice(0, excess);
      this.historyClasses.splice(0, excess);
      this.historyPositions.splice(0, excess);
    }
    this.dirty = true;
    return key;
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
    this.analyzer.setStart(sessionId, at, from, precisionMs);
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
    this.deadlines.due(now, due);
    for (const sessionId of due) {
      const verdict = this.analyzer.sessionVerdict(sessionId, now, { includeText: false });
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
      this.deadlines.set(sessionId, this.analyzer.nextChangeAt(sessionId, now));
      this.unpushed.add(sessionId);
    }
  }

  /**
   * Counts what changes from now on for `/metrics`: chunk gaps as frames arrive, each changed
   * session's new anomalies, TTFT and end. What is already known (the journal's recent past read
   * back at start-up) is the baseline, not counted again.
   */
  attachMetrics(recorder: MetricsRecorder): void {
    const now = this.clock();
    this.refresh(now);
    for (const sessionId of this.rowCache.keys()) {
      const verdict = this.analyzer.sessionVerdict(sessionId, now, { includeText: false });
      if (verdict === undefined) continue;
      recorder.baseline(verdict);
      if (verdict.observations > 1) for (const v of this.analyzer.observationVerdicts(sessionId, now)) recorder.observationLoss(sessionId, vantageKeyOf(v), v, false, true);
    }
    recorder.readOpenSessionsFrom(() => this.tally.summary(0).byStatus);
    this.metrics = recorder;
  }

  private countChange(recorder: MetricsRecorder, verdict: SessionVerdict & { observations: number }, now: number): void {
    recorder.session(verdict);
    // Delivery loss is per vantage: only a session seen from several has any.
    if (verdict.observations > 1) {
      for (const v of this.analyzer.observationVerdicts(verdict.sessionId, now)) recorder.observationLoss(verdict.sessionId, vantageKeyOf(v), v);
    }
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
    this.unpushed.clear();
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
    const cap = this.options.maxEndedSessions ?? 20_000;
    if (this.ended.size <= cap) return;
    for (const sessionId of this.ended) {
      if (this.ended.size <= cap) break;
      this.ended.delete(sessionId);
      const row = this.rowCache.get(sessionId);
      if (row !== undefined) this.tally.remove(row);
      this.rowCache.delete(sessionId);
      this.deadlines.delete(sessionId);
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
    const verdicts = this.analyzer.observationVerdicts(sessionId, now);
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
      return { ...this.row({ ...v, observations: verdicts.length }, undefined, this.analyzer.observationTimes(sessionId, key)), vantage: key };
    });
    return {
      row: this.row(combined, reconcile ?? undefined),
      vantage: vantageKeyOf(session),
      observations,
      comparison: verdicts.length > 1 ? (this.analyzer.comparison(sessionId, now) ?? null) : null,
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
    return this.analyzer.observationVerdicts(sessionId, this.clock(), { includeText: false });
  }

  /** The vantage key of a session's fullest observation (what the detail shows by default). */
  primaryVantage(sessionId: string): string | undefined {
    const verdict = this.analyzer.sessionVerdict(sessionId, this.clock(), { includeText: false });
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

  /** The most recent frames of a session still in the retained history (the journal has them all). */
  recentEvents(sessionId: string, limit: number): FrameRecord[] {
    const out: FrameRecord[] = [];
    for (let i = this.history.length - 1; i >= 0 && out.length < limit; i -= 1) {
      const record = this.history[i];
      if (this.historyKeys[i] === sessionId && record?.type === 'frame') out.push(record);
    }
    return out.reverse();
  }

  /**
   * Every frame of a session in arrival order — those the analyzer attributed to it and the
   * other frames the journal files under it (protocol frames on its channel) — or undefined
   * when the retained history no longer holds all of them (then ask the journal).
   */
  sessionFrames(sessionId: string, vantage?: string): FrameRecord[] | undefined {
    return this.sessionAnalysis(sessionId, vantage)?.frames;
  }

  /**
   * A session's frames with what live analysis already found: which frames it analyzed and its
   * anomalies — so the detail's classification need not run the analyzer over them again.
   * `anomalies` is undefined when the session's list was capped (then classify from scratch);
   * the whole answer is undefined when the retained history no longer holds every frame.
   */
  sessionAnalysis(sessionId: string, vantage = this.primaryVantage(sessionId)): KnownAnalysis | undefined {
    if (this.trimmedSessions.has(sessionId)) return undefined;
    const frames: FrameRecord[] = [];
    const classes: number[] = [];
    const positions: number[] = [];
    for (let i = 0; i < this.history.length; i += 1) {
      const record = this.history[i];
      if (record?.type !== 'frame') continue;
      // One observation's stream: frames of other vantages never enter it.
      if (vantage !== undefined && vantageKeyOf(record) !== vantage) continue;
      const key = this.historyKeys[i];
      if (key === sessionId || (key === undefined && journalSessionKey(record) === sessionId)) {
        frames.push(record);
        classes.push(key === sessionId ? this.historyClasses[i]! : 0);
        positions.push(key === sessionId ? this.historyPositions[i]! : 0);
      }
    }
    return { frames, classes: Uint32Array.from(classes), positions: Float64Array.from(positions) };
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
    return this.analyzer.channelContract(channel);
  }

  /** A session's channels and the contract keying it (for journal reads); undefined for an unknown session. */
  sessionScope(sessionId: string): { channels: string[]; profile: ContractProfile } | undefined {
    return this.analyzer.sessionScope(sessionId);
  }

  /** Channels whose frames no contract read. */
  unrecognised(): UnrecognisedChannel[] {
    return this.analyzer.unrecognised();
  }

  /** A new contract (null: detect per channel) applies to everything seen so far: the retained history is re-analyzed. */
  updateProfile(profile: ContractProfile | null): ContractProfile | null {
    this.contract = profile;
    this.reanalyze();
    return profile;
  }

  /** New thresholds apply to everything seen so far: the retained history is re-analyzed. */
  updateSettings(update: Partial<MonitorSettings>): MonitorSettings {
    this.settingsValue = { ...this.settingsValue, ...update };
    this.reanalyze();
    return this.settings();
  }

  private reanalyze(): void {
    const before = this.analyzer;
    this.analyzer = new Analyzer({ ...this.options.analyzer, ...this.settingsValue, profile: this.contract });
    for (const [sessionId, start] of this.starts) this.analyzer.setStart(sessionId, start.at, start.from, start.precisionMs);
    for (let i = 0; i < this.history.length; i += 1) {
      // A session let go (maxEndedSessions) stays gone: its retained frames are not analyzed again.
      const previous = this.historyKeys[i];
      if (previous !== undefined && !before.hasSession(previous)) {
        this.historyKeys[i] = undefined;
        this.historyClasses[i] = 0;
        this.historyPositions[i] = 0;
        continue;
      }
      this.historyKeys[i] = this.analyzer.ingest(this.history[i]!);
      this.historyClasses[i] = this.analyzer.classification;
      this.historyPositions[i] = this.analyzer.position;
    }
    // Every row again (the new analyzer touched every session it has).
    this.rowCache.clear();
    this.tally.clear();
    this.deadlines.clear();
    this.unpushed.clear();
    this.pushed.clear();
    this.dirty = true;
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
    times = this.analyzer.sessionTimes(session.sessionId),
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

  /** The newest `limit` records of the retained history, oldest first (what a contract preview reads). */
  recentRecords(limit: number): readonly JournalRecord[] {
    return this.history.slice(Math.max(0, this.history.length - limit));
  }
}

/**
 * A record's timestamp as epoch ms: ISO 8601 text (what Laravel's JSON gives), or a number of
 * seconds (Unix time) or milliseconds. Undefined when it is none of these. `precisionMs` is how
 * coarse it is: 1000 for a whole second — Laravel saves `initiated_at` to the second and its JSON
 * still writes a zero fraction (`…T10:00:00.000000Z`) — 0 otherwise.
 */
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
