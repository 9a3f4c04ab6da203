import { describe, expect, it } from 'vitest';
import type { Anomaly, AnomalyKind } from '../../../shared/analysis';
import type { JournalRecord } from '../../../shared/journal';
import { VirtualClock } from '../../../test-support/virtual-clock';
import { Monitor } from '../monitor';
import { GEN_AI_SECONDS_BUCKETS, LABEL_NAMES, MetricsRecorder, type SessionFigures } from './index';

/** Every sample of the exposition as {name, labels, value}. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    out.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return out;
}

function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.length === 0 ? undefined : found.reduce((sum, s) => sum + s.value, 0);
}

const anomalies = (counts: Partial<Record<AnomalyKind, number>>): Anomaly[] =>
  Object.entries(counts).flatMap(([kind, n]) => Array.from({ length: n }, (_, i) => ({ kind: kind as AnomalyKind, at: i })));

const figures = (over: Partial<SessionFigures> = {}): SessionFigures => ({
  sessionId: 'sess-7f3a',
  status: 'streaming',
  ttftMs: null,
  durationMs: null,
  anomalies: [],
  contract: { name: 'echoscope', confidence: 'given', reason: '' },
  ...over,
});

describe('MetricsRecorder', () => {
  it('puts chunk gaps in the conventions’ buckets (cumulative, seconds)', async () => {
    const recorder = new MetricsRecorder();
    // 5 ms, 15 ms, 100 ms and 100 s: ≤0.01, ≤0.02, ≤0.16 and only +Inf.
    for (const ms of [5, 15, 100, 100_000]) recorder.chunkGap(ms, 'echoscope');
    recorder.chunkGap(Number.NaN, 'echoscope');
    recorder.chunkGap(-1, 'echoscope');
    const text = await recorder.exposition();
    const bucket = (le: string) => value(text, 'gen_ai_client_operation_time_per_output_chunk_seconds_bucket', { le });
    expect([bucket('0.01'), bucket('0.02'), bucket('0.08'), bucket('0.16'), bucket('81.92'), bucket('+Inf')]).toEqual([1, 2, 2, 3, 3, 4]);
    expect(value(text, 'gen_ai_client_operation_time_per_output_chunk_seconds_count')).toBe(4);
    expect(value(text, 'gen_ai_client_operation_time_per_output_chunk_seconds_sum')).toBeCloseTo(0.005 + 0.015 + 0.1 + 100, 9);
    // Every advised boundary is a bucket, and nothing else is (+Inf aside).
    const les = samples(text)
      .filter((s) => s.name === 'gen_ai_client_operation_duration_seconds_bucket' || s.name === 'gen_ai_client_operation_time_per_output_chunk_seconds_bucket')
      .map((s) => s.labels.le);
    expect(new Set(les)).toEqual(new Set([...GEN_AI_SECONDS_BUCKETS.map(String), '+Inf']));
  });

  it('counts a session once however often it changes: anomalies by how many more, TTFT once, status and duration at the end', async () => {
    const recorder = new MetricsRecorder();
    recorder.session(figures({ anomalies: anomalies({ duplicate: 2 }) }));
    recorder.session(figures({ ttftMs: 250, anomalies: anomalies({ duplicate: 3, gap: 1 }) }));
    recorder.session(figures({ ttftMs: 250, status: 'completed', durationMs: 1500, anomalies: anomalies({ duplicate: 3, gap: 1 }) }));
    recorder.session(figures({ ttftMs: 250, status: 'completed', durationMs: 1500, anomalies: anomalies({ duplicate: 3, gap: 1, after_terminal: 1 }) }));
    recorder.session(figures({ sessionId: 'other', status: 'errored', durationMs: 30, anomalies: anomalies({ stall: 1 }) }));
    const text = await recorder.exposition();
    expect(value(text, 'echoscope_anomalies_total', { kind: 'duplicate' })).toBe(3);
    expect(value(text, 'echoscope_anomalies_total', { kind: 'gap' })).toBe(1);
    expect(value(text, 'echoscope_anomalies_total', { kind: 'after_terminal' })).toBe(1);
    expect(value(text, 'echoscope_anomalies_total', { kind: 'stall' })).toBe(1);
    expect(value(text, 'echoscope_sessions_total', { status: 'completed' })).toBe(1);
    expect(value(text, 'echoscope_sessions_total', { status: 'errored' })).toBe(1);
    expect(value(text, 'gen_ai_client_operation_time_to_first_chunk_seconds_count')).toBe(1);
    expect(value(text, 'gen_ai_client_operation_time_to_first_chunk_seconds_bucket', { le: '0.16' })).toBe(0);
    expect(value(text, 'gen_ai_client_operation_time_to_first_chunk_seconds_bucket', { le: '0.32' })).toBe(1);
    expect(value(text, 'gen_ai_client_operation_duration_seconds_count')).toBe(2);
    // error.type says how an errored operation ended; a completed one has none.
    expect(value(text, 'gen_ai_client_operation_duration_seconds_count', { error_type: 'errored' })).toBe(1);
    expect(value(text, 'gen_ai_client_operation_duration_seconds_bucket', { le: '1.28' })).toBe(1);
    expect(value(text, 'gen_ai_client_operation_duration_seconds_bucket', { le: '2.56' })).toBe(2);
  });

  it('never labels a series with a session, channel or user id', async () => {
    const recorder = new MetricsRecorder();
    for (let i = 0; i < 50; i++) {
      recorder.chunkGap(10, 'echoscope');
      recorder.session(figures({ sessionId: `user-42-session-${i}`, status: 'completed', ttftMs: 5, durationMs: 100, anomalies: anomalies({ duplicate: 1 }) }));
      recorder.observationLoss(`user-42-session-${i}`, 'c1', { status: 'completed', deliveryLoss: 2 });
    }
    const text = await recorder.exposition();
    expect(text).not.toContain('user-42');
    const labelNames = new Set(samples(text).flatMap((s) => Object.keys(s.labels)));
    for (const name of labelNames) expect([...LABEL_NAMES, 'le']).toContain(name);
    // 50 sessions, one series each of sessions and anomalies.
    expect(samples(text).filter((s) => s.name === 'echoscope_sessions_total')).toHaveLength(1);
    expect(value(text, 'echoscope_sessions_total')).toBe(50);
    expect(value(text, 'echoscope_delivery_loss_events_total', { vantage: 'c1' })).toBe(100);
  });

  it('counts nothing of a baseline (what the journal held before the start), only what comes after', async () => {
    const recorder = new MetricsRecorder();
    recorder.baseline(figures({ status: 'completed', ttftMs: 20, durationMs: 900, anomalies: anomalies({ duplicate: 2 }) }));
    recorder.session(figures({ status: 'completed', ttftMs: 20, durationMs: 900, anomalies: anomalies({ duplicate: 3 }) }));
    const text = await recorder.exposition();
    expect(value(text, 'echoscope_anomalies_total', { kind: 'duplicate' })).toBe(1);
    expect(value(text, 'echoscope_sessions_total')).toBeUndefined();
    expect(value(text, 'gen_ai_client_operation_time_to_first_chunk_seconds_count')).toBeUndefined();
  });
});

const chunk = (at: number, session: string, sequence: number, state = 'generating'): JournalRecord => ({
  type: 'frame',
  at,
  connection: 'c1',
  channel: `private-ai.${session}`,
  event: 'chunk.delivered',
  data: { session_id: session, chunk: state === 'generating' ? `t${sequence}` : '', sequence, state, termination_code: state === 'generating' ? null : 'end_turn' },
});

describe('the monitor feeding the recorder', () => {
  it('counts from what changed: each new chunk’s gap, a session’s end once, and not a re-analysis again', async () => {
    const clock = new VirtualClock(0);
    const monitor = new Monitor({ clock: clock.now, timers: clock, tickMs: 500, analyzer: { stallAfterMs: 1000, orphanAfterMs: 5000 } });
    // Known before the metrics began (the journal's past): a baseline, not counted.
    monitor.ingest(chunk(1, 'old', 1));
    monitor.ingest(chunk(2, 'old', 2, 'completed'));
    clock.advanceTo(10);
    const recorder = new MetricsRecorder();
    monitor.attachMetrics(recorder);
    monitor.ingest({ type: 'subscription', at: 50, connection: 'c1', channel: 'private-ai.a', status: 'subscribed' });
    monitor.setStart('a', 100, 'run');
    // a: 1 at 150, 2 at 160 (gap 10 ms), 2 again (a duplicate: no gap), 3 at 200 (gap 40 ms), completed at 1400 (gap 1200 ms).
    for (const record of [chunk(150, 'a', 1), chunk(160, 'a', 2), chunk(170, 'a', 2), chunk(200, 'a', 3), chunk(1400, 'a', 4, 'completed')]) monitor.ingest(record);
    clock.advanceTo(1500);
    monitor.tick();
    monitor.tick();
    monitor.updateSettings({ stallAfterMs: 2000 }); // re-analyzes everything seen
    clock.advanceTo(2000);
    monitor.tick();
    const text = await recorder.exposition();
    expect(value(text, 'gen_ai_client_operation_time_per_output_chunk_seconds_count')).toBe(3);
    expect(value(text, 'gen_ai_client_operation_time_per_output_chunk_seconds_bucket', { le: '0.01' })).toBe(1);
    expect(value(text, 'gen_ai_client_operation_time_per_output_chunk_seconds_bucket', { le: '0.04' })).toBe(2);
    expect(value(text, 'gen_ai_client_operation_time_per_output_chunk_seconds_bucket', { le: '1.28' })).toBe(3);
    expect(value(text, 'echoscope_sessions_total', { status: 'completed' })).toBe(1);
    expect(value(text, 'echoscope_anomalies_total', { kind: 'duplicate' })).toBe(1);
    // Silent 1200 ms (200 → 1400) with stallAfterMs 1000: a stall, still counted after the re-analysis with 2000 ms no longer sees it.
    expect(value(text, 'echoscope_anomalies_total', { kind: 'stall' })).toBe(1);
    // TTFT from the known start (100) to the first token (150): 50 ms; duration 150 → 1400: 1.25 s.
    expect(value(text, 'gen_ai_client_operation_time_to_first_chunk_seconds_bucket', { le: '0.04' })).toBe(0);
    expect(value(text, 'gen_ai_client_operation_time_to_first_chunk_seconds_bucket', { le: '0.08' })).toBe(1);
    expect(value(text, 'gen_ai_client_operation_duration_seconds_bucket', { le: '0.64' })).toBe(0);
    expect(value(text, 'gen_ai_client_operation_duration_seconds_bucket', { le: '1.28' })).toBe(1);
    expect(value(text, 'gen_ai_client_operation_duration_seconds_count')).toBe(1);
  });

  it('counts delivery loss by the vantage that lost the events', async () => {
    const clock = new VirtualClock(0);
    const monitor = new Monitor({ clock: clock.now, timers: clock, tickMs: 500, analyzer: { stallAfterMs: 10_000, orphanAfterMs: 60_000 } });
    const recorder = new MetricsRecorder();
    monitor.attachMetrics(recorder);
    const on = (connection: string, record: JournalRecord): JournalRecord => ({ ...record, connection });
    for (const connection of ['c1', 'c2']) monitor.ingest({ type: 'subscription', at: 1, connection, channel: 'private-ai.v', status: 'subscribed' });
    // c1 gets 1–4; c2 misses 2 and 3 (two events another vantage got within its coverage). While c2
    // still streams, its loss is provisional (3: its 4 has not come yet) and not counted.
    for (const sequence of [1, 2, 3]) monitor.ingest(on('c1', chunk(10 * sequence, 'v', sequence)));
    monitor.ingest(on('c1', chunk(40, 'v', 4, 'completed')));
    monitor.ingest(on('c2', chunk(11, 'v', 1)));
    clock.advanceTo(20);
    monitor.tick();
    monitor.ingest(on('c2', chunk(41, 'v', 4, 'completed')));
    clock.advanceTo(100);
    monitor.tick();
    const text = await recorder.exposition();
    expect(value(text, 'echoscope_delivery_loss_events_total', { vantage: 'c2' })).toBe(2);
    expect(value(text, 'echoscope_delivery_loss_events_total', { vantage: 'c1' })).toBeUndefined();
  });

  it('reads open sessions from the tally at scrape time, and lets an evicted session’s bookkeeping go', async () => {
    const clock = new VirtualClock(0);
    const monitor = new Monitor({ clock: clock.now, timers: clock, tickMs: 500, maxEndedSessions: 1, analyzer: { stallAfterMs: 1000, orphanAfterMs: 60_000 } });
    const recorder = new MetricsRecorder();
    monitor.attachMetrics(recorder);
    for (const s of ['x', 'y', 'z']) {
      monitor.ingest(chunk(10, s, 1));
      monitor.ingest(chunk(20, s, 2, 'completed'));
    }
    monitor.ingest(chunk(30, 'open1', 1));
    monitor.ingest(chunk(30, 'open2', 1));
    clock.advanceTo(100);
    monitor.tick();
    clock.advanceTo(1500); // open1 and open2 silent 1470 ms: stalled
    monitor.ingest(chunk(1500, 'open2', 2));
    monitor.tick();
    const text = await recorder.exposition();
    expect(value(text, 'echoscope_sessions_open', { status: 'stalled' })).toBe(1);
    expect(value(text, 'echoscope_sessions_open', { status: 'streaming' })).toBe(1);
    expect(value(text, 'echoscope_sessions_total', { status: 'completed' })).toBe(3);
    // Three ended, one kept: two let go; the two open ones are tracked.
    expect(recorder.trackedSessions).toBe(3);
  });
});
