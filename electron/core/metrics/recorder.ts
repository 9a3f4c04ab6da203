import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ANOMALY_KINDS, type AnomalyKind, type SessionStatus } from '../../../shared/analysis';
import { SESSION_STATUSES } from '../../../shared/contract/states';
import type { MonitorMetrics, SessionFigures } from '../monitor/monitor';

/**
 * The OpenTelemetry GenAI semantic conventions' client metrics, as Prometheus names them (dots
 * to underscores, the unit `s` as `_seconds`), read in semantic-conventions v1.41.0
 * docs/gen-ai/gen-ai-metrics.md (docs/metrics.md says more). All three take the same advised
 * ExplicitBucketBoundaries.
 */
export const GEN_AI_SECONDS_BUCKETS: readonly number[] = Object.freeze([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);

export const METRIC_NAMES = {
  timeToFirstChunk: 'gen_ai_client_operation_time_to_first_chunk_seconds',
  timePerOutputChunk: 'gen_ai_client_operation_time_per_output_chunk_seconds',
  duration: 'gen_ai_client_operation_duration_seconds',
  sessions: 'echoscope_sessions_total',
  sessionsOpen: 'echoscope_sessions_open',
  anomalies: 'echoscope_anomalies_total',
  deliveryLoss: 'echoscope_delivery_loss_events_total',
  otlpExportFailures: 'echoscope_otlp_export_failures_total',
} as const;

/**
 * Every label the recorder writes. Each takes a handful of values (a status, a kind, a contract's
 * name, a connection profile): never a session, a channel or a user, which would make one series
 * per generation.
 */
export const LABEL_NAMES = ['gen_ai_operation_name', 'echoscope_contract', 'error_type', 'status', 'kind', 'vantage'] as const;

/** What the recorder reads of a session: its verdict (one observation, or all of them combined). */
export type { SessionFigures };

export interface MetricsRecorderOptions {
  /**
   * `gen_ai.operation.name`: EchoScope sees the broadcast of a generation, not the call that made
   * it, so it cannot know; `chat` (the conventions' value for a chat completion) unless told.
   */
  operationName?: string;
  /** When the figures began (epoch ms): the start of every cumulative series pushed over OTLP. Default: now. */
  startedAt?: number;
}

/** What the recorder has counted of one session, so each figure is counted once however often the session changes. */
interface Counted {
  anomalies: Uint32Array;
  firstChunk: boolean;
  ended: boolean;
  lost: Map<string, number>;
}

const KIND_INDEX = new Map<AnomalyKind, number>(ANOMALY_KINDS.map((kind, i) => [kind, i]));
const ENDED: ReadonlySet<SessionStatus> = new Set(SESSION_STATUSES.filter((s) => s !== 'streaming' && s !== 'stalled'));
/** `error.type` of the conventions ("if the operation ended in an error"): the status that says so. */
const ERROR_STATUSES: ReadonlySet<SessionStatus> = new Set<SessionStatus>(['errored', 'abandoned']);

/**
 * Prometheus figures fed by what changed: a chunk's gap as it arrives, a session's verdict when
 * it changed (anomalies counted by how many more there are, TTFT once it is known, duration and
 * status once the session ended). It never walks every session; the bookkeeping it keeps per
 * session is a few numbers, dropped with `forget` when the session is let go.
 */
export class MetricsRecorder implements MonitorMetrics {
  readonly registry = new Registry();
  /** When the figures began (epoch ms): counters and histograms count from here. */
  readonly startedAt: number;
  private readonly operation: string;
  private readonly counted = new Map<string, Counted>();
  private readonly ttft: Histogram<(typeof LABEL_NAMES)[number]>;
  private readonly perChunk: Histogram<(typeof LABEL_NAMES)[number]>;
  private readonly duration: Histogram<(typeof LABEL_NAMES)[number]>;
  private readonly sessions: Counter<'status' | 'echoscope_contract'>;
  private readonly anomalies: Counter<'kind'>;
  private readonly deliveryLoss: Counter<'vantage'>;
  private readonly otlpFailures: Counter;
  private openByStatus: (() => Partial<Record<SessionStatus, number>>) | null = null;

  constructor(options: MetricsRecorderOptions = {}) {
    this.operation = options.operationName ?? 'chat';
    this.startedAt = options.startedAt ?? Date.now();
    const registers = [this.registry];
    const buckets = [...GEN_AI_SECONDS_BUCKETS];
    const genAiLabels = ['gen_ai_operation_name', 'echoscope_contract'] as const;
    this.ttft = new Histogram({
      name: METRIC_NAMES.timeToFirstChunk,
      help: 'Time to receive the first chunk, from when the job began (a known start) to its first token as EchoScope received it.',
      labelNames: genAiLabels,
      buckets,
      registers,
    });
    this.perChunk = new Histogram({
      name: METRIC_NAMES.timePerOutputChunk,
      help: 'Time between consecutive new chunks of a stream as EchoScope received them, one observation per chunk after the first.',
      labelNames: genAiLabels,
      buckets,
      registers,
    });
    this.duration = new Histogram({
      name: METRIC_NAMES.duration,
      help: "A generation's duration: from its first event to its first terminal event.",
      labelNames: [...genAiLabels, 'error_type'],
      buckets,
      registers,
    });
    this.sessions = new Counter({
      name: METRIC_NAMES.sessions,
      help: 'Sessions that ended (a terminal state, or orphaned), by status.',
      labelNames: ['status', 'echoscope_contract'],
      registers,
    });
    this.anomalies = new Counter({ name: METRIC_NAMES.anomalies, help: 'Anomalies detected, by kind (docs/detection.md).', labelNames: ['kind'], registers });
    this.deliveryLoss = new Counter({
      name: METRIC_NAMES.deliveryLoss,
      help: 'Events a vantage did not receive that another vantage of the same session did (within its coverage).',
      labelNames: ['vantage'],
      registers,
    });
    this.otlpFailures = new Counter({
      name: METRIC_NAMES.otlpExportFailures,
      help: 'OTLP exports that did not reach the collector (0 unless an OTLP endpoint is set; docs/metrics.md).',
      registers,
    });
    const open = (): Partial<Record<SessionStatus, number>> => this.openByStatus?.() ?? {};
    new Gauge({
      name: METRIC_NAMES.sessionsOpen,
      help: 'Sessions not ended yet, by status (streaming, stalled).',
      labelNames: ['status'],
      registers,
      collect() {
        // Read at scrape time from a tally kept by change (the monitor's FleetTally): no pass over sessions.
        const byStatus = open();
        for (const status of ['streaming', 'stalled'] as const) this.set({ status }, byStatus[status] ?? 0);
      },
    });
  }

  /** Where `echoscope_sessions_open` reads its figures at scrape time (a tally, never a pass over sessions). */
  readOpenSessionsFrom(byStatus: () => Partial<Record<SessionStatus, number>>): void {
    this.openByStatus = byStatus;
  }

  /** One new chunk's gap since the previous new chunk of its stream (ms). Ignored when not a finite, non-negative number. */
  chunkGap(ms: number, contract: string): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.perChunk.observe({ gen_ai_operation_name: this.operation, echoscope_contract: contract }, ms / 1000);
  }

  /**
   * A session's verdict after it changed. `final`: the run is over (check, the end of a watch), so
   * whatever the status is now is how the session ended.
   */
  session(figures: SessionFigures, final = false): void {
    this.count(figures, final, true);
  }

  /**
   * What a session already was before the figures began (sessions read back from the journal at
   * start-up): its anomalies, TTFT and end count as counted, so a restart does not count them again.
   */
  baseline(figures: SessionFigures): void {
    this.count(figures, false, false);
  }

  private count(figures: SessionFigures, final: boolean, record: boolean): void {
    let counted = this.counted.get(figures.sessionId);
    if (counted === undefined) {
      counted = { anomalies: new Uint32Array(ANOMALY_KINDS.length), firstChunk: false, ended: false, lost: new Map() };
      this.counted.set(figures.sessionId, counted);
    }
    const now = new Uint32Array(ANOMALY_KINDS.length);
    for (const anomaly of figures.anomalies) {
      const index = KIND_INDEX.get(anomaly.kind);
      if (index !== undefined) now[index]!++;
    }
    for (let i = 0; i < now.length; i++) {
      const more = now[i]! - counted.anomalies[i]!;
      if (more > 0) {
        if (record) this.anomalies.inc({ kind: ANOMALY_KINDS[i]! }, more);
        counted.anomalies[i] = now[i]!;
      }
    }
    const genAi = { gen_ai_operation_name: this.operation, echoscope_contract: figures.contract.name };
    if (!counted.firstChunk && figures.ttftMs !== null && Number.isFinite(figures.ttftMs)) {
      counted.firstChunk = true;
      if (record) this.ttft.observe(genAi, Math.max(0, figures.ttftMs) / 1000);
    }
    if (!counted.ended && (final || ENDED.has(figures.status))) {
      counted.ended = true;
      if (!record) return;
      this.sessions.inc({ status: figures.status, echoscope_contract: figures.contract.name });
      if (figures.durationMs !== null && Number.isFinite(figures.durationMs)) {
        this.duration.observe(ERROR_STATUSES.has(figures.status) ? { ...genAi, error_type: figures.status } : genAi, Math.max(0, figures.durationMs) / 1000);
      }
    }
  }

  /**
   * One vantage's delivery loss for a session already given to `session` (its running total).
   * Counted once that observation ended — while it streams, a lagging vantage's loss is provisional
   * and shrinks as its events arrive — or the run is over (`final`), then by how much it grew.
   * `baseline`: counted as already there (see `baseline`).
   */
  observationLoss(sessionId: string, vantage: string, loss: { status: SessionStatus; deliveryLoss: number }, final = false, baseline = false): void {
    const counted = this.counted.get(sessionId);
    if (counted === undefined || !(final || ENDED.has(loss.status))) return;
    const more = loss.deliveryLoss - (counted.lost.get(vantage) ?? 0);
    if (more <= 0) return;
    counted.lost.set(vantage, loss.deliveryLoss);
    if (!baseline) this.deliveryLoss.inc({ vantage }, more);
  }

  /** An OTLP export did not reach the collector (counted here, so the next one that does tells it). */
  otlpExportFailed(): void {
    this.otlpFailures.inc();
  }

  /** The session was let go: its bookkeeping goes (what it added to the figures stays). */
  forget(sessionId: string): void {
    this.counted.delete(sessionId);
  }

  /** Sessions the recorder keeps bookkeeping for (tests read it). */
  get trackedSessions(): number {
    return this.counted.size;
  }

  /** The Prometheus text exposition of every figure. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
