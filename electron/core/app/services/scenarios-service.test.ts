/**
 * ScenariosService on its own, with its dependencies as TEST DOUBLES (a runner that starts one
 * simulated run, a hub that records what it was asked to watch): the narrow `Pick<>`s it is built
 * on are all a test has to provide.
 */
import { describe, expect, it } from 'vitest';
import type { ChannelStatus, ConnectionStatus, ScenarioRunView } from '../../../../shared/api';
import { ScenariosService, type ScenariosServiceDeps } from './scenarios-service';

const run: ScenarioRunView = { runId: 'r1', scenario: 'crash', mode: 'simulate', sessions: [{ sessionId: 's1', channel: 'private-ai.s1' }] };

/** TEST DOUBLES: a runner whose every run is `run`, a hub with one connection (`demo`) that records the channels it is asked to watch. */
function doubles(watched: string[]): ScenariosServiceDeps {
  return {
    runner: { list: () => [], load: () => Promise.resolve([]), start: () => run, stop: () => ({ stopped: true }), runs: () => [] },
    hub: {
      status: (profileId) => (profileId === 'demo' ? ({ profileId } as unknown as ConnectionStatus) : undefined),
      subscribe: (profileId, channel) => {
        watched.push(`${profileId}:${channel}`);
        return Promise.resolve({ name: channel, status: 'subscribed' } as ChannelStatus);
      },
    },
    simulateProfileId: 'demo',
  };
}

describe('ScenariosService', () => {
  it('watches a simulated run’s sessions on the simulate profile’s connection', async () => {
    const watched: string[] = [];
    const service = new ScenariosService(doubles(watched));
    expect(await service.handlers['scenarios.start']({ name: 'crash', mode: 'simulate' }, {})).toEqual(run);
    expect(watched).toEqual(['demo:private-ai.s1']);
  });

  it('watches nothing when that profile is not connected, and answers not_found without a runner', async () => {
    const watched: string[] = [];
    const service = new ScenariosService({ ...doubles(watched), simulateProfileId: 'elsewhere' });
    await service.handlers['scenarios.start']({ name: 'crash', mode: 'simulate' }, {});
    expect(watched).toEqual([]);
    const none = new ScenariosService({ ...doubles(watched), runner: undefined });
    expect(() => none.handlers['scenarios.list']({}, {})).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});
