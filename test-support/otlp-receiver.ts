/**
 * An OTLP/HTTP metrics receiver on 127.0.0.1 for tests. An OpenTelemetry Collector is outside our
 * control and cannot be installed here, so the tests stand one in that does what the Collector's
 * `otlp` receiver does first: it DECODES each request with the official schema — the protobufjs
 * code generated from opentelemetry-proto that `@opentelemetry/otlp-transformer` 0.57 shipped
 * (installed as the dev dependency `otlp-proto-schema`) — never a count of bytes.
 */
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

type Long = { toNumber(): number };
type Int = number | Long | null | undefined;
interface KeyValue {
  key?: string | null;
  value?: { stringValue?: string | null; intValue?: Int; doubleValue?: number | null; boolValue?: boolean | null } | null;
}
interface NumberPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int;
  timeUnixNano?: Int;
  asDouble?: number | null;
  asInt?: Int;
}
interface HistogramPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int;
  timeUnixNano?: Int;
  count?: Int;
  sum?: number | null;
  bucketCounts?: Int[] | null;
  explicitBounds?: number[] | null;
}
/** The messages of opentelemetry/proto/metrics/v1 as the generated decoder returns them (the fields read here). */
interface DecodedRequest {
  resourceMetrics?: Array<{
    resource?: { attributes?: KeyValue[] | null } | null;
    scopeMetrics?: Array<{
      scope?: { name?: string | null } | null;
      metrics?: Array<{
        name?: string | null;
        unit?: string | null;
        description?: string | null;
        sum?: { dataPoints?: NumberPoint[] | null; aggregationTemporality?: number | null; isMonotonic?: boolean | null } | null;
        gauge?: { dataPoints?: NumberPoint[] | null } | null;
        histogram?: { dataPoints?: HistogramPoint[] | null; aggregationTemporality?: number | null } | null;
      }> | null;
    }> | null;
  }> | null;
}
/** The generated module's declarations type it as a bare protobufjs Root: the two messages used, as they are. */
interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        metrics: {
          v1: {
            ExportMetricsServiceRequest: { decode(data: Uint8Array): DecodedRequest };
            ExportMetricsServiceResponse: { encode(message: object): { finish(): Uint8Array } };
          };
        };
      };
    };
  };
}
const root = createRequire(import.meta.url)('otlp-proto-schema/build/src/generated/root.js') as GeneratedRoot;
const ExportMetricsServiceRequest = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
const ExportMetricsServiceResponse = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;

/** An attribute's value as OTLP's AnyValue carries it (the kinds EchoScope sends). */
export type AttributeValue = string | number | boolean | null;

export interface ReceivedPoint {
  attributes: Record<string, AttributeValue>;
  startTimeUnixNano: number;
  timeUnixNano: number;
  /** Sum and gauge points. */
  value?: number;
  /** Histogram points. */
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  description: string;
  kind: 'sum' | 'gauge' | 'histogram' | 'other';
  /** OTLP's AggregationTemporality: 1 delta, 2 cumulative. */
  temporality?: number;
  monotonic?: boolean;
  points: ReceivedPoint[];
}

export interface ReceivedExport {
  contentType: string | undefined;
  path: string;
  resource: Record<string, AttributeValue>;
  scopes: string[];
  metrics: ReceivedMetric[];
}

export interface OtlpReceiver {
  url: string;
  port: number;
  /** Every request decoded, in order of arrival. */
  exports: ReceivedExport[];
  /** Requests that could not be decoded (a test asserts there are none). */
  undecodable: string[];
  /** Resolves once `count` exports arrived in all (bounded by `timeoutMs`). */
  received(count: number, timeoutMs: number): Promise<ReceivedExport[]>;
  close(): Promise<void>;
}

const num = (v: Int): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

function attributes(list: readonly KeyValue[] | null | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list ?? []) {
    const v = kv.value;
    out[kv.key ?? ''] = v?.stringValue ?? (v?.intValue !== undefined && v?.intValue !== null ? num(v.intValue) : (v?.doubleValue ?? v?.boolValue ?? null));
  }
  return out;
}

function project(request: DecodedRequest, path: string, contentType: string | undefined): ReceivedExport {
  const metrics: ReceivedMetric[] = [];
  let resource: Record<string, AttributeValue> = {};
  const scopes: string[] = [];
  for (const rm of request.resourceMetrics ?? []) {
    resource = attributes(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      scopes.push(sm.scope?.name ?? '');
      for (const m of sm.metrics ?? []) {
        const base = { name: m.name ?? '', unit: m.unit ?? '', description: m.description ?? '' };
        const scalar = (p: NumberPoint): ReceivedPoint => ({
          attributes: attributes(p.attributes),
          startTimeUnixNano: num(p.startTimeUnixNano),
          timeUnixNano: num(p.timeUnixNano),
          value: p.asDouble ?? num(p.asInt),
        });
        if (m.sum)
          metrics.push({
            ...base,
            kind: 'sum',
            temporality: m.sum.aggregationTemporality ?? 0,
            monotonic: m.sum.isMonotonic ?? false,
            points: (m.sum.dataPoints ?? []).map(scalar),
          });
        else if (m.gauge) metrics.push({ ...base, kind: 'gauge', points: (m.gauge.dataPoints ?? []).map(scalar) });
        else if (m.histogram)
          metrics.push({
            ...base,
            kind: 'histogram',
            temporality: m.histogram.aggregationTemporality ?? 0,
            points: (m.histogram.dataPoints ?? []).map((p) => ({
              attributes: attributes(p.attributes),
              startTimeUnixNano: num(p.startTimeUnixNano),
              timeUnixNano: num(p.timeUnixNano),
              count: num(p.count),
              sum: p.sum ?? 0,
              bucketCounts: (p.bucketCounts ?? []).map(num),
              explicitBounds: [...(p.explicitBounds ?? [])],
            })),
          });
        else metrics.push({ ...base, kind: 'other', points: [] });
      }
    }
  }
  return { contentType, path, resource, scopes, metrics };
}

function body(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => resolve(Buffer.concat(parts)));
    request.on('error', reject);
  });
}

/** Starts the receiver; `status` answers every request with that HTTP status instead (a collector refusing). */
export async function startOtlpReceiver(options: { status?: number } = {}): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  const undecodable: string[] = [];
  const waiting = new Set<() => void>();
  const server = createServer((request, response) => {
    void body(request).then((raw) => {
      if (options.status !== undefined) return void response.writeHead(options.status).end();
      try {
        const data = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        exports.push(project(ExportMetricsServiceRequest.decode(data), request.url ?? '', request.headers['content-type']));
      } catch (error) {
        undecodable.push(error instanceof Error ? error.message : String(error));
        return void response.writeHead(400).end();
      }
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.from(ExportMetricsServiceResponse.encode({}).finish()));
      for (const notify of [...waiting]) notify();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/metrics`,
    port,
    exports,
    undecodable,
    received: (count, timeoutMs) =>
      new Promise((resolve, reject) => {
        if (exports.length >= count) return resolve(exports);
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`the receiver got ${exports.length} of ${count} exports in ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (exports.length < count) return;
          clearTimeout(timer);
          waiting.delete(check);
          resolve(exports);
        };
        waiting.add(check);
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
