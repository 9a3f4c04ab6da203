/**
 * `check --otlp-endpoint` against a receiver started here on 127.0.0.1: an OpenTelemetry Collector
 * is outside our control and not installable on this machine, so test-support/otlp-receiver stands
 * in, decoding each push with the official protobuf schema. Expected figures come from how
 * `builtin:crash-retry` is built (electron/mock/scenarios/library.ts), not from the exporter.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedMetric } from '../../test-support/otlp-receiver';
import { GEN_AI_SECONDS_BUCKETS } from '../core/metrics';
import { runCli } from './main';
import { freePort } from '../../test-support/free-port';

let receiver: OtlpReceiver | undefined;
let dir: string | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function cliIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stopSignal: new Promise<NodeJS.Signals>(() => undefined) } };
}

const metric = (metrics: ReceivedMetric[], name: string): ReceivedMetric => {
  const found = metrics.find((m) => m.name === name);
  if (!found) throw new Error(`no ${name} among ${metrics.map((m) => m.name).join(', ')}`);
  return found;
};
const total = (m: ReceivedMetric, filter: (attributes: Record<string, unknown>) => boolean = () => true) =>
  m.points.filter((p) => filter(p.attributes)).reduce((sum, p) => sum + (p.value ?? p.count ?? 0), 0);

// builtin:crash-retry: crash-retry-1..3 (crash after 40 tokens, one retry), crash-twice (after 20, twice),
// crash-idempotent (after 50, the retry skips what was saved); 60 tokens each, every session completes.
const SESSIONS = 5;
const REPLAYS = 3 * 1 + 2 + 0;
const DUPLICATES = 3 * 40 + 2 * 20 + 10;
// 60 tokens + the terminal: 61 distinct sequences, so 60 gaps between new chunks in each session.
const CHUNK_GAPS = SESSIONS * 60;

describe('echoscope check --otlp-endpoint', () => {
  it('pushes the run’s figures once more at its end: the GenAI histograms with their boundaries, the sessions and anomalies, no ids', async () => {
    receiver = await startOtlpReceiver();
    dir = await mkdtemp(join(tmpdir(), 'echoscope-otlp-check-'));
    const cli = cliIo();
    // An interval longer than the run: what arrives is the final export at the end.
    const code = await runCli(['check', 'builtin:crash-retry', '--reporter', 'json', '--out', dir, '--otlp-endpoint', receiver.url, '--otlp-interval', '10m'], cli.io);
    expect(code).toBe(0);
    expect(cli.err.some((line) => line.includes(`OTLP to ${receiver!.url}`))).toBe(true);
    expect(receiver.undecodable).toEqual([]);
    expect(receiver.exports.length).toBeGreaterThanOrEqual(1);
    const last = receiver.exports.at(-1)!;
    expect(last.resource['service.name']).toBe('echoscope');
    const metrics = last.metrics;

    const sessions = metric(metrics, 'echoscope.sessions');
    expect(total(sessions)).toBe(SESSIONS);
    expect(total(sessions, (a) => a.status === 'completed')).toBe(SESSIONS);
    const anomalies = metric(metrics, 'echoscope.anomalies');
    expect(total(anomalies, (a) => a.kind === 'replay')).toBe(REPLAYS);
    expect(total(anomalies, (a) => a.kind === 'duplicate')).toBe(DUPLICATES);

    for (const name of ['gen_ai.client.operation.time_to_first_chunk', 'gen_ai.client.operation.time_per_output_chunk', 'gen_ai.client.operation.duration']) {
      const histogram = metric(metrics, name);
      expect([name, histogram.kind, histogram.unit, histogram.temporality]).toEqual([name, 'histogram', 's', 2]);
      for (const point of histogram.points) {
        expect(point.explicitBounds).toEqual([...GEN_AI_SECONDS_BUCKETS]);
        expect(point.bucketCounts!.reduce((a, b) => a + b, 0)).toBe(point.count);
        expect(point.attributes['gen_ai.operation.name']).toBe('chat');
      }
    }
    // Every session has a known start (the scenario run) and a first token, and all of them ended.
    expect(total(metric(metrics, 'gen_ai.client.operation.time_to_first_chunk'))).toBe(SESSIONS);
    expect(total(metric(metrics, 'gen_ai.client.operation.duration'))).toBe(SESSIONS);
    expect(total(metric(metrics, 'gen_ai.client.operation.time_per_output_chunk'))).toBe(CHUNK_GAPS);

    // Attributes take a handful of values: no session id or channel name anywhere.
    const attributeKeys = new Set(metrics.flatMap((m) => m.points.flatMap((p) => Object.keys(p.attributes))));
    for (const key of attributeKeys) expect(['gen_ai.operation.name', 'echoscope.contract', 'error.type', 'status', 'kind', 'vantage']).toContain(key);
    expect(JSON.stringify(metrics)).not.toMatch(/crash-|private-ai/);
  }, 60_000);

  it('a dead collector leaves the run and its exit code alone: one clear line on stderr', async () => {
    const port = await freePort(); // nothing listens there
    const endpoint = `http://127.0.0.1:${port}/v1/metrics`;
    dir = await mkdtemp(join(tmpdir(), 'echoscope-otlp-dead-'));
    const cli = cliIo();
    const code = await runCli(['check', 'builtin:crash-retry', '--reporter', 'json', '--out', dir, '--otlp-endpoint', endpoint, '--otlp-interval', '200ms'], cli.io);
    expect(code).toBe(0);
    expect(cli.out.some((line) => /5 sessions?.*passed|passed/.test(line))).toBe(true);
    const said = cli.err.filter((line) => line.includes('OTLP export'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(new RegExp(`^echoscope check: OTLP export to ${endpoint.replace(/[./]/g, '\\$&')} failed: .*ECONNREFUSED.*tries again every 0\\.2s$`));
  }, 60_000);

  it('refuses an endpoint that is not an http(s) URL, and companions without an endpoint', async () => {
    for (const [args, message] of [
      [['--otlp-endpoint', 'localhost:4318'], /--otlp-endpoint: .*not an http/],
      [['--otlp-interval', '5s'], /--otlp-interval needs --otlp-endpoint/],
      [['--otlp-endpoint', 'http://127.0.0.1:1/v1/metrics', '--otlp-header', 'nope'], /--otlp-header takes "Name=value"/],
    ] as const) {
      const cli = cliIo();
      expect(await runCli(['check', 'builtin:crash-retry', '--reporter', 'json', '--out', tmpdir(), ...args], cli.io)).toBe(2);
      expect(cli.err.join('\n')).toMatch(message);
    }
  });
});
