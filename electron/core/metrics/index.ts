export { AnalyzerMetrics } from './analyzer-feed';
export { GEN_AI_SECONDS_BUCKETS, LABEL_NAMES, METRIC_NAMES, MetricsRecorder, type MetricsRecorderOptions, type SessionFigures } from './recorder';
export { answerMetrics, METRICS_PATH, startMetricsServer, type MetricsServer } from './server';
export {
  describeExportError,
  OTLP_DEFAULT_INTERVAL_MS,
  OTLP_FINAL_EXPORT_MS,
  otlpEndpointProblem,
  startOtlpExport,
  type OtlpExport,
  type OtlpExportOptions,
  type OtlpExportStatus,
} from './otlp-export';
export { OTEL_ATTRIBUTES, OTEL_METRICS, OTEL_SCOPE } from './otlp-producer';
export { MetricsOutputs, type MetricsOutputsOptions, type MetricsSettingsStore } from './outputs';
