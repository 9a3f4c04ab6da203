import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../../../shared/api';
import { AppService } from '../app';
import { VirtualClock } from '../../../test-support/virtual-clock';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'shared', 'analysis', 'fixtures');

let service: AppService | undefined;
afterEach(() => {
  service?.close();
  service = undefined;
});

describe('sessions.timeline / sessions.frames / sessions.locate (classified on the host)', () => {
  it('answers a replayed session with drawn points per attempt, pages of classified frames and the frame of an anomaly', async () => {
    service = new AppService({ transport: 'browser', version: 't' });
    const imported = await service.invoke('journal.import', { fileName: 'replay.ndjson', content: readFileSync(join(fixtures, 'replay.ndjson'), 'utf8') });
    expect(imported.ok).toBe(true);

    const timeline = await service.invoke('sessions.timeline', { sessionId: 's1' });
    if (!timeline.ok) throw new Error(timeline.error.message);
    // What crosses the boundary is what the renderer's createAppApi accepts.
    expect(commands['sessions.timeline'].response.safeParse(timeline.value).success).toBe(true);
    expect(timeline.value.frames).toBe(7);
    expect(timeline.value.attempts.map((a) => [a.attempt, a.points.length])).toEqual([
      [1, 3],
      [2, 2],
    ]);
    expect(timeline.value.markers.replay).toHaveLength(1);
    expect(timeline.value.terminal?.state).toBe('completed');

    const page = await service.invoke('sessions.frames', { sessionId: 's1', offset: 2, limit: 3 });
    if (!page.ok) throw new Error(page.error.message);
    expect(commands['sessions.frames'].response.safeParse(page.value).success).toBe(true);
    expect(page.value.total).toBe(7);
    expect(page.value.rows.map((r) => [r.point.index, r.point.kind])).toEqual([
      [2, 'new'],
      [3, 'replay'],
      [4, 'duplicate'],
    ]);

    const detail = await service.invoke('sessions.get', { sessionId: 's1' });
    if (!detail.ok) throw new Error(detail.error.message);
    const replay = detail.value.anomalies.find((a) => a.kind === 'replay')!;
    const located = await service.invoke('sessions.locate', { sessionId: 's1', at: replay.at, ...(replay.sequence === undefined ? {} : { sequence: replay.sequence }) });
    expect(located.ok && located.value?.index).toBe(3);

    expect((await service.invoke('sessions.timeline', { sessionId: 'nope' })).ok).toBe(false);
    expect((await service.invoke('sessions.frames', { sessionId: 's1', offset: 0, limit: 5000 })).ok).toBe(false);
  });
});

describe('classification from live analysis (no second analyzer run)', () => {
  it('gives the same points as classifying from scratch, for every fixture and every observation, whatever the anomaly cap', async () => {
    const { readdirSync } = await import('node:fs');
    const { parseNdjsonJournal } = await import('../../../shared/journal');
    const { buildTimeline, timelinePoints } = await import('../../../shared/analysis');
    const { Monitor } = await import('./monitor');
    let compared = 0;
    for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.ndjson'))) {
      const records = parseNdjsonJournal(readFileSync(join(fixtures, file), 'utf8')).records;
      // a cap of 2 anomalies per session: the per-frame classification stays complete
      const monitor = new Monitor({ clock: () => Number.MAX_SAFE_INTEGER, analyzer: { maxAnomaliesPerSession: 2 } });
      for (const record of records) monitor.ingest(record);
      for (const row of monitor.list({}).rows) {
        for (const { vantage } of monitor.detail(row.sessionId)!.observations) {
          const held = monitor.sessionAnalysis(row.sessionId, vantage)!;
          const fromLive = timelinePoints(buildTimeline(row.sessionId, held.frames, {}, { classes: held.classes }));
          const fromScratch = timelinePoints(buildTimeline(row.sessionId, held.frames));
          expect(fromLive, `${file} ${row.sessionId} ${vantage}`).toEqual(fromScratch);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThanOrEqual(19);
  });
});

describe('background classification of long sessions when they end', () => {
  async function setUp(options: { minEvents: number; delayMs: number }) {
    const { parseNdjsonJournal } = await import('../../../shared/journal');
    const { Monitor } = await import('./monitor');
    const { SessionTimelines } = await import('./session-timelines');
    const clock = new VirtualClock();
    const monitor = new Monitor({ clock: () => Number.MAX_SAFE_INTEGER });
    for (const record of parseNdjsonJournal(readFileSync(join(fixtures, 'replay.ndjson'), 'utf8')).records) monitor.ingest(record);
    let loads = 0;
    const timelines = new SessionTimelines(
      monitor,
      async (sessionId) => {
        loads++;
        return { frames: monitor.sessionFrames(sessionId) ?? [] };
      },
      4,
      { ...options, timers: clock },
    );
    return { timelines, clock, loads: () => loads };
  }

  it('classifies an ended long session after the pause: opening it then reuses that classification', async () => {
    const { timelines, clock, loads } = await setUp({ minEvents: 5, delayMs: 250 });
    timelines.ended('s1', 6);
    clock.advance(249);
    expect([timelines.classifications, loads()]).toEqual([0, 0]);
    clock.advance(1);
    await vi.waitFor(() => expect(timelines.classifications).toBe(1));
    expect(clock.pending).toBe(0); // nothing else queued
    const timeline = await timelines.current('s1');
    expect(timeline.frames).toHaveLength(7);
    expect(loads()).toBe(2); // the frames are checked for changes…
    expect(timelines.classifications).toBe(1); // …but not classified again
    timelines.close();
  });

  it('leaves short sessions to be classified on demand, and stops when closed', async () => {
    const { timelines, clock } = await setUp({ minEvents: 100, delayMs: 250 });
    timelines.ended('s1', 6);
    expect(clock.pending).toBe(0); // no background work was even scheduled
    expect(timelines.classifications).toBe(0);

    const closing = await setUp({ minEvents: 5, delayMs: 20 });
    closing.timelines.ended('s1', 6);
    expect(closing.clock.pending).toBe(1);
    closing.timelines.close();
    expect(closing.clock.pending).toBe(0);
    closing.clock.advance(1000);
    expect([closing.timelines.classifications, closing.loads()]).toEqual([0, 0]);
  });
});
