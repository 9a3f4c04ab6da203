/**
 * The headless host's engine thread (issue 19, item 3): the real runtime with its segmented
 * journal and live analysis in one worker thread, driven through the App API as the transports
 * do. Records are captured as the hub hands them over; the verdicts expected follow from how the
 * records were built. The main thread's Analyzer and Monitor are spied on: the worker thread
 * loads its own copies of those modules, so any call the spies see ran on the capture/UI thread.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyTopicDelta, DEFAULT_QUERY, topics, type JournalHealth, type TopicState } from '../../../shared/api';
import { Analyzer } from '../../../shared/analysis';
import type { FrameRecord } from '../../../shared/journal';
import { inProcessClient } from '../../../test-support/in-process-client';
import { MetricsRecorder } from '../metrics';
import { Monitor } from '../monitor';
import { AppService } from '../app';
import { preciseNow } from '../clock';
import { JournalService, startEngineWorker } from '../journal';
import { HostJournal } from '../journal/host-journal';
import { WorkerEngine } from './worker-engine';
import { eventually } from '../../../test-support/raw-pusher-client';
import { startRuntime, type Runtime } from '../runtime';

const T0 = Date.now();

const chunk = (sessionId: string, sequence: number, state = 'generating', code: string | null = null): FrameRecord => ({
  type: 'frame',
  at: T0 + sequence * 10,
  connection: 'c1',
  channel: `private-ai.${sessionId}`,
  event: 'chunk.delivered',
  data: { session_id: sessionId, chunk: state === 'generating' ? `t${sequence} ` : '', sequence, state, termination_code: code },
});

/** The project's `eventually`, with this file's longer default wait. */
const until = (check: () => boolean | Promise<boolean>, what: string) => eventually(check, 20_000, what);

let runtime: Runtime | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await runtime?.close();
  runtime = undefined;
});

async function start(options: { metrics?: MetricsRecorder; onWarning?: (message: string) => void } = {}): Promise<Runtime> {
  const directory = join(mkdtempSync(join(tmpdir(), 'echoscope-engine-')), 'journal');
  runtime = await startRuntime({ transport: 'browser', version: 'test', demo: false, journal: { directory }, onWarning: options.onWarning ?? (() => undefined), ...options });
  return runtime;
}

async function rowOf(service: Runtime['service'], sessionId: string) {
  const list = await service.invoke('sessions.list', {});
  return list.ok ? list.value.rows.find((row) => row.sessionId === sessionId) : undefined;
}

describe('the engine thread', () => {
  it('verdicts what the journal takes, while the capture thread runs no analysis at all', async () => {
    const analyzed = vi.spyOn(Analyzer.prototype, 'ingest');
    const monitored = vi.spyOn(Monitor.prototype, 'ingest');
    const metrics = new MetricsRecorder();
    const { service } = await start({ metrics });
    // Built: "a" gets 1, 2, 4 and completes at 5 (3 never sent); "b" gets 1, 2, 2 and is cut off at 3.
    for (const sequence of [1, 2, 4]) service.capture(chunk('a', sequence));
    service.capture(chunk('a', 5, 'completed', 'end_turn'));
    for (const sequence of [1, 2, 2]) service.capture(chunk('b', sequence));
    service.capture(chunk('b', 3, 'truncated', 'max_tokens'));

    await until(async () => (await rowOf(service, 'a'))?.status === 'completed' && (await rowOf(service, 'b'))?.status === 'truncated', 'both verdicts');
    expect(await rowOf(service, 'a')).toMatchObject({ events: 4, missing: 1, duplicates: 0 });
    expect(await rowOf(service, 'b')).toMatchObject({ events: 4, missing: 0, duplicates: 1 });
    const detail = await service.invoke('sessions.get', { sessionId: 'a' });
    expect(detail.ok && detail.value.gaps).toEqual([{ from: 3, to: 3 }]);
    expect(detail.ok && detail.value.text).toBe('t1 t2 t4 ');
    const timeline = await service.invoke('sessions.timeline', { sessionId: 'a', maxPoints: 100 });
    expect(timeline.ok && timeline.value.frames).toBe(4);

    // What the engine thread counted reaches /metrics here, relayed.
    await until(async () => (await metrics.exposition()).includes('echoscope_sessions_total{status="truncated",echoscope_contract="echoscope"} 1'), 'the relayed metrics');
    expect(await metrics.exposition()).toContain('echoscope_sessions_total{status="completed",echoscope_contract="echoscope"} 1');

    expect(analyzed).not.toHaveBeenCalled();
    expect(monitored).not.toHaveBeenCalled();
  }, 30_000);

  it('what the journal turns away (too many records wait for it) is analyzed all the same', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'echoscope-engine-full-')), 'journal');
    const worker = await startEngineWorker(directory, { onWarning: () => undefined, settings: {}, recent: { windowMs: 0, records: 0 } });
    // A journal that takes nothing: every record waits beyond its bound from the first.
    const journal = new JournalService(worker.journal, { location: directory, clock: preciseNow, writer: { maxWaiting: 0 }, onError: () => undefined });
    const engine = new WorkerEngine(worker.channel);
    const service = new AppService({ transport: 'browser', version: 'test', journal, engine });
    try {
      // Built: "f" gets 1, 2 and completes at 3.
      for (const sequence of [1, 2]) service.capture(chunk('f', sequence));
      service.capture(chunk('f', 3, 'completed', 'end_turn'));
      await until(async () => (await rowOf(service, 'f'))?.status === 'completed', 'the verdict of records the journal turned away');
      expect(await rowOf(service, 'f')).toMatchObject({ events: 3, missing: 0 });
      const stats = await service.invoke('journal.stats', {});
      expect(stats.ok && stats.value).toMatchObject({ records: 0, unjournaled: 3 });
    } finally {
      service.close();
      await engine.close();
      await journal.close();
      await worker.close();
    }
  }, 30_000);

  it('an import is analyzed there too, and its result names the sessions it fed', async () => {
    const { service } = await start();
    const records = [chunk('i1', 1), chunk('i1', 2, 'completed', 'end_turn'), chunk('i2', 1), chunk('i2', 2, 'errored', 'error')];
    const content = `${JSON.stringify({ type: 'header', format: 'echoscope-journal', version: 1, createdAt: new Date(T0).toISOString() })}\n${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
    const imported = await service.invoke('journal.import', { fileName: 'recording.ndjson', content });
    expect(imported.ok && imported.value).toMatchObject({ records: 4, sessionCount: 2 });
    expect(imported.ok && [...imported.value.sessions].sort()).toEqual(['i1', 'i2']);
    await until(async () => (await rowOf(service, 'i2'))?.status === 'errored', 'the imported verdicts');
    expect(await rowOf(service, 'i1')).toMatchObject({ status: 'completed', events: 2 });
  }, 30_000);

  it('killed mid-run, it comes back with what the journal holds, and an open Live window is sent it again', async () => {
    const warnings: string[] = [];
    const { service, journalWorker } = await start({ onWarning: (message) => warnings.push(message) });
    const health: JournalHealth[] = [];
    const window = inProcessClient(service);
    window.target.ready();
    const unhear = window.api.on('journal.health', (next) => health.push(next));
    const params = topics.live.params.parse({ offset: 0, limit: 50, query: DEFAULT_QUERY });
    const answer = await window.api.subscribe('live', params);
    if (!answer.ok) throw new Error(answer.error.message);
    let live = answer.value.snapshot as TopicState<'live'>;
    answer.value.onDelta((delta) => (live = applyTopicDelta('live', live, delta, params)));

    // Built: "k" gets 1, 2, 3 before the thread dies, 4 and the end at 5 while it is started again.
    for (const sequence of [1, 2, 3]) service.capture(chunk('k', sequence));
    await until(() => live.rows.some((row) => row.sessionId === 'k' && row.events === 3), 'the Live window to show k');
    await journalWorker!.crash();
    service.capture(chunk('k', 4));
    service.capture(chunk('k', 5, 'completed', 'end_turn'));
    await until(() => health.some((h) => h.state === 'ok' && h.restarts === 1), 'the engine thread to be back');
    await until(() => live.rows.some((row) => row.sessionId === 'k' && row.status === 'completed'), 'the Live window to show k completed');
    expect(live.rows.find((row) => row.sessionId === 'k')).toMatchObject({ events: 5, missing: 0, duplicates: 0 });
    expect(await rowOf(service, 'k')).toMatchObject({ status: 'completed', events: 5, missing: 0, duplicates: 0 });
    expect(warnings.some((message) => /engine thread ended .*starting it again/.test(message))).toBe(true);
    unhear();
  }, 30_000);
});

describe("the desktop app's engine thread (its journal is the hidden window's)", () => {
  /**
   * Electron's journal is the hidden window's IndexedDB, which a Node test cannot open: a
   * HostJournal in this thread stands in for it (the window's own store and port are tested in
   * shared/journal and renderer/src/journal). What is tested here is the engine thread beside
   * main: fed what main captured, asking main for a compacted session's frames.
   */
  async function startDesktop(onWarning: (message: string) => void = () => undefined): Promise<{ runtime: Runtime; store: HostJournal }> {
    const store = await HostJournal.open({ directory: join(mkdtempSync(join(tmpdir(), 'echoscope-desktop-')), 'journal') });
    runtime = await startRuntime({
      transport: 'electron',
      version: 'test',
      demo: false,
      journal: { journal: store, location: 'IndexedDB (journal window)' },
      monitor: { tickMs: 50, compactAfterMs: 300 },
      onWarning,
    });
    return { runtime, store };
  }

  it('analyzes what main captured off main, and brings a compacted session back through main', async () => {
    const analyzed = vi.spyOn(Analyzer.prototype, 'ingest');
    const monitored = vi.spyOn(Monitor.prototype, 'ingest');
    const { runtime: desktop } = await startDesktop();
    const { service } = desktop;
    // Built: "d" gets 1, 3, 3 and completes at 4 (2 never sent, 3 twice).
    for (const sequence of [1, 3, 3]) service.capture(chunk('d', sequence));
    service.capture(chunk('d', 4, 'completed', 'end_turn'));
    await until(async () => (await rowOf(service, 'd'))?.status === 'completed', 'the verdict');
    expect(await rowOf(service, 'd')).toMatchObject({ events: 4, missing: 1, duplicates: 1 });
    const live = await service.invoke('sessions.get', { sessionId: 'd' });
    expect(live.ok && live.value.gaps).toEqual([{ from: 2, to: 2 }]);

    await until(async () => {
      const held = await service.engine.footprint();
      return held.summaries === 1 && held.heldFrames === 0;
    }, 'the session to be compacted');
    const back = await service.invoke('sessions.get', { sessionId: 'd' });
    expect(back.ok && back.value).toEqual(live.ok && live.value);
    expect(analyzed).not.toHaveBeenCalled();
    expect(monitored).not.toHaveBeenCalled();
  }, 30_000);

  it('killed mid-run, it is started again and analyzes what comes next', async () => {
    const warnings: string[] = [];
    const { runtime: desktop } = await startDesktop((message) => warnings.push(message));
    const { service } = desktop;
    service.capture(chunk('e1', 1));
    await until(async () => (await rowOf(service, 'e1')) !== undefined, 'the first session');
    await desktop.analysisWorker!.crash();
    // Built: a session that starts after the crash, whole.
    for (const sequence of [1, 2]) service.capture(chunk('e2', sequence));
    service.capture(chunk('e2', 3, 'completed', 'end_turn'));
    await until(async () => (await rowOf(service, 'e2'))?.status === 'completed', 'the new thread to verdict the next session');
    expect(await rowOf(service, 'e2')).toMatchObject({ events: 3, missing: 0, duplicates: 0 });
    expect(warnings.some((message) => /analysis thread ended .*starting it again/.test(message))).toBe(true);
    expect(warnings).toContain('analysis thread started again');
  }, 30_000);
});

describe('a host without a journal (serve --no-journal)', () => {
  it('analyzes in a thread of its own all the same, and the detail is what that thread holds', async () => {
    const analyzed = vi.spyOn(Analyzer.prototype, 'ingest');
    runtime = await startRuntime({ transport: 'browser', version: 'test', demo: false, onWarning: () => undefined });
    const { service } = runtime;
    // Built: "n" gets 1, 2, 4 and completes at 5 (3 never sent).
    for (const sequence of [1, 2, 4]) service.capture(chunk('n', sequence));
    service.capture(chunk('n', 5, 'completed', 'end_turn'));
    await until(async () => (await rowOf(service, 'n'))?.status === 'completed', 'the verdict');
    const detail = await service.invoke('sessions.get', { sessionId: 'n' });
    expect(detail.ok && detail.value.gaps).toEqual([{ from: 3, to: 3 }]);
    const events = await service.invoke('sessions.events', { sessionId: 'n', limit: 10 });
    expect(events.ok && events.value.map((frame) => (frame.data as { sequence: number }).sequence)).toEqual([1, 2, 4, 5]);
    expect(analyzed).not.toHaveBeenCalled();
  }, 30_000);
});
