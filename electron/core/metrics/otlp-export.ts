import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { RegistryMetricProducer } from './otlp-producer';
import type { MetricsRecorder } from './recorder';

export const OTLP_DEFAULT_INTERVAL_MS = 15_000;
/** An export gives up after this long (or the interval, if shorter): a dead collector never holds a run up longer. */
export const OTLP_EXPORT_TIMEOUT_MS = 10_000;
/** The final export at the end of a run waits at most this long. */
export const OTLP_FINAL_EXPORT_MS = 3_000;

export interface OtlpExportOptions {
  /** The collector's OTLP/HTTP metrics URL, e.g. http://127.0.0.1:4318/v1/metrics. */
  endpoint: string;
  intervalMs?: number;
  headers?: Readonly<Record<string, string>>;
  /** `service.version` of the resource. */
  version?: string;
  /**
   * Told once when exports begin to fail, and once when one reaches the collector again (not at
   * every failed interval): `watch`/`check` write it on stderr, the app shows it in Settings.
   */
  onNotice?: (message: string) => void;
}

export interface OtlpExportStatus {
  endpoint: string;
  intervalMs: number;
  /** Exports tried, and those that did not reach the collector. */
  exports: number;
  failures: number;
  /** Why the latest export failed, while the collector has not answered since. */
  lastError: string | null;
  lastSuccessAt: number | null;
}

export interface OtlpExport {
  readonly endpoint: string;
  status(): OtlpExportStatus;
  /** Exports the figures now (resolves once the export is over, whatever its result). */
  flush(): Promise<void>;
  /** A final export (bounded by OTLP_FINAL_EXPORT_MS), then nothing more is sent. */
  close(): Promise<void>;
}

/** Why `endpoint` cannot be an OTLP/HTTP endpoint; null when it can. */
export function otlpEndpointProblem(endpoint: string): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `"${endpoint}" is not a URL (e.g. http://127.0.0.1:4318/v1/metrics)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${endpoint}" is not an http:// or https:// URL (OTLP/HTTP)`;
  return null;
}

/** An export error in a line: the collector's HTTP status, or the network's reason. */
export function describeExportError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') return `HTTP ${code}${error.message ? ` ${error.message}` : ''}`;
    return error.message || error.name;
  }
  return String(error ?? 'unknown error');
}

/**
 * Wraps the SDK's OTLP exporter to see each export's result: failures are counted on the
 * recorder and told once, not at every interval, and the SDK's reader retries at the next one.
 */
class ReportingExporter implements PushMetricExporter {
  exports = 0;
  failures = 0;
  lastError: string | null = null;
  lastSuccessAt: number | null = null;
  private failing = false;
  /** Set once the export was closed: a result that arrives later (past the final export's bound) is not told. */
  silent = false;

  constructor(
    private readonly inner: OTLPMetricExporter,
    private readonly recorder: MetricsRecorder,
    private readonly endpoint: string,
    private readonly intervalMs: number,
    private readonly notice: (message: string) => void,
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.exports++;
    let answered = false;
    const done = (result: ExportResult) => {
      if (answered) return;
      answered = true;
      if (result.code === ExportResultCode.SUCCESS) {
        this.lastSuccessAt = Date.now();
        this.lastError = null;
        if (this.failing && !this.silent) this.notice(`OTLP export to ${this.endpoint} works again (${this.failures} export${this.failures === 1 ? '' : 's'} had failed)`);
        this.failing = false;
      } else {
        this.failures++;
        this.recorder.otlpExportFailed();
        this.lastError = describeExportError(result.error);
        if (!this.failing && !this.silent)
          this.notice(`OTLP export to ${this.endpoint} failed: ${this.lastError}; the run goes on and tries again every ${this.intervalMs / 1000}s`);
        this.failing = true;
      }
      resultCallback(result);
    };
    try {
      this.inner.export(metrics, done);
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
}

/**
 * Pushes the recorder's figures to an OpenTelemetry Collector over OTLP/HTTP (protobuf) every
 * `intervalMs`: the SDK's periodic reader, fed by a producer that reads the recorder's registry
 * (the same figures `/metrics` serves), and the SDK's exporter (encoding, retries within the
 * timeout). Nothing here throws at the run: a failed export is a notice and a count.
 */
export function startOtlpExport(recorder: MetricsRecorder, options: OtlpExportOptions): OtlpExport {
  const problem = otlpEndpointProblem(options.endpoint);
  if (problem !== null) throw new Error(problem);
  const intervalMs = options.intervalMs ?? OTLP_DEFAULT_INTERVAL_MS;
  const timeoutMs = Math.min(OTLP_EXPORT_TIMEOUT_MS, intervalMs);
  const reporting = new ReportingExporter(
    new OTLPMetricExporter({ url: options.endpoint, headers: { ...options.headers }, timeoutMillis: timeoutMs }),
    recorder,
    options.endpoint,
    intervalMs,
    options.onNotice ?? (() => undefined),
  );
  const reader = new PeriodicExportingMetricReader({
    exporter: reporting,
    exportIntervalMillis: intervalMs,
    exportTimeoutMillis: timeoutMs,
    metricProducers: [new RegistryMetricProducer(recorder.registry, recorder.startedAt)],
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'echoscope', ...(options.version ? { 'service.version': options.version } : {}) }),
    readers: [reader],
  });
  let closing: Promise<void> | undefined;
  return {
    endpoint: options.endpoint,
    status: () => ({
      endpoint: options.endpoint,
      intervalMs,
      exports: reporting.exports,
      failures: reporting.failures,
      lastError: reporting.lastError,
      lastSuccessAt: reporting.lastSuccessAt,
    }),
    flush: () => (closing ? closing : provider.forceFlush({ timeoutMillis: timeoutMs }).catch(() => undefined)),
    close: () => {
      // The reader's shutdown exports once more; a collector that does not answer in time is left behind.
      closing ??= provider
        .shutdown({ timeoutMillis: OTLP_FINAL_EXPORT_MS })
        .catch(() => undefined)
        .then(() => {
          reporting.silent = true;
        });
      return closing;
    },
  };
}
