import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNdjsonJournal, type FrameRecord } from '../../journal';
import { buildTimeline, timelinePoints, timelineSeries } from './classify';
import { downsampleKeepingIndices, lttbIndices } from './downsample';
import { histogram, interTokenSeries } from './latency';
import { correctTextSegments, naiveTextSegments } from './text-segments';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
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
    const x = Float64Array.from({ length: 10_000 }, (_, i) => i);
    const picked = lttbIndices(
      x,
      x.map((i) => Math.sin(i / 50)),
      500,
    );
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
    const marked = timelinePoints(timeline).filter((p) => p.kind !== 'new' && p.kind !== 'terminal');
    expect(marked.map((p) => p.index).sort((a, b) => a - b)).toEqual([...anomalous].sort((a, b) => a - b));

    const series = timelineSeries(timeline, 1500);
    const drawnMarkers = Object.values(series.markers).flat();
    for (const index of anomalous) expect(drawnMarkers.some((p) => p.index === index)).toBe(true);
    expect(series.markers.terminal).toHaveLength(1);
    expect(series.total).toBe(frames.length);
    expect(series.drawn).toBeLessThanOrEqual(1500 + anomalous.size + 1);
    expect(series.drawn).toBeGreaterThan(1000);
  });

  it('downsampleKeepingIndices keeps what the predicate asks for even beyond the budget', () => {
    const x = Float64Array.from({ length: 5000 }, (_, i) => i);
    const special = (i: number) => i % 50 === 3;
    const out = downsampleKeepingIndices(
      x,
      x.map((i) => i % 7),
      200,
      special,
    );
    expect(out.filter(special)).toHaveLength(100);
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out).toEqual([...out].sort((a, b) => a - b));
  });
});

describe('timeline classification (through the shared Analyzer)', () => {
  it('marks the replay restart and puts each attempt in its own series', () => {
    const timeline = buildTimeline('s1', fixtureFrames('replay'));
    expect(timelinePoints(timeline).map((p) => p.kind)).toEqual(['new', 'new', 'new', 'replay', 'duplicate', 'duplicate', 'terminal']);
    expect(timeline.attempts).toBe(2);
    const series = timelineSeries(timeline);
    expect(series.attempts.map((a) => [a.attempt, a.points.length])).toEqual([
      [1, 3],
      [2, 2],
    ]);
    expect(series.markers.replay).toHaveLength(1);
  });

  it('classifies out-of-order, after-terminal and violations', () => {
    expect(timelinePoints(buildTimeline('s1', fixtureFrames('out-of-order'))).map((p) => p.kind)).toEqual(['new', 'new', 'out_of_order', 'terminal']);
    expect(timelinePoints(buildTimeline('s1', fixtureFrames('after-terminal'))).map((p) => p.kind)).toEqual(['new', 'terminal', 'after_terminal']);
    const violation = buildTimeline('s1', fixtureFrames('violation'));
    expect(timelinePoints(violation).filter((p) => p.kind === 'violation').length).toBe(3);
  });

  it('a crash after 400 tokens: 400 duplicates in attempt 2, the text once, the naive text twice-over', () => {
    const timeline = buildTimeline('s1', fixtureFrames('crash-after-400-retry'));
    expect(timelinePoints(timeline).filter((p) => p.kinds.includes('duplicate'))).toHaveLength(400);
    expect(timeline.attempts).toBe(2);
    const correct = correctTextSegments(timeline, []).segments;
    expect(correct.every((s) => s.kind === 'text')).toBe(true);
    const naive = naiveTextSegments(timeline).segments;
    expect(naive.map((s) => s.kind)).toEqual(['text', 'duplicate', 'text']);
  });

  it('marks the missing sequences of a gap in the correct text', () => {
    const timeline = buildTimeline('s1', fixtureFrames('gap'));
    expect(correctTextSegments(timeline, [{ from: 3, to: 4 }]).segments.map((s) => [s.kind, s.text])).toEqual([
      ['text', 'AB'],
      ['missing', '⟨#3–4 missing⟩'],
      ['text', 'E'],
    ]);
  });
});

describe('latency data', () => {
  it('samples gaps between first-seen sequences only', () => {
    const timeline = buildTimeline('s1', fixtureFrames('duplicate'));
    // 1@100 2@110 2@120(dup) 3!@130 → gaps 10 (1→2) and 20 (2→3)
    expect(Array.from(interTokenSeries(timeline).y)).toEqual([10, 20]);
  });

  it('histogram counts every sample once, with an overflow bin past p99', () => {
    const values = [...Array.from({ length: 990 }, (_, i) => i % 50), ...Array.from({ length: 10 }, () => 5000)];
    const bins = histogram(values, 10);
    expect(bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(1000);
    expect(bins[bins.length - 1]!.count).toBe(10);
    expect(bins[bins.length - 1]!.label.startsWith('>')).toBe(true);
  });
});

describe('latency downsampling and text limits', () => {
  it('keeps the spikes of a flat series without keeping every tie', async () => {
    const { drawableLatency } = await import('./latency');
    const x = Float64Array.from({ length: 100_000 }, (_, i) => i);
    const out = drawableLatency({ x, y: x.map((i) => (i === 5000 ? 900 : 5)) }, 1500);
    expect(out.length).toBeLessThanOrEqual(1550);
    expect(out.some((p) => p.y === 900)).toBe(true);
  });

  it('min/max downsampling keeps every spike and every dip, in x order', async () => {
    const { minMaxIndices } = await import('./downsample');
    const x = Float64Array.from({ length: 50_000 }, (_, i) => i);
    const y = x.map((i) => (i === 12_345 ? 900 : i === 40_000 ? -5 : 5 + (i % 3)));
    const picked = minMaxIndices({ x, y }, 400);
    expect(picked.length).toBeLessThanOrEqual(802);
    expect(picked).toContain(12_345);
    expect(picked).toContain(40_000);
    expect(picked[0]).toBe(0);
    expect(picked[picked.length - 1]).toBe(49_999);
    expect(picked).toEqual([...picked].sort((a, b) => a - b));
  });

  it('cuts long texts to a number of characters, still counting the whole text', () => {
    const timeline = buildTimeline('s1', fixtureFrames('crash-after-400-retry'));
    const full = naiveTextSegments(timeline);
    const cut = naiveTextSegments(timeline, 25);
    expect(cut.chars).toBe(full.chars);
    expect(cut.segments.map((s) => s.text).join('')).toBe(
      full.segments
        .map((s) => s.text)
        .join('')
        .slice(0, 25),
    );
    expect(full.chars).toBe(full.segments.map((s) => s.text).join('').length);
    const gapped = buildTimeline('s1', fixtureFrames('gap'));
    const correct = correctTextSegments(gapped, [{ from: 3, to: 4 }]);
    const correctCut = correctTextSegments(gapped, [{ from: 3, to: 4 }], 4);
    expect(correctCut.segments.map((s) => s.text).join('')).toBe('AB⟨#');
    expect(correctCut.chars).toBe(correct.chars);
    expect(correct.chars).toBe(correct.segments.map((s) => s.text).join('').length);
  });

  it('orders the correct text by sequence and places gaps, even with an absurd sequence number', () => {
    const frames = [frame(10, 1, 'a'), frame(20, 3, 'c'), frame(30, 1_000_000_000, 'z'), frame(40, 2, 'b')];
    const timeline = buildTimeline('big', frames);
    expect(correctTextSegments(timeline, [{ from: 4, to: 999_999_999 }]).segments.map((s) => [s.kind, s.text])).toEqual([
      ['text', 'a'],
      ['late', 'b'],
      ['text', 'c'],
      ['missing', '⟨#4–999999999 missing⟩'],
      ['text', 'z'],
    ]);
  });
});

describe('the host-side view (sessions.timeline, sessions.frames, sessions.locate)', () => {
  it('a 100k-event session becomes about the budget in points, every anomaly kept, latency downsampled', async () => {
    const { timelineView, frameRows, nearestPoint } = await import('./view');
    const frames: FrameRecord[] = [];
    let at = 0;
    for (let sequence = 1; sequence <= 100_000; sequence++) {
      at += 5;
      frames.push(frame(at, sequence, 't'));
      if (sequence % 1000 === 0) frames.push(frame(at + 1, sequence, 't'));
    }
    frames.push(frame(at + 10, 100_001, '', 'completed'));
    const timeline = buildTimeline('big', frames);
    const view = timelineView(
      timeline,
      { gaps: [], anomalies: [{ kind: 'stall', at: T0 + 20_000, silentMs: 9000 }], terminalAt: T0 + at + 10, terminalState: 'completed', stallAfterMs: 8000 },
      2000,
    );
    expect(view.frames).toBe(frames.length);
    expect(view.total).toBe(frames.length);
    expect(view.markers.duplicate).toHaveLength(100);
    expect(view.markers.terminal).toHaveLength(1);
    expect(view.drawn).toBeLessThanOrEqual(2000 + 101);
    expect(view.latency.samples).toBe(100_000);
    expect(view.latency.interToken.length).toBeLessThanOrEqual(850);
    expect(view.latency.histogram.reduce((sum, bin) => sum + bin.count, 0)).toBe(100_000);
    expect(view.stalls).toEqual([{ x1: 20_000 - 8000 - 5, x2: 20_000 - 8000 - 5 + 9000, at: T0 + 20_000 }]);
    expect(view.terminal).toEqual({ x: at + 10 - 5, state: 'completed' });
    expect(view.text?.naive.map((s) => s.kind)).toContain('duplicate');

    const rows = frameRows(timeline, 999, 3);
    expect(rows.map((r) => r.point.index)).toEqual([999, 1000, 1001]);
    expect(rows[1]!.point.kind).toBe('duplicate');
    expect(frameRows(timeline, frames.length - 1, 50)).toHaveLength(1);
    expect(nearestPoint(timeline, T0 + 1000 * 5 + 1, 1000)?.index).toBe(1000);
    expect(nearestPoint(buildTimeline('none', []), 0)).toBeUndefined();
  });

  it('keeps the budget-independent parts with the timeline: a new budget reuses them, a new p99, gap list or text size does not', async () => {
    const { timelineView } = await import('./view');
    const frames = fixtureFrames('replay');
    const timeline = buildTimeline('s1', frames);
    const reference = { gaps: [], anomalies: [], terminalAt: null, terminalState: null, stallAfterMs: 8000 };
    const first = timelineView(timeline, reference, 500, 100);
    const other = timelineView(timeline, reference, 1000, 100);
    expect(other.latency).toBe(first.latency);
    expect(other.text).toBe(first.text);
    // What is reused equals what a fresh timeline gives.
    const fresh = timelineView(buildTimeline('s1', frames), reference, 1000, 100);
    expect(other).toEqual(fresh);
    expect(timelineView(timeline, { ...reference, interTokenP99: 1 }, 1000, 100).latency).not.toBe(first.latency);
    expect(timelineView(timeline, reference, 1000, 3).text).not.toEqual(first.text);
    const gapped = timelineView(timeline, { ...reference, gaps: [{ from: 2, to: 2 }] }, 1000, 100);
    expect(gapped.text).not.toBe(first.text);
    expect(gapped.gaps).toEqual([{ from: 2, to: 2 }]);
  });
});

describe('a custom contract draws through the contract, not the default field names', () => {
  it('puts points at their positions, marks duplicates and the terminal, and rebuilds the text', async () => {
    const { parseContractProfile } = await import('../../contract');
    const parsed = parseContractProfile({
      name: 'acme',
      event: '.TokenStreamed',
      channel: 'private-gen.{uuid}',
      fields: { chunk: 'delta', sequence: 'idx', state: 'status', sessionId: null, terminationCode: null },
      states: { running: 'generating', done: 'completed' },
    });
    if (!parsed.ok) throw new Error(parsed.error);
    const acme = (at: number, idx: number, delta: string, status = 'running'): FrameRecord => ({
      type: 'frame',
      at: T0 + at,
      connection: 'c1',
      channel: 'private-gen.u1',
      event: 'TokenStreamed',
      data: { delta, idx, status },
    });
    // 1:He 2:llo 2:llo (redelivered) 3!done
    const timeline = buildTimeline('u1', [acme(0, 1, 'He'), acme(10, 2, 'llo'), acme(20, 2, 'llo'), acme(30, 3, '', 'done')], { profile: parsed.profile });
    const points = timelinePoints(timeline);
    expect(points.map((p) => [p.y, p.kind, p.chunk, p.state])).toEqual([
      [1, 'new', 'He', 'generating'],
      [2, 'new', 'llo', 'generating'],
      [2, 'duplicate', 'llo', 'generating'],
      [3, 'terminal', '', 'completed'],
    ]);
    expect(
      correctTextSegments(timeline, [])
        .segments.map((s) => s.text)
        .join(''),
    ).toBe('Hello');
    expect(
      naiveTextSegments(timeline)
        .segments.map((s) => s.text)
        .join(''),
    ).toBe('Hellollo');
  });
});
