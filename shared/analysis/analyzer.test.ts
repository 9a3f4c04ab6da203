import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Analyzer, LatencyHistogram, SequenceLedger, analyzeJournal } from '.';
import { DEFAULT_PROFILE, validatePayload } from '../contract';
import type { FrameRecord, JournalRecord } from '../journal';

const frame = (at: number, sequence: number, chunk = `t${sequence}`, state = 'generating', extra: Record<string, unknown> = {}, sid = 's1', connection = 'c1'): FrameRecord => ({
  type: 'frame',
  at,
  connection,
  channel: `private-ai.${sid}`,
  event: 'chunk.delivered',
  data: { session_id: sid, chunk, sequence, state, termination_code: state === 'generating' ? null : 'end_turn', ...extra },
});

describe('live analysis (time passed in)', () => {
  it('reports a hole as a gap once it is older than the reorder window, and drops it when filled', () => {
    const analyzer = new Analyzer();
    analyzer.ingest(frame(0, 1));
    analyzer.ingest(frame(10, 3));
    expect(analyzer.verdicts(2009).sessions[0]).toMatchObject({ missing: 0, gaps: [] });
    expect(analyzer.verdicts(2010).sessions[0]).toMatchObject({ missing: 1, gaps: [{ from: 2, to: 2 }] });
    analyzer.ingest(frame(2500, 2));
    expect(analyzer.verdicts(2500).sessions[0]).toMatchObject({ missing: 0, gaps: [], outOfOrder: 1 });
  });

  it('honours a custom reorder window, and reports every hole once the journal is over', () => {
    const analyzer = new Analyzer({ reorderWindowMs: 50 });
    analyzer.ingest(frame(0, 1));
    analyzer.ingest(frame(10, 4));
    expect(analyzer.verdicts(59).sessions[0]!.missing).toBe(0);
    expect(analyzer.verdicts(60).sessions[0]!.gaps).toEqual([{ from: 2, to: 3 }]);
    expect(analyzer.verdicts(11, { endOfJournal: true }).sessions[0]!.missing).toBe(2);
  });

  it('goes stalled after stallAfterMs of silence, back to streaming when events resume, orphaned later', () => {
    const analyzer = new Analyzer();
    analyzer.ingest(frame(0, 1));
    expect(analyzer.verdicts(7999).sessions[0]).toMatchObject({ status: 'streaming', stalls: 0 });
    expect(analyzer.verdicts(8000).sessions[0]).toMatchObject({ status: 'stalled', stalls: 1 });
    analyzer.ingest(frame(9000, 2));
    expect(analyzer.verdicts(9000).sessions[0]).toMatchObject({ status: 'streaming', stalls: 1 });
    expect(analyzer.verdicts(9000 + 300_000).sessions[0]).toMatchObject({ status: 'orphaned', stalls: 2 });
    analyzer.ingest(frame(9000 + 300_001, 3, '', 'completed'));
    expect(analyzer.verdicts(10 ** 13).sessions[0]).toMatchObject({ status: 'completed', stalls: 2 });
  });

  it('uses the stall and orphan thresholds it is given', () => {
    const records = [frame(0, 1), frame(0, 1, 'x', 'generating', {}, 's2'), frame(1000, 2, 'y', 'generating', {}, 's2')];
    const verdict = analyzeJournal(records, { stallAfterMs: 100, orphanAfterMs: 1000 });
    expect(verdict.sessions.map((s) => [s.status, s.stalls])).toEqual([
      ['orphaned', 1],
      ['streaming', 1],
    ]);
  });

  it('measures delivery latency from emitted_at, and ttft only from a known start of the job', () => {
    const records: JournalRecord[] = [
      { type: 'subscription', at: 0, connection: 'c1', channel: 'private-ai.s1', status: 'subscribed' },
      frame(40, 1, 'a', 'generating', { emitted_at: 30 }),
      frame(50, 2, 'b', 'generating', { emitted_at: 45 }),
      frame(60, 1, 'a', 'generating', {}, 's2'),
      { type: 'subscription', at: 70, connection: 'c1', channel: 'private-ai.s2', status: 'subscribed' },
    ];
    const [s1, s2] = analyzeJournal(records).sessions;
    // subscribed at 0, first token at 40: the subscription is not the job's start
    expect(s1).toMatchObject({ ttftMs: null, ttftFrom: null, ttftNote: 'no_known_start', deliveryMs: { p50: 5, p95: 10, p99: 10, max: 10 } });
    expect(s2).toMatchObject({ ttftMs: null, deliveryMs: null });
    const known = analyzeJournal(records, { starts: new Map([['s1', { at: 15, from: 'run' as const }]]) }).sessions[0];
    expect(known).toMatchObject({ ttftMs: 25, ttftFrom: 'run' });
    expect(known!.ttftNote).toBeUndefined();
  });

  it('counts a drop only for sessions open on that connection', () => {
    const records: JournalRecord[] = [
      frame(0, 1, 'a', 'generating', {}, 's1', 'c1'),
      frame(0, 1, 'a', 'generating', {}, 's2', 'c2'),
      frame(1, 2, '', 'completed', {}, 's2', 'c2'),
      { type: 'connection', at: 5, connection: 'c2', state: 'disconnected' },
      { type: 'connection', at: 6, connection: 'c1', state: 'failed', code: 4004 },
    ];
    const [s1, s2] = analyzeJournal(records).sessions;
    expect(s1).toMatchObject({ disconnects: 1, anomalies: [{ kind: 'disconnect', at: 6, connection: 'c1', state: 'failed', code: 4004 }] });
    expect(s2!.disconnects).toBe(0);
  });

  it('caps anomalies per session but keeps the counters exact', () => {
    const analyzer = new Analyzer({ maxAnomaliesPerSession: 5 });
    analyzer.ingest(frame(0, 1));
    for (let i = 1; i <= 10; i++) analyzer.ingest(frame(i, 1));
    const s = analyzer.verdicts(20).sessions[0]!;
    expect(s.duplicates).toBe(10);
    expect(s.anomalies).toHaveLength(5);
    expect(s.anomaliesDropped).toBe(5);
  });

  it('caps the texts and still detects conflicts past the cap', () => {
    const analyzer = new Analyzer({ maxTextChars: 4 });
    for (let seq = 1; seq <= 4; seq++) analyzer.ingest(frame(seq, seq, 'ab'));
    analyzer.ingest(frame(10, 4, 'zz'));
    const s = analyzer.verdicts(10).sessions[0]!;
    expect(s).toMatchObject({ text: 'abab', textTruncated: true, naiveTextTruncated: true, conflicts: 1 });
  });

  it('ignores protocol frames and other events, keys violations by channel suffix', () => {
    const records: JournalRecord[] = [
      { type: 'frame', at: 0, connection: 'c1', event: 'pusher:ping', data: {} },
      { type: 'frame', at: 1, connection: 'c1', channel: 'private-other.s9', event: 'chunk.delivered', data: {} },
      { type: 'frame', at: 2, connection: 'c1', channel: 'private-ai.s9', event: 'chunk.delivered', data: '{"not":"parsed"' },
    ];
    const verdict = analyzeJournal(records);
    expect(verdict.summary).toMatchObject({ sessions: 1, ignoredFrames: 2, violations: 1 });
    expect(verdict.sessions[0]).toMatchObject({ sessionId: 's9', events: 0, status: 'streaming' });
  });
});

describe('bounded memory', () => {
  it('keeps no holes and a few KB of histogram for a long in-order stream', () => {
    const ledger = new SequenceLedger();
    const histogram = new LatencyHistogram();
    for (let seq = 1; seq <= 1_000_000; seq++) {
      ledger.add(seq, seq);
      histogram.record(5 + (seq % 200));
    }
    expect(ledger.holes).toHaveLength(0);
    expect(ledger.unique).toBe(1_000_000);
    expect(histogram.footprintBytes).toBeLessThanOrEqual(16 * 1024);
  });
});

describe('histogram accuracy (nearest-rank, documented error)', () => {
  it('stays within max(0.05 ms, 0.1 %) of the exact nearest-rank percentile', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 600_000, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => {
        const histogram = new LatencyHistogram();
        for (const value of values) histogram.record(value);
        const sorted = [...values].sort((a, b) => a - b);
        for (const p of [50, 95, 99]) {
          const exact = sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
          expect(Math.abs(histogram.percentile(p) - exact)).toBeLessThanOrEqual(Math.max(0.05, exact * 0.001) + 1e-9);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('histogram summary', () => {
  it('is recomputed after new samples (kept between them) and handed out as a copy', () => {
    const histogram = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) histogram.record(i);
    const first = histogram.summary()!;
    expect(first).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    first.p50 = -1; // a caller mutating its copy changes nothing
    expect(histogram.summary()).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    for (let i = 0; i < 100; i++) histogram.record(500);
    expect(histogram.summary()).toEqual({ p50: 100, p95: 500, p99: 500, max: 500 });
  });
});

describe('property: injected faults are counted exactly', () => {
  const stream = fc.integer({ min: 3, max: 60 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      // sequence 1 stays: a redelivered 1 would also be a replay, tested in the fixtures
      drops: fc.uniqueArray(fc.integer({ min: 2, max: n }), { maxLength: Math.floor(n / 3) }),
      swaps: fc.array(fc.nat(), { maxLength: 8 }),
      copies: fc.array(fc.record({ pick: fc.nat(), delay: fc.nat() }), { maxLength: 10 }),
    }),
  );

  it('duplicates, drops and reorders', () => {
    fc.assert(
      fc.property(stream, ({ n, drops, swaps, copies }) => {
        const dropped = new Set(drops);
        const kept = [];
        for (let seq = 1; seq <= n + 1; seq++) if (!dropped.has(seq)) kept.push(seq);
        // Non-overlapping adjacent swaps: each makes exactly one event arrive below the max.
        let reordered = 0;
        const used = new Set<number>();
        for (const raw of swaps) {
          const i = raw % (kept.length - 1);
          if (used.has(i) || used.has(i + 1)) continue;
          used.add(i).add(i + 1);
          [kept[i], kept[i + 1]] = [kept[i + 1]!, kept[i]!];
          reordered++;
        }
        const arrivals = kept.map((seq) => ({ seq, copy: false }));
        let duplicated = 0;
        for (const { pick, delay } of copies) {
          const from = pick % arrivals.length;
          const original = arrivals[from]!;
          if (original.copy || original.seq === 1) continue;
          const position = from + 1 + (delay % (arrivals.length - from));
          arrivals.splice(position, 0, { seq: original.seq, copy: true });
          duplicated++;
        }
        const terminalAt = arrivals.findIndex((a) => a.seq === n + 1);
        const records = arrivals.map((a, i) => frame(i * 10, a.seq, a.seq === n + 1 ? '' : `t${a.seq}|`, a.seq === n + 1 ? 'completed' : 'generating'));
        const s = analyzeJournal(records).sessions[0]!;
        expect(s.duplicates).toBe(duplicated);
        expect(s.missing).toBe(dropped.size);
        expect(s.outOfOrder).toBe(reordered);
        expect(s.replays).toBe(0);
        expect(s.conflicts).toBe(0);
        expect(s.events).toBe(arrivals.length);
        expect(s.uniqueSequences).toBe(n + 1 - dropped.size);
        expect(s.afterTerminal).toBe(arrivals.length - 1 - terminalAt);
        expect(s.status).toBe('completed');
        const expectedText = [...Array(n).keys()]
          .map((i) => i + 1)
          .filter((seq) => !dropped.has(seq))
          .map((seq) => `t${seq}|`)
          .join('');
        expect(s.text).toBe(expectedText);
        expect(s.gaps.reduce((sum, g) => sum + g.to - g.from + 1, 0)).toBe(dropped.size);
      }),
      { numRuns: 300 },
    );
  });

  it('a crash after k tokens and a retry is exactly one replay with k duplicates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 30 }), (k, extra) => {
        const records = [];
        let t = 0;
        for (let seq = 1; seq <= k + 1; seq++) records.push(frame((t += 10), seq)); // k + 1: the crash comes after a higher one
        for (let seq = 1; seq <= k + 1 + extra; seq++) records.push(frame((t += 10), seq));
        const s = analyzeJournal(records).sessions[0]!;
        expect(s.replays).toBe(1);
        expect(s.duplicates).toBe(k + 1);
      }),
    );
  });
});

describe('property: garbage never throws and is counted as violations', () => {
  it('arbitrary payloads on the contract channel', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.anything(),
            fc.record({
              session_id: fc.constantFrom('g', 'h'),
              chunk: fc.anything(),
              sequence: fc.anything(),
              state: fc.constantFrom('generating', 'completed', 'nope'),
              termination_code: fc.anything(),
            }),
          ),
          { maxLength: 40 },
        ),
        (payloads) => {
          const analyzer = new Analyzer();
          let invalid = 0;
          payloads.forEach((data, i) => {
            if (!validatePayload(DEFAULT_PROFILE, data, 'private-ai.g').ok) invalid++;
            analyzer.ingest({ type: 'frame', at: i, connection: 'c', channel: 'private-ai.g', event: 'chunk.delivered', data });
          });
          const verdict = analyzer.verdicts(payloads.length, { endOfJournal: true });
          expect(verdict.summary.violations).toBe(invalid);
          expect(verdict.summary.events).toBe(payloads.length - invalid);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary records of every type', () => {
    const record = fc.record({
      type: fc.constantFrom('frame', 'connection', 'subscription'),
      at: fc.double({ noNaN: true, min: -1e13, max: 1e13 }),
      connection: fc.constantFrom('c1', 'c2'),
      channel: fc.constantFrom('private-ai.a', 'private-ai.b', 'x'),
      event: fc.constantFrom('chunk.delivered', 'pusher:ping'),
      state: fc.constantFrom('connected', 'disconnected', 'failed', 'unavailable'),
      status: fc.constantFrom('subscribed', 'failed'),
      data: fc.anything(),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), fc.double({ noNaN: true }), (records, now) => {
        const analyzer = new Analyzer();
        for (const r of records) analyzer.ingest(r as unknown as JournalRecord);
        expect(() => JSON.stringify(analyzer.verdicts(now))).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
