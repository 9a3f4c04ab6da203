import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { AppService } from '../electron/core/app';
import { preciseNow } from '../electron/core/clock';
import { startHeadlessHost } from '../electron/core/host';
import { WorkerEngine } from '../electron/core/engine/worker-engine';
import { JournalService, startEngineWorker } from '../electron/core/journal';
import { startMockServer } from '../electron/mock';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium';
import type { BenchResult } from './types';

/**
 * The renderer under load, through Playwright in Chromium against the real headless host:
 *  1. Live view with 500 sessions streaming 20 tokens/s each (10k events/s published in-process
 *     on the mock provider, received by the hub over WebSocket, analyzed, pushed over the bridge):
 *     long tasks and frames per second, against the same page idle in the same run.
 *  2. Opening a 100k-event session's detail: time from the route change to the charts drawn and
 *     painted (performance marks set by the app), against the same page opening a one-event session.
 *  3. Production bundle sizes, the charts chunk (recharts) apart from the initial load.
 */

const SESSIONS = 500;
const TOKENS_PER_SECOND = 20;
const STREAM_SECONDS = 10;
const MEASURE_MS = 7000;
const IDLE_MS = 4000;
const BIG_EVENTS = 100_000;
/** The engine's compaction delay in this bench; the 100k-event session is opened well within it first. */
const COMPACT_MS = 30_000;
const T0 = 1_732_262_400_000;
const root = join(import.meta.dirname, '..');
const rendererDir = join(root, 'out', 'renderer');

interface FrameStats {
  fps: number;
  longTasks: number;
  longestTaskMs: number;
  longTaskTotalMs: number;
}

/** Frames per second (requestAnimationFrame) and long tasks (PerformanceObserver) over a window. */
function measureFrames(page: Page, ms: number): Promise<FrameStats> {
  return page.evaluate(
    (windowMs) =>
      new Promise<FrameStats>((resolve) => {
        const tasks: number[] = [];
        const observer = new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) tasks.push(entry.duration);
        });
        observer.observe({ type: 'longtask', buffered: false });
        let frames = 0;
        const start = performance.now();
        const tick = () => {
          frames++;
          if (performance.now() - start < windowMs) requestAnimationFrame(tick);
          else {
            observer.disconnect();
            const seconds = (performance.now() - start) / 1000;
            resolve({ fps: frames / seconds, longTasks: tasks.length, longestTaskMs: Math.max(0, ...tasks), longTaskTotalMs: tasks.reduce((a, b) => a + b, 0) });
          }
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

interface OpenTiming {
  drawnMs: number;
  loadedMs: number;
}

/**
 * Route change → the charts painted: the page marks `echoscope:charts-painted` from a task queued
 * by the frame callback of the frame that lays out and paints the charts (so the figure includes
 * that layout and paint, and nothing rendered after it).
 */
function openSession(page: Page, sessionId: string): Promise<OpenTiming> {
  return page.evaluate(
    (id) =>
      new Promise<OpenTiming>((resolve) => {
        performance.clearMarks();
        const start = performance.now();
        const observer = new PerformanceObserver((list) => {
          const painted = list.getEntries().find((e) => e.name === 'echoscope:charts-painted');
          if (!painted) return;
          observer.disconnect();
          const loaded = performance.getEntriesByName('echoscope:detail-loaded')[0];
          resolve({ drawnMs: painted.startTime - start, loadedMs: loaded ? loaded.startTime - start : Number.NaN });
        });
        observer.observe({ type: 'mark' });
        window.location.hash = `#/session/${encodeURIComponent(id)}`;
      }),
    sessionId,
  );
}

/** A long, mostly healthy session: 100k tokens 5 ms apart, a duplicate every 1,000 (anomalies to keep). */
function bigSessionJournal(sessionId: string, events: number): string {
  const lines = [JSON.stringify({ type: 'header', format: 'echoscope-journal', version: 1, createdAt: new Date(T0).toISOString() })];
  const channel = `private-ai.${sessionId}`;
  let at = T0;
  const frame = (sequence: number, chunk: string, state: string) => {
    at += 5;
    const data = { session_id: sessionId, chunk, sequence, state, termination_code: state === 'generating' ? null : 'end_turn', emitted_at: Math.floor(at - 2) };
    lines.push(JSON.stringify({ type: 'frame', at, connection: 'bench', channel, event: 'chunk.delivered', data }));
  };
  let written = 0;
  for (let sequence = 1; written < events - 1; sequence++) {
    frame(sequence, ' tok', 'generating');
    written++;
    if (sequence % 1000 === 0 && written < events - 1) {
      frame(sequence, ' tok', 'generating');
      written++;
    }
  }
  frame(Math.floor(events * 0.999) + 1, '', 'completed');
  return lines.join('\n') + '\n';
}

function bundleFigures(): BenchResult[] {
  const assets = join(rendererDir, 'assets');
  const index = readFileSync(join(rendererDir, 'index.html'), 'utf8');
  const files = readdirSync(assets).filter((f) => f.endsWith('.js'));
  const size = (file: string) => statSync(join(assets, file)).size;
  const gz = (file: string) => gzipSync(readFileSync(join(assets, file))).length;
  // The initial load: the entry script of index.html and the chunks it imports statically.
  const entry = /src="\.\/assets\/([^"]+\.js)"/.exec(index)?.[1] ?? /assets\/(index-[^"]+\.js)/.exec(index)?.[1];
  if (!entry) throw new Error('no entry script in out/renderer/index.html');
  const initial = new Set<string>([entry]);
  for (const file of initial) {
    const text = readFileSync(join(assets, file), 'utf8');
    for (const match of text.matchAll(/^import[^'"]*['"]\.\/([^'"]+\.js)['"]/gm)) if (match[1] && files.includes(match[1])) initial.add(match[1]);
  }
  const charts = files.find((f) => f.startsWith('chart-components-'));
  if (!charts) throw new Error('no chart-components chunk: recharts is not split');
  const initialBytes = [...initial].reduce((sum, f) => sum + size(f), 0);
  const initialGz = [...initial].reduce((sum, f) => sum + gz(f), 0);
  return [
    {
      suite: 'renderer',
      name: 'bundle: initial JS',
      value: initialBytes / 1024,
      unit: 'KB',
      baseline: 'gzip',
      baselineValue: initialGz / 1024,
      ratio: initialBytes / initialGz,
      note: `${[...initial].join(' + ')} (minified production build)`,
    },
    {
      suite: 'renderer',
      name: 'bundle: charts chunk (lazy)',
      value: size(charts) / 1024,
      unit: 'KB',
      baseline: 'initial JS',
      baselineValue: initialBytes / 1024,
      ratio: size(charts) / initialBytes,
      note: `${charts}, ${(gz(charts) / 1024).toFixed(1)} KB gzip; loaded only when a chart is shown`,
    },
  ];
}

export async function run(): Promise<BenchResult[]> {
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error('no built renderer: run "npx electron-vite build" first');
  const dir = mkdtempSync(join(tmpdir(), 'echoscope-renderer-bench-'));
  const mock = await startMockServer({ host: '127.0.0.1', port: 0 });
  const app = mock.apps[0]!;
  // As `echoscope serve` runs: the journal and live analysis in their engine thread.
  // Ended sessions are compacted after COMPACT_MS here (60 s by default), so the last figure, a compacted session read back, comes sooner.
  const worker = await startEngineWorker(join(dir, 'journal'), { onWarning: () => undefined, settings: { compactAfterMs: COMPACT_MS }, recent: { windowMs: 0, records: 0 } });
  const journal = new JournalService(worker.journal, { location: dir, clock: preciseNow });
  const engine = new WorkerEngine(worker.channel);
  const service = new AppService({ transport: 'browser', version: 'bench', journal, engine });
  const host = await startHeadlessHost({ service, rendererDir, host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ ...(chromiumPath() ? { executablePath: chromiumPath()! } : {}), args: CHROMIUM_ARGS });
  try {
    // The 100k-event session and a one-event one, imported before anything is measured.
    const imported = await service.invoke('journal.import', { fileName: 'big.ndjson', content: bigSessionJournal('bench-100k', BIG_EVENTS) });
    if (!imported.ok) throw new Error(imported.error.message);
    const tiny = await service.invoke('journal.import', { fileName: 'tiny.ndjson', content: bigSessionJournal('bench-tiny', 2) });
    if (!tiny.ok) throw new Error(tiny.error.message);

    const saved = await service.invoke('profiles.save', {
      id: 'bench',
      name: 'bench',
      kind: 'reverb',
      host: mock.host,
      port: mock.port,
      key: app.key,
      appId: app.id,
      auth: { mode: 'secret', secret: app.secret },
    });
    if (!saved.ok) throw new Error(saved.error.message);
    const connected = await service.invoke('connections.connect', { profileId: 'bench' });
    if (!connected.ok) throw new Error(connected.error.message);
    const channels = Array.from({ length: SESSIONS }, (_, i) => `private-ai.live-${i}`);
    for (let i = 0; i < channels.length; i += 50) await Promise.all(channels.slice(i, i + 50).map((channel) => service.hub.subscribe('bench', channel, 10_000)));

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // tsx compiles this file with esbuild's keepNames, which wraps the inner functions of the
    // page.evaluate callbacks in a `__name(...)` helper the page does not have.
    await page.addInitScript({ content: 'window.__name = (fn) => fn;' });
    await page.goto(host.url);
    await page.getByTestId('session-row').first().waitFor();

    // Baseline: the same Live page, nothing streaming.
    const idle = await measureFrames(page, IDLE_MS);

    // 500 sessions × 20 tokens/s, published in-process every 50 ms (one token per session per tick).
    let sequence = 0;
    let published = 0;
    const tickMs = 1000 / TOKENS_PER_SECOND;
    const totalTicks = STREAM_SECONDS * TOKENS_PER_SECOND;
    const streaming = new Promise<void>((resolve) => {
      const started = performance.now();
      const tick = () => {
        sequence++;
        const last = sequence === totalTicks;
        for (let s = 0; s < SESSIONS; s++) {
          mock.publish({
            channel: channels[s]!,
            event: 'chunk.delivered',
            data: {
              session_id: `live-${s}`,
              chunk: last ? '' : ' tok',
              sequence,
              state: last ? 'completed' : 'generating',
              termination_code: last ? 'end_turn' : null,
              emitted_at: Date.now(),
            },
          });
          published++;
        }
        if (last) return resolve();
        // Scheduled against the start so a slow tick does not lower the rate.
        setTimeout(tick, Math.max(0, started + sequence * tickMs - performance.now()));
      };
      tick();
    });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let the stream reach full rate
    const streamStart = performance.now();
    const loaded = await measureFrames(page, MEASURE_MS);
    const measuredPublished = published;
    await streaming;
    const publishRate = measuredPublished / ((performance.now() - streamStart + 1500) / 1000);
    await page
      .waitForFunction((n) => document.querySelector('[data-testid="session-count"]')?.textContent?.includes(String(n)), SESSIONS + 2, { timeout: 30_000 })
      .catch(() => undefined);
    const rows = await page.getByTestId('session-count').textContent();

    // Detail: warm the charts chunk once, then time the one-event session and the 100k one.
    await openSession(page, 'bench-tiny');
    await page.evaluate(() => (window.location.hash = '#/live'));
    await page.getByTestId('session-row').first().waitFor();
    const small = await openSession(page, 'bench-tiny');
    await page.evaluate(() => (window.location.hash = '#/live'));
    await page.getByTestId('session-row').first().waitFor();
    const heldBefore = await engine.footprint();
    const big = await openSession(page, 'bench-100k');
    const drawnPoints = await page.getByTestId('chart-timeline').getAttribute('data-drawn');

    // Once every ended session is compacted (nothing analyzed or held), the same session is read back from the journal.
    await page.evaluate(() => (window.location.hash = '#/live'));
    await page.getByTestId('session-row').first().waitFor();
    const deadline = Date.now() + COMPACT_MS * 3;
    for (;;) {
      const held = await engine.footprint();
      if (held.heldFrames === 0 && held.analyzerSessions === 0) break;
      if (Date.now() > deadline) throw new Error(`the sessions were not compacted: ${JSON.stringify(held)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const compacted = await openSession(page, 'bench-100k');

    const results: BenchResult[] = [
      {
        suite: 'renderer',
        name: 'Live: fps while 500 sessions stream',
        value: loaded.fps,
        unit: 'fps',
        baseline: 'same page idle',
        baselineValue: idle.fps,
        ratio: loaded.fps / idle.fps,
        goal: '≥ 50 fps',
        note: `${Math.round(publishRate)} events/s published (goal 10,000) over ${SESSIONS} sessions; Live shows "${rows ?? '?'}"`,
      },
      {
        suite: 'renderer',
        name: 'Live: longest task while streaming',
        value: loaded.longestTaskMs,
        unit: 'ms',
        baseline: 'idle longest task',
        baselineValue: idle.longestTaskMs,
        ratio: loaded.longestTaskMs / Math.max(1, idle.longestTaskMs),
        goal: '≤ 50 ms',
        note: `${loaded.longTasks} long tasks (${Math.round(loaded.longTaskTotalMs)} ms) in ${MEASURE_MS / 1000} s streaming; idle: ${idle.longTasks}`,
      },
      {
        suite: 'renderer',
        name: 'Detail: 100k-event session, charts painted',
        value: big.drawnMs,
        unit: 'ms',
        baseline: 'one-event session',
        baselineValue: small.drawnMs,
        ratio: big.drawnMs / small.drawnMs,
        goal: '< 300 ms',
        note: `analyzed, not compacted (an imported recording stays whole for compactAfterMs after the import); the engine held ${heldBefore.heldFrames.toLocaleString('en-US')} frames then (budget 200,000: the 500 streamed sessions' frames pushed the 100k session's out, so they are read from the journal); data fetched (sessions.get + sessions.timeline: the engine classifies the 100k frames and sends the downsampled points) after ${Math.round(big.loadedMs)} ms, then drawing (React, layout, paint) ${Math.round(big.drawnMs - big.loadedMs)} ms; the anomaly list, texts and raw frames below render a frame later; ${drawnPoints ?? '?'} points drawn`,
      },
      {
        suite: 'renderer',
        name: 'Detail: the same session compacted, read back from the journal',
        value: compacted.drawnMs,
        unit: 'ms',
        baseline: 'the same session whole',
        baselineValue: big.drawnMs,
        ratio: compacted.drawnMs / big.drawnMs,
        note: `after every ended session was compacted: its 100k frames read from the journal and analyzed again in the engine thread, data fetched after ${Math.round(compacted.loadedMs)} ms`,
      },
      ...bundleFigures(),
    ];
    return results;
  } finally {
    await browser.close();
    await host.close();
    service.close();
    await engine.close();
    await journal.close();
    await worker.close();
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await run());
}
