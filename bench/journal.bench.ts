/**
 * Journal benchmarks (issue 5):
 *
 *   node --import tsx bench/journal.bench.ts
 *
 * (a) Writes in real IndexedDB in Chromium, on disk (a persistent profile): the journal's block
 *     rows (shared/journal/store.ts) vs one row per event, the same events in the same batches
 *     (5,000 per transaction, strict durability, the same four indexes), events/s and ratio.
 * (b) Heap of the headless host's journal (NDJSON segments + their index) after 1M
 *     journaled events vs after 0: the goal is flat.
 * (c) Start-up of `echoscope serve --no-demo` (process start to listening) with a 1 GiB journal
 *     vs an empty one, alternating runs, medians: the goal is ≤ 2 (the index is read, not the data;
 *     the re-analysis of recent sessions is bounded). Needs `npm run build`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { chromium } from '@playwright/test';
import { build } from 'vite';
import { HostJournal } from '../electron/core/journal';
import { recordBatch, type JournalRecord } from '../shared/journal';
import type { BenchResult } from './types';

const SUITE = 'journal';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const harnessDir = join(root, 'out', 'journal-bench-harness');
const ORIGIN = 'http://journal-bench.echoscope.test';
const BATCH = 5000;
const BLOCK_EVENTS = 200_000;
/** Fewer for one row per event: at ~6k rows/s more would only make the run longer, not the figure better. */
const ROW_EVENTS = 40_000;
const HEAP_EVENTS = 1_000_000;

/** Realistic token frames: 200 sessions on 2 connections, ~230 bytes per NDJSON line. */
function tokenEvent(i: number): JournalRecord {
  const session = `b${i % 200}`;
  const sequence = Math.floor(i / 200) + 1;
  const at = 1_732_262_400_000 + i * 0.02;
  return {
    type: 'frame',
    at,
    connection: `c${i % 2}`,
    channel: `private-ai.${session}`,
    event: 'chunk.delivered',
    data: { session_id: session, chunk: ` token${sequence}`, sequence, state: 'generating', termination_code: null, emitted_at: at - 2.5 },
  };
}

const HARNESS_ENTRY = `
import { Dexie } from 'dexie';
import { openJournalStore } from '../../shared/journal/store.ts';
import { journalSessionKey } from '../../shared/journal/index.ts';

${tokenEvent.toString()}

function batches(total) {
  const out = [];
  for (let start = 0; start < total; start += ${BATCH}) {
    const batch = [];
    for (let i = start; i < Math.min(total, start + ${BATCH}); i++) batch.push(tokenEvent(i));
    out.push(batch);
  }
  return out;
}

window.journalBench = {
  async blocks(total) {
    const store = await openJournalStore({ name: 'bench-blocks', indexedDB, IDBKeyRange, durability: 'strict' });
    const work = batches(total);
    const started = performance.now();
    for (const batch of work) await store.append(batch);
    const ms = performance.now() - started;
    const stats = await store.stats();
    await store.close();
    return { ms, records: stats.records, rows: stats.blocks };
  },
  async rows(total) {
    // The naive layout: one row per event with the same index fields.
    const db = new Dexie('bench-rows', { indexedDB, IDBKeyRange, chromeTransactionDurability: 'strict' });
    db.version(1).stores({ events: '++id, sessionKey, channel, connection, at' });
    await db.open();
    const work = batches(total);
    const started = performance.now();
    for (const batch of work) {
      await db.transaction('rw', db.events, () => db.events.bulkAdd(batch.map((record) => ({ ...record, sessionKey: journalSessionKey(record) ?? '', channel: record.channel ?? '' }))));
    }
    const ms = performance.now() - started;
    const records = await db.events.count();
    db.close();
    return { ms, records, rows: records };
  },
};
`;

async function buildHarness(): Promise<void> {
  rmSync(harnessDir, { recursive: true, force: true });
  mkdirSync(harnessDir, { recursive: true });
  writeFileSync(join(harnessDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>journal bench</title><script type="module" src="./entry.js"></script>');
  writeFileSync(join(harnessDir, 'entry.js'), HARNESS_ENTRY);
  await build({ configFile: false, root: harnessDir, logLevel: 'warn', build: { outDir: join(harnessDir, 'dist'), emptyOutDir: true } });
}

interface WriteRun {
  ms: number;
  records: number;
  rows: number;
}

async function chromiumWrites(): Promise<BenchResult[]> {
  await buildHarness();
  const userDataDir = mkdtempSync(join(tmpdir(), 'echoscope-journal-bench-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const dist = join(harnessDir, 'dist');
    await context.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      const file = join(dist, path === '/' ? 'index.html' : path);
      if (!file.startsWith(dist) || !existsSync(file)) return route.fulfill({ status: 404, body: '' });
      return route.fulfill({ status: 200, contentType: extname(file) === '.html' ? 'text/html' : 'text/javascript', body: readFileSync(file) });
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => 'journalBench' in window);
    const blocks = (await page.evaluate(`window.journalBench.blocks(${BLOCK_EVENTS})`)) as WriteRun;
    const rows = (await page.evaluate(`window.journalBench.rows(${ROW_EVENTS})`)) as WriteRun;
    if (blocks.records !== BLOCK_EVENTS || rows.records !== ROW_EVENTS) throw new Error(`bench wrote ${blocks.records}/${rows.records} records`);
    const blockRate = (blocks.records / blocks.ms) * 1000;
    const rowRate = (rows.records / rows.ms) * 1000;
    return [
      {
        suite: SUITE,
        name: 'IndexedDB writes (Chromium, on disk): block rows',
        value: Math.round(blockRate),
        unit: 'events/s',
        baseline: 'one row per event, same batches',
        baselineValue: Math.round(rowRate),
        ratio: round(blockRate / rowRate),
        goal: '>= 50,000 events/s',
        note: `${BLOCK_EVENTS.toLocaleString('en-US')} events in ${blocks.rows} block rows vs ${ROW_EVENTS.toLocaleString('en-US')} events as rows; batches of ${BATCH}, strict durability, persistent profile`,
      },
    ];
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

function collectGarbage(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

async function hostHeap(): Promise<BenchResult[]> {
  const gc = collectGarbage();
  const directory = mkdtempSync(join(tmpdir(), 'echoscope-journal-heap-'));
  try {
    const journal = await HostJournal.open({ directory: join(directory, 'journal') });
    const before = await settledHeap(gc);
    let writing = 0;
    const checkpoints: string[] = [];
    for (let start = 0; start < HEAP_EVENTS; start += BATCH) {
      const batch: JournalRecord[] = [];
      for (let i = start; i < start + BATCH; i++) batch.push(tokenEvent(i));
      const started = performance.now();
      await journal.append(batch);
      writing += performance.now() - started;
      // Heap along the way: flat means the journal keeps its index, not its records.
      if ((start + BATCH) % 250_000 === 0 && start + BATCH < HEAP_EVENTS) checkpoints.push(`${(start + BATCH) / 1000}k: ${round((await settledHeap(gc)) / 1024 / 1024, 1)} MB`);
    }
    const seconds = writing / 1000;
    const stats = await journal.stats();
    const after = await settledHeap(gc);
    await journal.close();
    const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
    return [
      {
        suite: SUITE,
        name: 'headless host heap after 1M journaled events',
        value: mb(after),
        unit: 'MB',
        baseline: 'heap after 0 events',
        baselineValue: mb(before),
        ratio: round(after / before),
        goal: 'flat (≈ 1: the index grows with chunks and sessions, not events)',
        note: `heap at ${checkpoints.join(', ')}; ${stats.records.toLocaleString('en-US')} events, ${mb(stats.bytes)} MB of NDJSON in ${stats.blocks} chunks; host journal wrote ${Math.round(HEAP_EVENTS / seconds).toLocaleString('en-US')} events/s (fdatasync per batch of ${BATCH})`,
      },
    ];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Milliseconds from spawning `serve --no-demo` on `dataDir` to its "listening" line. */
async function serveStart(dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin', 'echoscope.js'), 'serve', '--no-demo', '--data-dir', dataDir, '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening`)));
      createInterface({ input: child.stdout }).on('line', (line) => line.includes('"listening"') && resolve());
    });
    return performance.now() - started;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
}

async function startUp(): Promise<BenchResult[]> {
  if (!existsSync(join(root, 'out', 'main', 'cli.js'))) throw new Error('no built CLI: run "npm run build" first');
  const base = mkdtempSync(join(tmpdir(), 'echoscope-startup-'));
  try {
    const empty = join(base, 'empty');
    const full = join(base, 'full');
    const journal = await HostJournal.open({ directory: join(full, 'journal') });
    let events = 0;
    while ((await journal.stats()).bytes < 1 << 30) {
      const batch: JournalRecord[] = [];
      for (let k = 0; k < 20_000; k++) batch.push(tokenEvent(events++));
      await journal.appendBatch(recordBatch(batch));
    }
    const stats = await journal.stats();
    await journal.close();
    const opened = performance.now();
    const reopened = await HostJournal.open({ directory: join(full, 'journal') });
    const openMs = performance.now() - opened;
    const scanned = reopened.load.scannedBytes;
    await reopened.close();
    await serveStart(empty); // warm the file cache for both
    await serveStart(full);
    const emptyRuns: number[] = [];
    const fullRuns: number[] = [];
    for (let i = 0; i < 5; i++) {
      emptyRuns.push(await serveStart(empty));
      fullRuns.push(await serveStart(full));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const emptyMs = median(emptyRuns);
    const fullMs = median(fullRuns);
    return [
      {
        suite: SUITE,
        name: 'serve start-up with a 1 GiB journal',
        value: round(fullMs, 0),
        unit: 'ms',
        baseline: 'with an empty journal',
        baselineValue: round(emptyMs, 0),
        ratio: round(fullMs / emptyMs),
        goal: '≤ 2',
        note: `process start to listening, medians of 5 alternating runs; ${events.toLocaleString('en-US')} events, ${round(stats.bytes / 1024 / 1024, 0)} MB in ${stats.blocks} chunks; opening that journal alone took ${round(openMs, 0)} ms and read ${scanned} bytes of data (the index only)`,
      },
    ];
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...(await chromiumWrites()), ...(await hostHeap()), ...(await startUp())];
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  for (const r of await run()) {
    console.log(`${r.name}\n  ${r.value} ${r.unit} | ${r.baseline} ${r.baselineValue} ${r.unit} | ratio ${r.ratio} (goal ${r.goal ?? '-'})${r.note ? `\n  ${r.note}` : ''}`);
  }
}
