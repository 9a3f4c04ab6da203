import { z } from 'zod';

/** Wire schemas of the metrics settings (docs/metrics.md): `/metrics` on a port of its own, and OTLP. */

/** An OTLP/HTTP metrics URL: http(s) only (the collector's `otlp` receiver, e.g. http://127.0.0.1:4318/v1/metrics). */
export const OtlpEndpointSchema = z.url({ protocol: /^https?$/, message: 'the OTLP endpoint must be an http:// or https:// URL, e.g. http://127.0.0.1:4318/v1/metrics' }).max(2000);

export const MetricsSettingsSchema = z
  .object({
    /** Serve Prometheus metrics at http://127.0.0.1:PORT/metrics. */
    serve: z.boolean(),
    /** 0 = a free port, picked when it starts. */
    port: z.number().int().min(0).max(65535),
    /** Push the same figures to an OpenTelemetry Collector; null: off. */
    otlpEndpoint: OtlpEndpointSchema.nullable(),
  })
  .strict();
export type MetricsSettings = z.infer<typeof MetricsSettingsSchema>;

export const DEFAULT_METRICS_SETTINGS: MetricsSettings = { serve: false, port: 9464, otlpEndpoint: null };

export const MetricsStateSchema = z.object({
  settings: MetricsSettingsSchema,
  /** ECHOSCOPE_METRICS_PORT (and _HOST) was set: it wins over `serve` and `port`, which cannot be changed here. */
  environment: z.object({ variable: z.string(), port: z.number(), host: z.string() }).nullable(),
  prometheus: z.object({
    state: z.enum(['off', 'serving', 'failed']),
    url: z.string().nullable(),
    /** Why it is not served although it should be (a port that cannot be had). */
    error: z.string().nullable(),
  }),
  otlp: z.object({
    state: z.enum(['off', 'exporting', 'failing']),
    endpoint: z.string().nullable(),
    intervalMs: z.number().nullable(),
    exports: z.number(),
    failures: z.number(),
    lastError: z.string().nullable(),
  }),
  /** The headless host also answers /metrics on the dashboard's own port (`serve`): its path, else null. */
  dashboardPath: z.string().nullable(),
});
export type MetricsState = z.infer<typeof MetricsStateSchema>;

export const metricsCommands = {
  /** Where the figures go now, and the settings. */
  'metrics.state': { request: z.object({}).strict(), response: MetricsStateSchema },
  /**
   * Changes the settings and applies them at once (no restart): the server starts, moves or stops,
   * the OTLP export starts or stops. A port that cannot be had is refused (`listen_failed`, the
   * settings unchanged); `serve`/`port` while ECHOSCOPE_METRICS_PORT is set are refused (`conflict`).
   * Saved with the app's settings where the host keeps them (the desktop app).
   */
  'metrics.configure': { request: MetricsSettingsSchema.partial().strict(), response: MetricsStateSchema },
} as const;
