import { Monitor } from '../electron/core/monitor';
import type { JournalRecord } from '../shared/journal';
import type { BenchResult } from './types';

/**
 * The Monitor over weeks (issue 19), configured as the hosts run it — with a journal to read
 * compacted sessions back from (here a source that is never asked: nothing opens a detail):
 * - its tick when the fleet is large and little changes: ended sessions plus 100 streaming ones
 *   that each get a frame per tick; the time of a tick among 50,000 ended sessions ÷ among 1,000;
 * - its heap after 200,000 sessions went through it ÷ after 10,000 (20 tokens each), measured
 *   after a full GC with the monitor alive; the bytes per compacted session are stated.
 */

const LIVE = 100;
const TICKS = 40;
const T0 = 1_764_669_600_000;

const chunk = (at: number, session: string, sequence: number, state = 'generating'): JournalRecord => ({
  type: 'frame',
  at,
  connection: 'c1',
  channel: `private-ai.${session}`,
  event: 'chunk.delivered',
  data: { session_id: session, chunk: state === 'generating' ? ` t${sequence}` : '', sequence, state, termination_code: state === 'generating' ? null : 'end_turn' },
});

/** Median ms per tick over `TICKS` ticks, each after one new frame for each live session. */
function tickMs(ended: number): { ms: number; rows: number } {
  let now = T0;
  const monitor = new Monitor({ clock: () => now, maxEndedSessions: ended, ...compacting, analyzer: { stallAfterMs: 8000, orphanAfterMs: 300_000, reorderWindowMs: 2000 } });
  for (let i = 0; i < ended; i++) {
    monitor.ingest(chunk(now, `done-${i}`, 1));
    monitor.ingest(chunk(now, `done-${i}`, 2, 'completed'));
  }
  monitor.tick(now);
  now += 61_000;
  monitor.tick(now);
  for (let i = 0; i < LIVE; i++) monitor.ingest(chunk(now, `live-${i}`, 1));
  monitor.tick(now);
  const times: number[] = [];
  const before = monitor.rowsComputed;
  for (let t = 0; t < TICKS; t++) {
    now += 500;
    for (let i = 0; i < LIVE; i++) monitor.ingest(chunk(now, `live-${i}`, t + 2));
    const started = performance.now();
    monitor.tick(now);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, rows: (monitor.rowsComputed - before) / TICKS };
}

/** What the hosts give the monitor when they have a journal; never asked here (no detail is opened). */
const compacting = { sessionSource: () => Promise.resolve([]), compactAfterMs: 60_000 };

/** Heap bytes held by a monitor that `sessions` sessions of 20 tokens went through (the monitor alive, after a full GC). */
function heapAfter(sessions: number): { bytes: number; footprint: ReturnType<Monitor['footprint']> } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc (npm run bench does)');
  gc();
  const before = process.memoryUsage().heapUsed;
  let now = T0;
  const monitor = new Monitor({ clock: () => now, ...compacting, analyzer: { stallAfterMs: 8000, orphanAfterMs: 300_000, reorderWindowMs: 2000 } });
  for (let i = 0; i < sessions; i++) {
    for (let sequence = 1; sequence <= 20; sequence++) monitor.ingest(chunk(now, `s${i}`, sequence));
    monitor.ingest(chunk(now, `s${i}`, 21, 'completed'));
    // Ten sessions a second of the clock, a tick every 500 ms of it.
    if (i % 5 === 4) {
      now += 500;
      monitor.tick(now);
    }
  }
  now += 61_000;
  monitor.tick(now);
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  return { bytes, footprint: monitor.footprint() };
}

export function run(): BenchResult[] {
  tickMs(1000); // warm-up
  const small = tickMs(1000);
  const large = tickMs(50_000);
  heapAfter(2000); // warm-up
  const heapSmall = heapAfter(10_000);
  const heapLarge = heapAfter(200_000);
  const perSummary = heapSmall.bytes / heapSmall.footprint.summaries;
  return [
    {
      suite: 'monitor',
      name: 'tick with 100 streaming sessions among 50,000 ended',
      value: Math.round(large.ms * 100) / 100,
      unit: 'ms',
      baseline: 'the same tick among 1,000',
      baselineValue: Math.round(small.ms * 100) / 100,
      ratio: Math.round((large.ms / small.ms) * 100) / 100,
      goal: '≤ 1.5 (cost by what changed, issue 19)',
      note: `median of ${TICKS} ticks; rows recomputed per tick: ${large.rows} among 50,000, ${small.rows} among 1,000`,
    },
    {
      suite: 'monitor',
      name: 'heap after 200,000 sessions',
      value: Math.round(heapLarge.bytes / 1e5) / 10,
      unit: 'MB',
      baseline: 'after 10,000',
      baselineValue: Math.round(heapSmall.bytes / 1e5) / 10,
      ratio: Math.round((heapLarge.bytes / heapSmall.bytes) * 100) / 100,
      goal: '≤ 1.5 (bounded memory, issue 19)',
      note:
        `kept after 200,000: ${JSON.stringify(heapLarge.footprint)}; after 10,000: ${JSON.stringify(heapSmall.footprint)}; ` +
        `≈ ${Math.round(perSummary)} bytes per compacted session (its row, all included) at 10,000`,
    },
  ];
}
