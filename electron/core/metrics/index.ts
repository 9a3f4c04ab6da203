export { AnalyzerMetrics } from './analyzer-feed';
export { GEN_AI_SECONDS_BUCKETS, LABEL_NAMES, METRIC_NAMES, MetricsRecorder, type MetricsRecorderOptions, type SessionFigures } from './recorder';
export { answerMetrics, METRICS_PATH, startMetricsServer, type MetricsServer } from './server';
