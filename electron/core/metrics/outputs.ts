import { AppError, DEFAULT_METRICS_SETTINGS, type MetricsSettings, type MetricsState } from '../../../shared/api';
import { startOtlpExport, type OtlpExport } from './otlp-export';
import type { MetricsRecorder } from './recorder';
import { startMetricsServer, type MetricsServer } from './server';

/** Where the metrics settings are kept between runs (the desktop app's settings file); none: for this run only. */
export interface MetricsSettingsStore {
  load(): Partial<MetricsSettings> | undefined;
  save(settings: MetricsSettings): void;
}

export interface MetricsOutputsOptions {
  recorder: MetricsRecorder;
  /** `service.version` of what is pushed over OTLP. */
  version: string;
  /** The interface `/metrics` listens on (default 127.0.0.1). */
  host?: string;
  /** ECHOSCOPE_METRICS_PORT: wins over the settings' `serve` and `port`. */
  environment?: { variable: string; port: number; host: string };
  store?: MetricsSettingsStore;
  /** Settings given for this run (serve's --otlp-endpoint), over what the store holds. */
  initial?: Partial<MetricsSettings>;
  /** OTLP's interval and headers (the command line's); defaults otherwise. */
  otlp?: { intervalMs?: number; headers?: Record<string, string> };
  /** The headless host also serves /metrics on the dashboard's port: its path. */
  dashboardPath?: string | null;
  /** OTLP failing and working again, a port that cannot be had at start: told, never thrown. */
  onNotice?: (message: string) => void;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The recorder's outputs that can change while the app runs: `/metrics` on a port of its own and
 * the OTLP export. Settings apply at once; a port that cannot be had is refused and changes nothing.
 */
export class MetricsOutputs {
  private settings: MetricsSettings;
  private server: MetricsServer | undefined;
  /** Where the running server listens (port 0 stays 0: the port it was asked for). */
  private serving: { host: string; port: number } | undefined;
  private serverError: string | null = null;
  private otlp: OtlpExport | undefined;
  private readonly host: string;
  private readonly notice: (message: string) => void;
  /** Changes apply one at a time: two quick toggles never race for a port. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: MetricsOutputsOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.notice = options.onNotice ?? ((message) => console.warn(`EchoScope: ${message}`));
    let stored: Partial<MetricsSettings> | undefined;
    try {
      stored = options.store?.load();
    } catch (error) {
      this.notice(`metrics settings cannot be read: ${describe(error)}`);
    }
    this.settings = { ...DEFAULT_METRICS_SETTINGS, ...stored, ...options.initial };
  }

  /** Applies the settings (or the environment) at start: what fails is in the state and told, never thrown. */
  async start(): Promise<void> {
    await this.serially(async () => {
      const target = this.serverTarget(this.settings);
      if (target) {
        try {
          await this.moveServer(target);
        } catch (error) {
          this.serverError = describe(error);
          this.notice(`metrics: ${this.serverError}`);
        }
      }
      if (this.settings.otlpEndpoint !== null) this.startOtlp(this.settings.otlpEndpoint);
    });
  }

  state(): MetricsState {
    const env = this.options.environment;
    const otlp = this.otlp?.status();
    return {
      settings: { ...this.settings },
      environment: env ? { ...env } : null,
      prometheus: {
        state: this.server ? 'serving' : this.serverError !== null ? 'failed' : 'off',
        url: this.server?.url ?? null,
        error: this.server ? null : this.serverError,
      },
      otlp: {
        state: otlp === undefined ? 'off' : otlp.lastError !== null ? 'failing' : 'exporting',
        endpoint: otlp?.endpoint ?? null,
        intervalMs: otlp?.intervalMs ?? null,
        exports: otlp?.exports ?? 0,
        failures: otlp?.failures ?? 0,
        lastError: otlp?.lastError ?? null,
      },
      dashboardPath: this.options.dashboardPath ?? null,
    };
  }

  /** Where `/metrics` is served on a port of its own now, if it is. */
  get url(): string | undefined {
    return this.server?.url;
  }

  configure(update: Partial<MetricsSettings>): Promise<MetricsState> {
    return this.serially(async () => {
      const next: MetricsSettings = { ...this.settings, ...update };
      const env = this.options.environment;
      const serverChanged = next.serve !== this.settings.serve || next.port !== this.settings.port;
      if (env && serverChanged) {
        throw new AppError('conflict', `${env.variable}=${env.port} is set: it decides where /metrics is served (unset it to use this setting)`);
      }
      if (!env && (serverChanged || (next.serve && !this.server))) {
        const target = this.serverTarget(next);
        if (target) {
          try {
            await this.moveServer(target);
          } catch (error) {
            throw new AppError('listen_failed', describe(error));
          }
        } else await this.moveServer(undefined);
      }
      if (next.otlpEndpoint !== this.settings.otlpEndpoint) {
        const previous = this.otlp;
        this.otlp = undefined;
        await previous?.close();
        if (next.otlpEndpoint !== null) this.startOtlp(next.otlpEndpoint);
      }
      this.settings = next;
      try {
        this.options.store?.save(next);
      } catch (error) {
        this.notice(`metrics settings cannot be saved (they apply until EchoScope quits): ${describe(error)}`);
      }
      return this.state();
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.otlp?.close();
    await this.server?.close();
    this.otlp = undefined;
    this.server = undefined;
  }

  private serverTarget(settings: MetricsSettings): { host: string; port: number } | undefined {
    const env = this.options.environment;
    if (env) return { host: env.host, port: env.port };
    return settings.serve ? { host: this.host, port: settings.port } : undefined;
  }

  /** The new server listens before the old one closes, so a refused port leaves the old one serving. */
  private async moveServer(target: { host: string; port: number } | undefined): Promise<void> {
    if (target && this.server && this.serving?.host === target.host && this.serving.port === target.port) return;
    const previous = this.server;
    if (target === undefined) {
      this.server = undefined;
      this.serving = undefined;
      this.serverError = null;
      await previous?.close();
      return;
    }
    // The same port as the old server's cannot be listened on twice: that one goes first.
    if (previous && target.port !== 0 && previous.port === target.port) {
      await previous.close();
      this.server = undefined;
    }
    try {
      this.server = await startMetricsServer(this.options.recorder, target);
    } catch (error) {
      if (this.server === undefined && previous && previous.port === target.port) this.serving = undefined;
      throw new Error(`cannot listen on ${target.host}:${target.port}: ${describe(error)}`, { cause: error });
    }
    this.serving = target;
    this.serverError = null;
    if (previous && this.server !== previous) await previous.close().catch(() => undefined);
  }

  private startOtlp(endpoint: string): void {
    try {
      this.otlp = startOtlpExport(this.options.recorder, { endpoint, ...this.options.otlp, version: this.options.version, onNotice: this.notice });
      // A first push at once: whether the collector answers is known now, not an interval later.
      void this.otlp.flush();
    } catch (error) {
      this.notice(`OTLP export is off: ${describe(error)}`);
    }
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
