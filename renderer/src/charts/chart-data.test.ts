import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FleetBucket } from '../../../shared/api';
import { parseNdjsonJournal, type ConnectionRecord, type FrameRecord } from '../../../shared/journal';
import { downsampleKeeping, lttbIndices } from './downsample';
import { connectionSegments, fleetRows, statusTotals } from './fleet-data';
import { histogram, interTokenSeries } from './latency-data';
import { correctTextSegments, naiveTextSegments } from './text-segments';
import { buildTimeline, timelineSeries } from './timeline-data';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'shared', 'analysis', 'fixtures');
function fixtureFrames(name: string): FrameRecord[] {
  return parseNdjsonJournal(readFileSync(join(fixtures, `${name}.ndjson`), 'utf8')).records.filter((r): r is FrameRecord => r.type === 'frame');
}

const T0 = 1_732_262_400_000;
function frame(at: number, sequence: number, chunk: string, state = 'generating', session = 'big'): FrameRecord {
  return {
    type: 'frame',
    at: T0 + at,
    connection: 'c1',
    channel: `private-ai.${session}`,
    event: 'chunk.delivered',
    data: { session_id: session, chunk, sequence, state, termination_code: state === 'generating' ? null : 'end_turn', emitted_at: T0 + at - 3 },
  };
}

describe('downsampling', () => {
  it('keeps the first and last point and at most the budget with plain LTTB', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ x: i, y: Math.sin(i / 50) }));
    const picked = lttbIndices(points, 500);
    expect(picked).toHaveLength(500);
    expect(picked[0]).toBe(0);
    expect(picked[picked.length - 1]).toBe(9999);
    expect([...picked].sort((a, b) => a - b)).toEqual(picked);
  });

  it('keeps every anomaly point of a 100k-event session, whatever the budget', () => {
    const frames: FrameRecord[] = [];
    const anomalous = new Set<number>();
    let at = 0;
    for (let sequence = 1; sequence <= 100_000; sequence++) {
      at += 5;
      frames.push(frame(at, sequence, 't'));
      // A duplicate every 997 tokens, an out-of-order pair every 4001.
      if (sequence % 997 === 0) {
        at += 1;
        frames.push(frame(at, sequence, 't'));
        anomalous.add(frames.length - 1);
      }
    }
    for (let i = 4001; i + 1 < frames.length; i += 4001) {
      const a = frames[i]!;
      const b = frames[i + 1]!;
      const aData = a.data as { sequence: number };
      const bData = b.data as { sequence: number };
      if (aData.sequence + 1 !== bData.sequence) continue;
      // Swap the payloads (not the arrival times): the later sequence arrives first.
      [a.data, b.data] = [b.data, a.data];
      anomalous.add(i + 1);
    }
    frames.push(frame(at + 5, 100_001, '', 'completed'));
    const timeline = buildTimeline('big', frames);
    const marked = timeline.points.filter((p) => p.kind !== 'new' && p.kind !== 'terminal');
    expect(marked.map((p) => p.index).sort((a, b) => a - b)).toEqual([...anomalous].sort((a, b) => a - b));

    const series = timelineSeries(timeline, 1500);
    const drawnMarkers = Object.values(series.markers).flat();
    for (const index of anomalous) expect(drawnMarkers.some((p) => p.index === index)).toBe(true);
    expect(series.markers.terminal).toHaveLength(1);
    expect(series.total).toBe(frames.length);
    expect(series.drawn).toBeLessThanOrEqual(1500 + anomalous.size + 1);
    expect(series.drawn).toBeGreaterThan(1000);
  });

  it('downsampleKeeping keeps what the predicate asks for even beyond the budget', () => {
    const points = Array.from({ length: 5000 }, (_, i) => ({ x: i, y: i % 7, special: i % 50 === 3 }));
    const out = downsampleKeeping(points, 200, (p) => p.special);
    expect(out.filter((p) => p.special)).toHaveLength(100);
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out.map((p) => p.x)).toEqual([...out.map((p) => p.x)].sort((a, b) => a - b));
  });
});

describe('timeline classification (through the shared Analyzer)', () => {
  it('marks the replay restart and puts each attempt in its own series', () => {
    const timeline = buildTimeline('s1', fixtureFrames('replay'));
    expect(timeline.points.map((p) => p.kind)).toEqual(['new', 'new', 'new', 'replay', 'duplicate', 'duplicate', 'terminal']);
    expect(timeline.attempts).toBe(2);
    const series = timelineSeries(timeline);
    expect(series.attempts.map((a) => [a.attempt, a.points.length])).toEqual([
      [1, 3],
      [2, 2],
    ]);
    expect(series.markers.replay).toHaveLength(1);
  });

  it('classifies out-of-order, after-terminal and violations', () => {
    expect(buildTimeline('s1', fixtureFrames('out-of-order')).points.map((p) => p.kind)).toEqual(['new', 'new', 'out_of_order', 'terminal']);
    expect(buildTimeline('s1', fixtureFrames('after-terminal')).points.map((p) => p.kind)).toEqual(['new', 'terminal', 'after_terminal']);
    const violation = buildTimeline('s1', fixtureFrames('violation'));
    expect(violation.points.filter((p) => p.kind === 'violation').length).toBe(3);
  });

  it('a crash after 400 tokens: 400 duplicates in attempt 2, the text once, the naive text twice-over', () => {
    const timeline = buildTimeline('s1', fixtureFrames('crash-after-400-retry'));
    expect(timeline.points.filter((p) => p.kinds.includes('duplicate'))).toHaveLength(400);
    expect(timeline.attempts).toBe(2);
    const correct = correctTextSegments(timeline.points, []);
    expect(correct.every((s) => s.kind === 'text')).toBe(true);
    const naive = naiveTextSegments(timeline.points);
    expect(naive.map((s) => s.kind)).toEqual(['text', 'duplicate', 'text']);
  });

  it('marks the missing sequences of a gap in the correct text', () => {
    const timeline = buildTimeline('s1', fixtureFrames('gap'));
    expect(correctTextSegments(timeline.points, [{ from: 3, to: 4 }]).map((s) => [s.kind, s.text])).toEqual([
      ['text', 'AB'],
      ['missing', '⟨#3–4 missing⟩'],
      ['text', 'E'],
    ]);
  });
});

describe('latency data', () => {
  it('samples gaps between first-seen sequences only', () => {
    const points = buildTimeline('s1', fixtureFrames('duplicate')).points;
    // 1@100 2@110 2@120(dup) 3!@130 → gaps 10 (1→2) and 20 (2→3)
    expect(interTokenSeries(points).map((p) => p.y)).toEqual([10, 20]);
  });

  it('histogram counts every sample once, with an overflow bin past p99', () => {
    const values = [...Array.from({ length: 990 }, (_, i) => i % 50), ...Array.from({ length: 10 }, () => 5000)];
    const bins = histogram(values, 10);
    expect(bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(1000);
    expect(bins[bins.length - 1]!.count).toBe(10);
    expect(bins[bins.length - 1]!.label.startsWith('>')).toBe(true);
  });
});

describe('fleet buckets', () => {
  const bucket = (start: number, byStatus: Record<string, number>, events = 100, duplicates = 0, missing = 0): FleetBucket => ({
    start,
    byStatus,
    sessions: Object.values(byStatus).reduce((a, b) => a + b, 0),
    events,
    duplicates,
    missing,
    ttftP95: null,
    interTokenP95: 20,
  });

  it('fills empty buckets and keeps every session count', () => {
    const buckets = [bucket(30_000, { truncated: 1, completed: 2 }, 200, 10, 5), bucket(0, { completed: 3, errored: 1 }), bucket(10_000, { finished: 1, orphaned: 2 })];
    const rows = fleetRows(buckets, 10_000);
    expect(rows.map((r) => r.start)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(rows[2]!.events).toBe(0);
    expect(rows[2]!.duplicationRate).toBeNull();
    expect(statusTotals(rows)).toEqual({ completed: 6, truncated: 1, errored: 1, abandoned: 0, orphaned: 2, stalled: 0, streaming: 0 });
    expect(rows[3]!.duplicationRate).toBeCloseTo(5);
    expect(rows[3]!.gapRate).toBeCloseTo((100 * 5) / 205);
  });

  it('splits connection records into state segments', () => {
    const record = (at: number, state: ConnectionRecord['state'], code?: number): ConnectionRecord => ({ type: 'connection', at, connection: 'demo', state, ...(code ? { code } : {}) });
    const segments = connectionSegments([record(0, 'connecting'), record(10, 'connected'), record(50, 'unavailable', 4201), record(60, 'connected')], [], 100);
    expect(segments.get('demo')!.map((s) => [s.state, s.from, s.to, s.code])).toEqual([
      ['connecting', 0, 10, undefined],
      ['connected', 10, 50, undefined],
      ['unavailable', 50, 60, 4201],
      ['connected', 60, 100, undefined],
    ]);
  });
});

describe('latency downsampling and text limits', () => {
  it('keeps the spikes of a flat series without keeping every tie', async () => {
    const { drawableLatency } = await import('./latency-data');
    const flat = Array.from({ length: 100_000 }, (_, i) => ({ x: i, y: i === 5000 ? 900 : 5 }));
    const out = drawableLatency(flat, 1500);
    expect(out.length).toBeLessThanOrEqual(1550);
    expect(out.some((p) => p.y === 900)).toBe(true);
  });

  it('cuts long texts to a number of characters', async () => {
    const { limitSegments } = await import('./text-segments');
    const cut = limitSegments([{ kind: 'text', text: 'abcdef', sequence: 1 }, { kind: 'duplicate', text: 'ghij', sequence: 2 }], 8);
    expect(cut.cut).toBe(true);
    expect(cut.total).toBe(10);
    expect(cut.segments.map((s) => s.text)).toEqual(['abcdef', 'gh']);
  });
});
