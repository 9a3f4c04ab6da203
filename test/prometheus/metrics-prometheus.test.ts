/**
 * Issue 21 item 2: a real Prometheus (Debian's `prometheus`) scrapes `echoscope check builtin
 * --metrics-port` every second while the library runs, and its HTTP API answers with the series
 * the scenarios imply. Expected figures come from the run's ground truth (what the mock sent, and
 * the anomalies `check` derives from it) and, for the latency buckets, from each session's measured
 * TTFT and duration in the report — never from the exposition itself. Skipped with a printed
 * reason where /usr/bin/prometheus is missing, unless ECHOSCOPE_REQUIRE_PROMETHEUS=1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANOMALY_KINDS, type AnomalyKind } from '../../shared/analysis';
import { proxiedSessionTruth, type SessionTruth } from '../../shared/scenario';
import { runCli } from '../../electron/cli/main';
import type { CheckReport } from '../../electron/core/scenarios';
import { GEN_AI_SECONDS_BUCKETS, LABEL_NAMES, METRIC_NAMES } from '../../electron/core/metrics';
import { freePort } from '../../test-support/free-port';

const PROMETHEUS = process.env.ECHOSCOPE_PROMETHEUS ?? '/usr/bin/prometheus';
const reason = existsSync(PROMETHEUS) ? null : `${PROMETHEUS} is missing (apt-get install prometheus)`;
if (reason && process.env.ECHOSCOPE_REQUIRE_PROMETHEUS) throw new Error(`the Prometheus test must run here (ECHOSCOPE_REQUIRE_PROMETHEUS) but cannot: ${reason}`);
if (reason) console.log(`[prometheus] skipped: ${reason}`);

interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

let dir: string;
let prometheus: ChildProcess | undefined;
let apiUrl: string;
let prometheusLog = '';

async function query(expr: string): Promise<PromSample[]> {
  const response = await fetch(`${apiUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; error?: string; data: { result: PromSample[] } };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${body.error}`);
  return body.data.result;
}

/** Polls until `condition` holds, within `ms` (a bounded wait for a state, not a sleep). */
async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${prometheusLog.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The last value scraped of each series of `selector` (range selectors leave stale markers out:
 * this is what the run's final scrape said), summed by `by` labels.
 */
async function last(selector: string, by: string[] = []): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const result = await query(`sum by (${by.join(', ')}) (last_over_time(${selector}[30m]))`);
  return result.map((s) => ({ labels: s.metric, value: Number(s.value![1]) }));
}

async function total(selector: string): Promise<number> {
  return (await last(selector)).reduce((sum, s) => sum + s.value, 0);
}

describe.skipIf(reason !== null)('Prometheus scraping `echoscope check builtin`', () => {
  let report: CheckReport;
  let exitCode: number;
  let stderr: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'echoscope-prometheus-'));
    const [metricsPort, webPort] = [await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${webPort}`;
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 900ms',
      'scrape_configs:',
      '  - job_name: echoscope',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${metricsPort}']`,
      '',
    ].join('\n');
    await writeFile(join(dir, 'prometheus.yml'), config);
    prometheus = spawn(
      PROMETHEUS,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${webPort}`, '--log.level=warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const log = (chunk: Buffer) => (prometheusLog = (prometheusLog + chunk.toString()).slice(-20_000));
    prometheus.stdout?.on('data', log);
    prometheus.stderr?.on('data', log);
    await until('Prometheus to be ready', 30_000, async () => ((await fetch(`${apiUrl}/-/ready`)).ok ? true : undefined));

    stderr = [];
    const io = { out: () => undefined, err: (line: string) => stderr.push(line), stopSignal: new Promise<NodeJS.Signals>(() => undefined) };
    // --metrics-linger: the run ends only once Prometheus scraped it after its last scenario.
    exitCode = await runCli(['check', 'builtin', '--reporter', 'json', '--out', dir, '--metrics-port', String(metricsPort), '--metrics-linger', '60s'], io);
    const folder = (await readdir(dir)).find((name) => name.startsWith('check-'))!;
    report = JSON.parse(await readFile(join(dir, folder, 'report.json'), 'utf8')) as CheckReport;
    // The metrics server is closed now: once a scrape failed, the one before it (the lingered one) is in the TSDB.
    await until('a failed scrape after the run', 20_000, async () => ((await query('up{job="echoscope"} == 0')).length > 0 ? true : undefined));
  }, 180_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    if (prometheus && prometheus.exitCode === null) await new Promise((resolve) => prometheus!.once('exit', resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // What EchoScope was given: a `target: proxy` scenario's sessions as the proxy delivered them.
  const truths = (): SessionTruth[] => report.scenarios.flatMap((s) => s.truth.sessions.map((t) => (s.truth.proxy === undefined ? t : proxiedSessionTruth(t, s.truth.proxy))));

  it('ran the library and was scraped while it ran, not only at its end', async () => {
    expect(stderr.filter((line) => line.includes('not scraped'))).toEqual([]);
    expect(exitCode).toBe(0);
    // One scrape a second over a run of many seconds: several succeeded.
    const scrapes = await query('sum_over_time(up{job="echoscope"}[30m])');
    expect(Number(scrapes[0]!.value![1])).toBeGreaterThanOrEqual(3);
  });

  it('counts every session by the status its last terminal event says (ground truth), the rest as not terminal', async () => {
    const expected = new Map<string, number>();
    let unterminated = 0;
    for (const truth of truths()) {
      // The status is the last terminal state received: the last event the server really sent whole.
      const terminal = truth.events.filter((e) => e.delivery === 'sent' && e.state !== 'generating').at(-1);
      if (terminal) expected.set(terminal.state, (expected.get(terminal.state) ?? 0) + 1);
      else unterminated++;
    }
    const byStatus = new Map<string, number>();
    for (const s of await last('echoscope_sessions_total', ['status'])) byStatus.set(s.labels.status!, s.value);
    for (const [status, count] of expected) expect([status, byStatus.get(status)]).toEqual([status, count]);
    const notTerminal = ['streaming', 'stalled', 'orphaned'].reduce((sum, status) => sum + (byStatus.get(status) ?? 0), 0);
    expect(notTerminal).toBe(unterminated);
    expect(await total('echoscope_sessions_total')).toBe(truths().length);
    expect(truths().length).toBeGreaterThan(20);
  });

  it('counts anomalies by kind as the ground truth implies them', async () => {
    const expected = Object.fromEntries(ANOMALY_KINDS.map((kind) => [kind, 0])) as Record<AnomalyKind, number>;
    for (const scenario of report.scenarios) for (const session of scenario.sessions) for (const kind of ANOMALY_KINDS) expected[kind] += session.expected[kind];
    const got = Object.fromEntries((await last('echoscope_anomalies_total', ['kind'])).map((s) => [s.labels.kind!, s.value]));
    for (const kind of ANOMALY_KINDS) expect([kind, got[kind] ?? 0]).toEqual([kind, expected[kind]]);
    expect(Object.values(expected).filter((n) => n > 0).length).toBeGreaterThan(8);
  });

  it('fills the GenAI histograms: one duration per terminated session, one gap per new chunk after the first, in the advised buckets', async () => {
    const sessions = report.scenarios.flatMap((s) => s.sessions);
    // Ground truth: a session with a terminal event has a duration; every distinct position the server sent whole is one new chunk.
    const terminated = truths().filter((t) => t.events.some((e) => e.delivery === 'sent' && e.state !== 'generating')).length;
    expect(await total('gen_ai_client_operation_duration_seconds_count')).toBe(terminated);
    const chunkGaps = truths().reduce((sum, t) => sum + Math.max(0, new Set(t.events.filter((e) => e.delivery === 'sent').map((e) => e.sequence)).size - 1), 0);
    expect(await total('gen_ai_client_operation_time_per_output_chunk_seconds_count')).toBe(chunkGaps);

    const durations = sessions.map((s) => s.verdict?.durationMs ?? null).filter((d): d is number => d !== null);
    const ttfts = sessions.map((s) => s.verdict?.ttftMs ?? null).filter((d): d is number => d !== null);
    expect(await total('gen_ai_client_operation_time_to_first_chunk_seconds_count')).toBe(ttfts.length);
    expect(ttfts.length).toBeGreaterThan(10);
    for (const [name, values] of [
      ['gen_ai_client_operation_duration_seconds_bucket', durations],
      ['gen_ai_client_operation_time_to_first_chunk_seconds_bucket', ttfts],
    ] as const) {
      const buckets = new Map<string, number>();
      for (const s of await last(name, ['le'])) buckets.set(s.labels.le!, s.value);
      expect(new Set(buckets.keys())).toEqual(new Set([...GEN_AI_SECONDS_BUCKETS.map(String), '+Inf']));
      for (const le of GEN_AI_SECONDS_BUCKETS) expect([name, le, buckets.get(String(le))]).toEqual([name, le, values.filter((ms) => ms / 1000 <= le).length]);
      expect(buckets.get('+Inf')).toBe(values.length);
    }
    // A dashboard's quantile works on what was scraped.
    const p95 = await query('histogram_quantile(0.95, sum by (le) (last_over_time(gen_ai_client_operation_duration_seconds_bucket[30m])))');
    expect(Number(p95[0]!.value![1])).toBeGreaterThan(0);
  });

  it("the Grafana dashboard's queries (docs/grafana/echoscope.json) are valid PromQL over series EchoScope serves, and answer", async () => {
    const dashboard = JSON.parse(await readFile(join(dirname(fileURLToPath(import.meta.url)), '../../docs/grafana/echoscope.json'), 'utf8')) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    const served = new Set(Object.values(METRIC_NAMES));
    const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((t) => ({ panel: panel.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThan(10);
    let answered = 0;
    for (const { panel, expr } of exprs) {
      for (const [, name] of expr.matchAll(/\b((?:echoscope|gen_ai)_[a-z_]+)\{/g))
        expect([panel, name, served.has(name!.replace(/_(bucket|sum|count)$/, '') as never)]).toEqual([panel, name, true]);
      // Grafana's variables as a dashboard over this run would fill them in.
      const concrete = expr.replaceAll('$job', '.*').replaceAll('$contract', '.*').replaceAll('$__rate_interval', '30m').replaceAll('$__range', '30m');
      const result = await query(concrete); // throws on a PromQL error
      if (result.length > 0) answered++;
    }
    expect(answered).toBeGreaterThan(exprs.length / 2);
  });

  it('labels no series with a session or a channel', async () => {
    const series = await query('{job="echoscope", __name__=~"echoscope_.*|gen_ai_.*"}[30m]');
    expect(series.length).toBeGreaterThan(10);
    const channels = truths().map((t) => t.channel);
    const values = new Map<string, Set<string>>();
    for (const s of series) {
      for (const [label, value] of Object.entries(s.metric)) {
        expect([...LABEL_NAMES, 'le', '__name__', 'job', 'instance']).toContain(label);
        expect(channels).not.toContain(value);
        if (!values.has(label)) values.set(label, new Set());
        values.get(label)!.add(value);
      }
    }
    // A label that named sessions would take one value per session; each takes a few (a kind, a status, a contract…).
    for (const [label, seen] of values) if (label !== '__name__' && label !== 'le') expect([label, seen.size <= ANOMALY_KINDS.length]).toEqual([label, true]);
    expect(truths().length).toBeGreaterThan(ANOMALY_KINDS.length);
  });
});
