import type { Analyzer, SessionVerdict } from '../../shared/analysis';
import { preciseNow } from '../core/clock';
import { AnalyzerMetrics, MetricsRecorder, startMetricsServer, type MetricsServer } from '../core/metrics';
import { intOption, stringOption, UsageError, type OptionSpec, type ParsedArgs } from './command';

/** `--metrics-port` / `--metrics-host`: the same on every command that serves `/metrics` on a port of its own. */
export const metricsOptions: Record<string, OptionSpec> = {
  'metrics-port': { type: 'string', description: 'serve Prometheus metrics at http://HOST:N/metrics (docs/metrics.md); 0 = pick a free port', valueName: 'n' },
  // No `default`: parseArgs would fill it in, and a host given without a port could not be told from none.
  'metrics-host': { type: 'string', description: 'interface the metrics listen on (default: 127.0.0.1)', valueName: 'host' },
};

export interface CliMetrics {
  recorder: MetricsRecorder;
  server: MetricsServer;
}

/** Starts the metrics server when `--metrics-port` was given; undefined otherwise. A port that cannot be had is a usage error naming it. */
export async function startCliMetrics(args: ParsedArgs): Promise<CliMetrics | undefined> {
  const host = stringOption(args, 'metrics-host') ?? '127.0.0.1';
  if (args.values['metrics-port'] === undefined) {
    if (args.values['metrics-host'] !== undefined) throw new UsageError('--metrics-host needs --metrics-port N');
    return undefined;
  }
  const port = intOption(args, 'metrics-port', 0, 0, 65535);
  const recorder = new MetricsRecorder();
  try {
    return { recorder, server: await startMetricsServer(recorder, { host, port }) };
  } catch (error) {
    throw new UsageError(`--metrics-port ${port}: cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * A run's analyzer feeding `/metrics` while it runs (`watch`): chunk gaps as frames arrive, the
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

  /** The run is over: its sessions count as ended, and the server closes. */
  async finish(sessions: readonly SessionVerdict[]): Promise<void> {
    clearInterval(this.timer);
    this.feed.final(sessions);
    await this.metrics.server.close();
  }
}
