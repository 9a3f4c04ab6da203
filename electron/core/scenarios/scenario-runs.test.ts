import { afterEach, describe, expect, it } from 'vitest';
import type { ScenarioProgress } from '../../../shared/api';
import { AppService } from '../app';
import { ScenarioRunner } from './scenario-runner';

let service: AppService | undefined;
afterEach(() => {
  service?.close();
  service = undefined;
});

/** A small scenario: two clean sessions of a few tokens. */
const SCENARIO = JSON.stringify({ name: 'tiny-check', sessions: [{ idPattern: 'tiny-{n}', count: 2, tokens: 5 }], expect: [{ status: 'completed' }] });

describe('scenarios.runs and check-mode sessions in the app (issue 21, item 6)', () => {
  it("lists every run with its latest progress and result, and a check run's sessions open in the session page", async () => {
    const scenarios = new ScenarioRunner({ mock: () => null });
    service = new AppService({ transport: 'browser', version: 't', scenarios });
    expect(await service.invoke('scenarios.runs', {})).toEqual({ ok: true, value: [] });
    const loaded = await service.invoke('scenarios.load', { text: SCENARIO, fileName: 'tiny.json' });
    if (!loaded.ok) throw new Error(loaded.error.message);

    const finished = new Promise<ScenarioProgress>((resolve) => scenarios.onProgress((progress) => progress.state !== 'running' && resolve(progress)));
    const started = await service.invoke('scenarios.start', { name: 'tiny-check', mode: 'check' });
    if (!started.ok) throw new Error(started.error.message);
    const running = await service.invoke('scenarios.runs', {});
    expect(running.ok && running.value.map((entry) => [entry.run.runId, entry.progress.state])).toEqual([[started.value.runId, 'running']]);

    const final = await finished;
    expect(final.state).toBe('finished');
    const after = await service.invoke('scenarios.runs', {});
    if (!after.ok) throw new Error(after.error.message);
    expect(after.value).toHaveLength(1);
    expect(after.value[0]!.run).toEqual(started.value);
    expect(after.value[0]!.progress.result?.passed).toBe(true);

    // What the check's own connections captured reached the monitor: each session has its detail.
    expect(started.value.sessions.length).toBe(2);
    for (const { sessionId } of started.value.sessions) {
      const detail = await service.invoke('sessions.get', { sessionId });
      expect(detail.ok && detail.value.row.status, sessionId).toBe('completed');
    }

    // The same check again: its connections are its own, so each session is seen from two vantages — never one stream played twice.
    const second = new Promise<ScenarioProgress>((resolve) =>
      scenarios.onProgress((progress) => progress.runId !== started.value.runId && progress.state !== 'running' && resolve(progress)),
    );
    const again = await service.invoke('scenarios.start', { name: 'tiny-check', mode: 'check' });
    if (!again.ok) throw new Error(again.error.message);
    expect((await second).state).toBe('finished');
    for (const { sessionId } of again.value.sessions) {
      const detail = await service.invoke('sessions.get', { sessionId });
      if (!detail.ok) throw new Error(detail.error.message);
      expect([detail.value.row.observations, detail.value.row.replays, detail.value.row.duplicates, detail.value.row.status], sessionId).toEqual([2, 0, 0, 'completed']);
    }
  }, 30_000);
});
