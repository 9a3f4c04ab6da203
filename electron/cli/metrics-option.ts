import type { Analyzer, SessionVerdict } from '../../shared/analysis';
import { preciseNow } from '../core/clock';
import {
  AnalyzerMetrics,
  MetricsRecorder,
  OTLP_DEFAULT_INTERVAL_MS,
  otlpEndpointProblem,
  startMetricsServer,
  startOtlpExport,
  type MetricsServer,
  type OtlpExport,
} from '../core/metrics';
import { parseDuration } from './duration';
import { intOption, stringOption, UsageError, type OptionSpec, type ParsedArgs } from './command';

/** `--metrics-port` / `--metrics-host`: the same on every command that serves `/metrics` on a port of its own. */
export const metricsOptions: Record<string, OptionSpec> = {
  'metrics-port': { type: 'string', description: 'serve Prometheus metrics at http://HOST:N/metrics (docs/metrics.md); 0 = pick a free port', valueName: 'n' },
  // No `default`: parseArgs would fill it in, and a host given without a port could not be told from none.
  'metrics-host': { type: 'string', description: 'interface the metrics listen on (default: 127.0.0.1)', valueName: 'host' },
};

/** `--otlp-endpoint` and its companions: the same on `watch`, `check` and `serve`. */
export const otlpOptions: Record<string, OptionSpec> = {
  'otlp-endpoint': {
    type: 'string',
    description: 'push the same figures to an OpenTelemetry Collector over OTLP/HTTP (protobuf), e.g. http://127.0.0.1:4318/v1/metrics (docs/metrics.md)',
    valueName: 'url',
  },
  'otlp-interval': {
    type: 'string',
    description: `with --otlp-endpoint: how often to push (default: ${OTLP_DEFAULT_INTERVAL_MS / 1000}s; once more at the end)`,
    valueName: 'duration',
  },
  'otlp-header': { type: 'string', multiple: true, description: 'with --otlp-endpoint: a header sent with each push, "Name=value" (repeatable: an API key)', valueName: 'header' },
};

export interface CliMetrics {
  recorder: MetricsRecorder;
  /** `/metrics` on a port of its own (`--metrics-port`). */
  server?: MetricsServer;
  /** Pushes to a collector (`--otlp-endpoint`). */
  otlp?: OtlpExport;
}

export interface OtlpSettings {
  endpoint: string;
  intervalMs: number;
  headers: Record<string, string>;
}

/** `--otlp-endpoint`, `--otlp-interval`, `--otlp-header` as settings; undefined without an endpoint. Wrong values are usage errors naming the option. */
export function otlpSettingsFromArgs(args: ParsedArgs): OtlpSettings | undefined {
  const endpoint = stringOption(args, 'otlp-endpoint');
  if (endpoint === undefined) {
    const orphan = ['otlp-interval', 'otlp-header'].find((name) => args.values[name] !== undefined);
    if (orphan) throw new UsageError(`--${orphan} needs --otlp-endpoint URL`);
    return undefined;
  }
  const problem = otlpEndpointProblem(endpoint);
  if (problem !== null) throw new UsageError(`--otlp-endpoint: ${problem}`);
  const intervalMs = parseDuration(stringOption(args, 'otlp-interval') ?? `${OTLP_DEFAULT_INTERVAL_MS}ms`, 'otlp-interval');
  if (intervalMs < 100) throw new UsageError('--otlp-interval must be at least 100ms');
  const headers: Record<string, string> = {};
  for (const raw of (args.values['otlp-header'] as string[] | undefined) ?? []) {
    const at = raw.indexOf('=');
    if (at <= 0) throw new UsageError(`--otlp-header takes "Name=value", got ${JSON.stringify(raw)}`);
    headers[raw.slice(0, at).trim()] = raw.slice(at + 1).trim();
  }
  return { endpoint, intervalMs, headers };
}

/**
 * Starts what the metrics options ask for (`--metrics-port`, `--otlp-endpoint`), one recorder for
 * both; undefined when neither was given. A port that cannot be had is a usage error naming it; a
 * collector that does not answer is not an error: `notice` tells it once (stderr) and the run goes on.
 */
export async function startCliMetrics(args: ParsedArgs, notice: (line: string) => void = () => undefined): Promise<CliMetrics | undefined> {
  const host = stringOption(args, 'metrics-host') ?? '127.0.0.1';
  if (args.values['metrics-port'] === undefined && args.values['metrics-host'] !== undefined) throw new UsageError('--metrics-host needs --metrics-port N');
  const otlp = otlpSettingsFromArgs(args);
  const port = args.values['metrics-port'] === undefined ? undefined : intOption(args, 'metrics-port', 0, 0, 65535);
  if (port === undefined && otlp === undefined) return undefined;
  const recorder = new MetricsRecorder();
  let server: MetricsServer | undefined;
  if (port !== undefined) {
    try {
      server = await startMetricsServer(recorder, { host, port });
    } catch (error) {
      throw new UsageError(`--metrics-port ${port}: cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    recorder,
    ...(server ? { server } : {}),
    ...(otlp ? { otlp: startOtlpExport(recorder, { ...otlp, version: process.env.npm_package_version ?? '0.1.0', onNotice: notice }) } : {}),
  };
}

/** Where the figures go, for the run's banner: `/metrics` at URL, OTLP to URL. */
export function describeCliMetrics(metrics: CliMetrics): string {
  return [metrics.server ? `metrics at ${metrics.server.url}` : null, metrics.otlp ? `OTLP to ${metrics.otlp.endpoint}` : null].filter(Boolean).join(', ');
}

/** The run is over: a last push to the collector (bounded), then `/metrics` stops. */
export async function closeCliMetrics(metrics: CliMetrics): Promise<void> {
  await metrics.otlp?.close();
  await metrics.server?.close();
}

/**
 * A run's analyzer feeding the metrics while it runs (`watch`): chunk gaps as frames arrive, the
 * sessions that changed once a second, every session as it ended when the run is over.
 */
export class LiveAnalyzerMetrics {
  private readonly feed: AnalyzerMetrics;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    analyzer: Analyzer,
    private readonly metrics: CliMetrics,
    flushMs = 1000,
  ) {
    this.feed = new AnalyzerMetrics(analyzer, metrics.recorder);
    this.timer = setInterval(() => this.feed.flush(preciseNow()), flushMs);
    this.timer.unref();
  }

  /** Right after `analyzer.ingest` returned `key`. */
  ingested(key: string | undefined): void {
    this.feed.ingested(key);
  }

  /** The run is over: its sessions count as ended, the collector gets them, and the server closes. */
  async finish(sessions: readonly SessionVerdict[]): Promise<void> {
    clearInterval(this.timer);
    this.feed.final(sessions);
    await closeCliMetrics(this.metrics);
  }
}
