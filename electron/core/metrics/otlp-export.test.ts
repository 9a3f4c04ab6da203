import { afterEach, describe, expect, it } from 'vitest';
import type { Anomaly } from '../../../shared/analysis';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedMetric } from '../../../test-support/otlp-receiver';
import { GEN_AI_SECONDS_BUCKETS, MetricsRecorder, startOtlpExport, type OtlpExport } from './index';

let receiver: OtlpReceiver | undefined;
let exporter: OtlpExport | undefined;
afterEach(async () => {
  await exporter?.close();
  await receiver?.close();
  exporter = undefined;
  receiver = undefined;
});

const byName = (metrics: ReceivedMetric[], name: string): ReceivedMetric => {
  const found = metrics.find((m) => m.name === name);
  if (!found) throw new Error(`no ${name} among ${metrics.map((m) => m.name).join(', ')}`);
  return found;
};

describe('OTLP export of the recorder', () => {
  it('pushes the same figures as /metrics, under the conventions’ names, decoded with the official schema', async () => {
    receiver = await startOtlpReceiver();
    const startedAt = Date.now() - 60_000;
    const recorder = new MetricsRecorder({ startedAt });
    // Chunk gaps 5 ms, 15 ms, 100 ms, 100 s: one in each of (…, 0.01], (0.01, 0.02], (0.08, 0.16] and past 81.92.
    for (const ms of [5, 15, 100, 100_000]) recorder.chunkGap(ms, 'echoscope');
    const dup: Anomaly[] = [{ kind: 'duplicate', at: 1 }];
    const contract = { name: 'echoscope', confidence: 'given' as const, reason: '' };
    recorder.session({ sessionId: 'user-7-sess', status: 'completed', ttftMs: 250, durationMs: 1500, anomalies: dup, contract });
    recorder.session({ sessionId: 'user-8-sess', status: 'errored', ttftMs: null, durationMs: 30, anomalies: [], contract });
    exporter = startOtlpExport(recorder, { endpoint: receiver.url, intervalMs: 60_000, version: '9.9.9' });
    await exporter.flush();
    const [received] = await receiver.received(1, 10_000);
    expect(receiver.undecodable).toEqual([]);
    expect(received!.path).toBe('/v1/metrics');
    expect(received!.contentType).toBe('application/x-protobuf');
    expect(received!.resource['service.name']).toBe('echoscope');
    expect(received!.resource['service.version']).toBe('9.9.9');
    expect(received!.scopes).toEqual(['echoscope']);
    const metrics = received!.metrics;

    const perChunk = byName(metrics, 'gen_ai.client.operation.time_per_output_chunk');
    expect([perChunk.kind, perChunk.unit, perChunk.temporality]).toEqual(['histogram', 's', 2]);
    expect(perChunk.points).toHaveLength(1);
    const point = perChunk.points[0]!;
    expect(point.attributes).toEqual({ 'gen_ai.operation.name': 'chat', 'echoscope.contract': 'echoscope' });
    expect(point.explicitBounds).toEqual([...GEN_AI_SECONDS_BUCKETS]);
    // OTLP counts per bucket (not cumulative): 15 bounds, 15 buckets + the overflow one.
    const expectedCounts = new Array<number>(GEN_AI_SECONDS_BUCKETS.length + 1).fill(0);
    expectedCounts[0] = 1; // 5 ms ≤ 0.01
    expectedCounts[1] = 1; // 15 ms in (0.01, 0.02]
    expectedCounts[4] = 1; // 100 ms in (0.08, 0.16]
    expectedCounts[GEN_AI_SECONDS_BUCKETS.length] = 1; // 100 s past 81.92
    expect(point.bucketCounts).toEqual(expectedCounts);
    expect(point.count).toBe(4);
    expect(point.sum).toBeCloseTo(0.005 + 0.015 + 0.1 + 100, 9);
    // Cumulative from the recorder's start, in nanoseconds.
    expect(Math.round(point.startTimeUnixNano / 1e6)).toBe(startedAt);
    expect(point.timeUnixNano).toBeGreaterThan(point.startTimeUnixNano);

    const ttft = byName(metrics, 'gen_ai.client.operation.time_to_first_chunk');
    expect(ttft.points.map((p) => p.count)).toEqual([1]);
    expect(ttft.points[0]!.bucketCounts![5]).toBe(1); // 250 ms in (0.16, 0.32]

    const duration = byName(metrics, 'gen_ai.client.operation.duration');
    const errored = duration.points.find((p) => p.attributes['error.type'] === 'errored');
    const completed = duration.points.find((p) => p.attributes['error.type'] === undefined);
    expect([errored?.count, completed?.count]).toEqual([1, 1]);
    expect(completed!.bucketCounts![8]).toBe(1); // 1.5 s in (1.28, 2.56]

    const sessions = byName(metrics, 'echoscope.sessions');
    expect([sessions.kind, sessions.monotonic, sessions.temporality, sessions.unit]).toEqual(['sum', true, 2, '{session}']);
    expect(sessions.points.map((p) => [p.attributes.status, p.attributes['echoscope.contract'], p.value]).sort()).toEqual([
      ['completed', 'echoscope', 1],
      ['errored', 'echoscope', 1],
    ]);
    const anomalies = byName(metrics, 'echoscope.anomalies');
    expect(anomalies.points.map((p) => [p.attributes.kind, p.value])).toEqual([['duplicate', 1]]);
    expect(byName(metrics, 'echoscope.sessions.open').kind).toBe('gauge');
    // No label carries a session id.
    expect(JSON.stringify(metrics)).not.toContain('user-');
  });

  it('a collector that refuses is told once, counted, and tried again; a later export that lands says so', async () => {
    receiver = await startOtlpReceiver({ status: 400 });
    const recorder = new MetricsRecorder();
    const notices: string[] = [];
    exporter = startOtlpExport(recorder, { endpoint: receiver.url, intervalMs: 60_000, onNotice: (line) => notices.push(line) });
    await exporter.flush();
    await exporter.flush();
    expect(exporter.status()).toMatchObject({ exports: 2, failures: 2, lastError: expect.stringContaining('HTTP 400') });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`OTLP export to ${receiver.url} failed: HTTP 400`);
    expect(await recorder.exposition()).toContain('echoscope_otlp_export_failures_total 2');
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(() => startOtlpExport(new MetricsRecorder(), { endpoint: 'localhost:4318' })).toThrow(/not an http/);
    expect(() => startOtlpExport(new MetricsRecorder(), { endpoint: 'nope' })).toThrow(/not a URL/);
  });
});
