import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type CollectionResult, type DataPoint, type MetricData, type MetricProducer, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { emptyResource } from '@opentelemetry/resources';
import type { Registry } from 'prom-client';
import { METRIC_NAMES } from './recorder';

type PrometheusName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/**
 * Each Prometheus series as OpenTelemetry names it: the GenAI conventions' own names and unit
 * (v1.41.0, docs/metrics.md), EchoScope's counters in the same style. An OpenTelemetry Collector's
 * Prometheus exporter renders them back as the names `/metrics` serves (dots to underscores, `s`
 * as `_seconds`, `_total` on counters, `{…}` annotations dropped).
 */
export const OTEL_METRICS: Readonly<Record<PrometheusName, { name: string; unit: string }>> = {
  [METRIC_NAMES.timeToFirstChunk]: { name: 'gen_ai.client.operation.time_to_first_chunk', unit: 's' },
  [METRIC_NAMES.timePerOutputChunk]: { name: 'gen_ai.client.operation.time_per_output_chunk', unit: 's' },
  [METRIC_NAMES.duration]: { name: 'gen_ai.client.operation.duration', unit: 's' },
  [METRIC_NAMES.sessions]: { name: 'echoscope.sessions', unit: '{session}' },
  [METRIC_NAMES.sessionsOpen]: { name: 'echoscope.sessions.open', unit: '{session}' },
  [METRIC_NAMES.anomalies]: { name: 'echoscope.anomalies', unit: '{anomaly}' },
  [METRIC_NAMES.deliveryLoss]: { name: 'echoscope.delivery_loss.events', unit: '{event}' },
  [METRIC_NAMES.otlpExportFailures]: { name: 'echoscope.otlp.export.failures', unit: '{export}' },
};

/** Labels that are attributes of the conventions under a dotted name; the others keep theirs. */
export const OTEL_ATTRIBUTES: Readonly<Record<string, string>> = {
  gen_ai_operation_name: 'gen_ai.operation.name',
  echoscope_contract: 'echoscope.contract',
  error_type: 'error.type',
};

export const OTEL_SCOPE = { name: 'echoscope' } as const;

/** One metric of `registry.getMetricsAsJSON()`. */
type PromMetric = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number];
type Labels = Record<string, string | number>;

function attributesOf(labels: Labels): Attributes {
  const attributes: Attributes = {};
  for (const [label, value] of Object.entries(labels)) if (label !== 'le') attributes[OTEL_ATTRIBUTES[label] ?? label] = String(value);
  return attributes;
}

/** One key per label set (the `le` of a bucket aside): the series a histogram's samples belong to. */
function seriesKey(labels: Labels): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([label]) => label !== 'le')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

interface HistogramSeries {
  attributes: Attributes;
  /** Cumulative counts by upper bound, as Prometheus keeps them (`+Inf` included). */
  cumulative: Array<{ le: number; count: number }>;
  sum: number;
  count: number;
}

/**
 * A prom-client histogram's samples as OTLP histogram points: explicit boundaries (the buckets'
 * finite upper bounds) and each bucket's own count (Prometheus keeps them cumulative).
 */
function histogramPoints(metric: PromMetric, startTime: HrTime, endTime: HrTime): DataPoint<{ buckets: { boundaries: number[]; counts: number[] }; sum: number; count: number }>[] {
  const bySeries = new Map<string, HistogramSeries>();
  for (const sample of metric.values) {
    const labels = sample.labels as Labels;
    const key = seriesKey(labels);
    let series = bySeries.get(key);
    if (!series) {
      series = { attributes: attributesOf(labels), cumulative: [], sum: 0, count: 0 };
      bySeries.set(key, series);
    }
    const sampleName = (sample as { metricName?: string }).metricName ?? '';
    if (sampleName.endsWith('_bucket')) series.cumulative.push({ le: labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le), count: sample.value });
    else if (sampleName.endsWith('_sum')) series.sum = sample.value;
    else if (sampleName.endsWith('_count')) series.count = sample.value;
  }
  return [...bySeries.values()].map((series) => {
    const ordered = series.cumulative.sort((a, b) => a.le - b.le);
    const boundaries = ordered.filter((b) => Number.isFinite(b.le)).map((b) => b.le);
    // One count per bucket: (-inf, b0], (b0, b1], …, (b_last, +inf); the last is what `count` adds past the last bound.
    const counts: number[] = [];
    let below = 0;
    for (const bound of ordered.filter((b) => Number.isFinite(b.le))) {
      counts.push(bound.count - below);
      below = bound.count;
    }
    counts.push(series.count - below);
    return { startTime, endTime, attributes: series.attributes, value: { buckets: { boundaries, counts }, sum: series.sum, count: series.count } };
  });
}

function scalarPoints(metric: PromMetric, startTime: HrTime, endTime: HrTime): DataPoint<number>[] {
  return metric.values.map((sample) => ({ startTime, endTime, attributes: attributesOf(sample.labels as Labels), value: sample.value }));
}

/**
 * prom-client's registry as OpenTelemetry metric data, read whole at each collection (a handful
 * of series: cost follows the series, never the sessions). Cumulative from `startedAt`, the
 * recorder's start, as Prometheus counters are.
 */
export function scopeMetricsOf(metrics: readonly PromMetric[], startedAt: number, now: number): ScopeMetrics {
  const startTime = millisToHrTime(startedAt);
  const endTime = millisToHrTime(now);
  const out: MetricData[] = [];
  for (const metric of metrics) {
    const otel = (OTEL_METRICS as Readonly<Record<string, { name: string; unit: string }>>)[metric.name];
    if (otel === undefined) continue; // not one of the recorder's figures
    const descriptor = { name: otel.name, description: metric.help, unit: otel.unit, valueType: ValueType.DOUBLE };
    // prom-client's typings declare a numeric enum; the value it holds at run time is the type's name.
    const type = String(metric.type);
    if (type === 'histogram') {
      out.push({
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: histogramPoints(metric, startTime, endTime),
      });
    } else if (type === 'counter') {
      out.push({
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: scalarPoints(metric, startTime, endTime),
      });
    } else if (type === 'gauge') {
      out.push({ descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: scalarPoints(metric, endTime, endTime) });
    }
  }
  return { scope: OTEL_SCOPE, metrics: out };
}

/**
 * The OpenTelemetry SDK's MetricProducer over the recorder's registry: the same figures as
 * `/metrics`, one recorder, no second instrumentation.
 */
export class RegistryMetricProducer implements MetricProducer {
  constructor(
    private readonly registry: Registry,
    private readonly startedAt: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async collect(): Promise<CollectionResult> {
    const metrics = await this.registry.getMetricsAsJSON();
    return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [scopeMetricsOf(metrics, this.startedAt, this.clock())] }, errors: [] };
  }
}
