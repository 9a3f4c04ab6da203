import { MetricsRecorder } from '../electron/core/metrics';
import { Monitor } from '../electron/core/monitor';
import type { JournalRecord } from '../shared/journal';
import type { BenchResult } from './types';

/**
 * `/metrics` costs what changed (issue 21 item 2): a scrape renders a fixed set of series however
 * many sessions were counted, and a monitor tick with the recorder attached costs about what it
 * costs without. Both figures are ratios against a baseline measured in the same run.
 */

const T0 = 1_764_669_600_000;
const LIVE = 100;
const TICKS = 40;

const chunk = (at: number, session: string, sequence: number, state = 'generating'): JournalRecord => ({
  type: 'frame',
  at,
  connection: 'c1',
  channel: `private-ai.${session}`,
  event: 'chunk.delivered',
  data: { session_id: session, chunk: state === 'generating' ? ` t${sequence}` : '', sequence, state, termination_code: state === 'generating' ? null : 'end_turn' },
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A monitor with `ended` finished sessions and LIVE streaming ones, the recorder attached or not. */
function fleet(ended: number, recorder: MetricsRecorder | null): { monitor: Monitor; now: () => number; advance: (ms: number) => void } {
  let now = T0;
  const monitor = new Monitor({ clock: () => now, analyzer: { stallAfterMs: 8000, orphanAfterMs: 300_000, reorderWindowMs: 2000 } });
  if (recorder) monitor.attachMetrics(recorder);
  for (let i = 0; i < ended; i++) {
    monitor.ingest(chunk(now, `done-${i}`, 1));
    now += 0.01;
    monitor.ingest(chunk(now, `done-${i}`, 2, 'completed'));
  }
  for (let i = 0; i < LIVE; i++) monitor.ingest(chunk(now, `live-${i}`, 1));
  monitor.tick(now);
  return { monitor, now: () => now, advance: (ms) => (now += ms) };
}

/** Median ms per tick, each after one frame for each live session. */
function tickMs(withMetrics: boolean): number {
  const { monitor, now, advance } = fleet(20_000, withMetrics ? new MetricsRecorder() : null);
  const times: number[] = [];
  for (let t = 0; t < TICKS; t++) {
    advance(500);
    for (let i = 0; i < LIVE; i++) monitor.ingest(chunk(now(), `live-${i}`, t + 2));
    const started = performance.now();
    monitor.tick(now());
    times.push(performance.now() - started);
  }
  return median(times);
}

/** Median ms of a scrape (the exposition text) after `sessions` sessions were counted. */
async function scrapeMs(sessions: number): Promise<number> {
  const recorder = new MetricsRecorder();
  fleet(sessions, recorder);
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const started = performance.now();
    await recorder.exposition();
    times.push(performance.now() - started);
  }
  return median(times);
}

export async function run(): Promise<BenchResult[]> {
  await scrapeMs(1000); // warm-up
  const scrapeSmall = await scrapeMs(1000);
  const scrapeLarge = await scrapeMs(20_000);
  tickMs(false); // warm-up
  const without = tickMs(false);
  const withMetrics = tickMs(true);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return [
    {
      suite: 'metrics',
      name: 'scrape after 20,000 sessions counted',
      value: round(scrapeLarge),
      unit: 'ms',
      baseline: 'a scrape after 1,000',
      baselineValue: round(scrapeSmall),
      ratio: Math.round((scrapeLarge / scrapeSmall) * 100) / 100,
      goal: '≤ 1.5 (a scrape renders series, not sessions)',
      note: 'median of 30 scrapes',
    },
    {
      suite: 'metrics',
      name: 'monitor tick with the recorder attached (100 streaming among 20,000)',
      value: round(withMetrics),
      unit: 'ms',
      baseline: 'the same tick without it',
      baselineValue: round(without),
      ratio: Math.round((withMetrics / without) * 100) / 100,
      goal: '≤ 1.5 (counting follows what changed)',
      note: `median of ${TICKS} ticks`,
    },
  ];
}
