/**
 * Each domain's service can be replaced (issue 19, item 8): here the scenario runner's service is a
 * TEST DOUBLE (`StandInScenarios`, below) registered through `AppServiceOptions.services`, and a
 * window drives the App API as the transports do (test-support/in-process-client: the typed client,
 * every message through JSON, `AppService.handle` with its push target). The stand-in gets only
 * requests the shared schemas let through, its errors cross as data, and the real services of the
 * other domains answer as ever — profiles, connections, the tail, the sessions and their topics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, DEFAULT_QUERY, type ParsedRequest, type ScenarioRunView, type ScenarioSummary } from '../../../shared/api';
import type { FrameRecord } from '../../../shared/journal';
import { inProcessClient } from '../../../test-support/in-process-client';
import { VirtualClock } from '../../../test-support/virtual-clock';
import { AppService } from './app-service';
import type { DomainHandlers, DomainService } from './command-router';

/** TEST DOUBLE of ScenariosService: a library of one scenario; it keeps the requests it was given and whether it was closed. */
class StandInScenarios implements DomainService<'scenarios'> {
  readonly started: Array<ParsedRequest<'scenarios.start'>> = [];
  closed = false;
  private readonly summary: ScenarioSummary = { name: 'stand-in', description: 'a test double’s scenario', origin: 'builtin', seed: 1, sessions: 1, faults: [], expectations: 0 };
  readonly handlers: DomainHandlers<'scenarios'> = {
    'scenarios.list': () => [this.summary],
    'scenarios.load': () => {
      throw new AppError('invalid_request', 'the stand-in loads nothing');
    },
    'scenarios.start': (request) => {
      this.started.push(request);
      const run: ScenarioRunView = { runId: `run-${this.started.length}`, scenario: request.name, mode: request.mode, sessions: [] };
      return run;
    },
    'scenarios.stop': ({ runId }) => ({ stopped: runId === 'run-1' }),
    'scenarios.runs': () => [],
  };

  close(): void {
    this.closed = true;
  }
}

const frame = (sequence: number, at: number): FrameRecord => ({
  type: 'frame',
  at,
  connection: 'c1',
  channel: 'private-ai.s1',
  event: 'chunk.delivered',
  data: { session_id: 's1', chunk: `t${sequence} `, sequence, state: 'generating', termination_code: null },
});

let service: AppService | undefined;
afterEach(() => {
  service?.close();
  service = undefined;
});

describe('a stand-in for one domain service', () => {
  it('answers its domain through the same dispatch and transport, while the real services answer the others', async () => {
    const clock = new VirtualClock(1_732_262_400_000);
    const scenarios = new StandInScenarios();
    service = new AppService({ transport: 'browser', version: 't', clock: clock.now, monitor: { timers: clock, tickMs: 100 }, services: { scenarios } });
    const { api } = inProcessClient(service, { timers: clock, intervalMs: 100 });
    api.ready();

    // The stand-in's domain: validated at the boundary, defaults applied, errors as data.
    expect(await api.invoke('scenarios.list', {})).toMatchObject({ ok: true, value: [{ name: 'stand-in' }] });
    expect(await api.invoke('scenarios.start', { name: 'stand-in' })).toEqual({ ok: true, value: { runId: 'run-1', scenario: 'stand-in', mode: 'simulate', sessions: [] } });
    expect(scenarios.started).toEqual([{ name: 'stand-in', mode: 'simulate' }]);
    expect(await api.invoke('scenarios.start', { name: 'stand-in', mode: 'replay' as 'check' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(scenarios.started).toHaveLength(1);
    expect(await api.invoke('scenarios.load', { text: 'name: x' })).toEqual({ ok: false, error: { code: 'invalid_request', message: 'the stand-in loads nothing' } });
    expect(await api.invoke('scenarios.stop', { runId: 'run-1' })).toEqual({ ok: true, value: { stopped: true } });

    // The other domains: the real services.
    expect(await api.invoke('app.info', {})).toEqual({ ok: true, value: { name: 'EchoScope', version: 't', transport: 'browser', demo: null } });
    expect(await api.invoke('profiles.save', { id: 'p1', name: 'P1', kind: 'reverb', key: 'k', auth: { mode: 'secret', secret: 'hidden' } })).toMatchObject({ ok: true });
    expect(await api.invoke('profiles.list', {})).toMatchObject({ ok: true, value: [{ id: 'p1', auth: { mode: 'secret', hasSecret: true } }] });
    expect(await api.invoke('connections.connect', { profileId: 'missing' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await api.invoke('journal.stats', {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await api.invoke('metrics.state', {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await api.invoke('proxy.status', {})).toEqual({ ok: true, value: null });

    const live = await api.subscribe('live', { offset: 0, limit: 100, query: DEFAULT_QUERY });
    expect(live.ok).toBe(true);
    for (let sequence = 1; sequence <= 3; sequence++) service.capture(frame(sequence, clock.now()));
    clock.advance(200);
    expect(await api.invoke('tail.recent', { limit: 10 })).toMatchObject({ ok: true, value: [{ data: { sequence: 1 } }, { data: { sequence: 2 } }, { data: { sequence: 3 } }] });
    expect(await api.invoke('sessions.list', {})).toMatchObject({ ok: true, value: { total: 1, rows: [{ sessionId: 's1', events: 3 }] } });
    expect(await api.invoke('sessions.get', { sessionId: 's1' })).toMatchObject({ ok: true, value: { text: 't1 t2 t3 ', vantage: 'c1' } });
    expect(await api.invoke('monitor.settings', {})).toMatchObject({ ok: true });
    expect(service.subscriptionCount('live')).toBe(1);

    service.close();
    service = undefined;
    expect(scenarios.closed).toBe(true);
  });
});
