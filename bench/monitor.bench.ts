import { Monitor } from '../electron/core/monitor';
import type { JournalRecord } from '../shared/journal';
import type { BenchResult } from './types';

/**
 * The Monitor's tick when the fleet is large and little changes (issue 19): a fleet of ended
 * sessions plus 100 streaming ones that each get a frame per tick. The tick's cost should follow
 * what changed (the 100), not the fleet: the figure is the time of a tick over a 20,000-session
 * fleet ÷ the same tick over a 1,000-session fleet, measured in the same run.
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
  const monitor = new Monitor({ clock: () => now, analyzer: { stallAfterMs: 8000, orphanAfterMs: 300_000, reorderWindowMs: 2000 } });
  for (let i = 0; i < ended; i++) {
    monitor.ingest(chunk(now, `done-${i}`, 1));
    monitor.ingest(chunk(now, `done-${i}`, 2, 'completed'));
  }
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

export function run(): BenchResult[] {
  tickMs(1000); // warm-up
  const small = tickMs(1000);
  const large = tickMs(20_000);
  return [
    {
      suite: 'monitor',
      name: 'tick with 100 streaming sessions among 20,000',
      value: Math.round(large.ms * 100) / 100,
      unit: 'ms',
      baseline: 'the same tick among 1,000',
      baselineValue: Math.round(small.ms * 100) / 100,
      ratio: Math.round((large.ms / small.ms) * 100) / 100,
      goal: '≤ 1.5 (cost by what changed, issue 19)',
      note: `median of ${TICKS} ticks; rows recomputed per tick: ${large.rows} among 20,000, ${small.rows} among 1,000`,
    },
  ];
}
