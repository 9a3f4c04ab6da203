import { afterEach, describe, expect, it } from 'vitest';
import { sessionIdsOf } from '../../../shared/scenario';
import { AppService } from '../app';
import { startMockServer, type MockServer } from '../../mock';
import { demoScenario, startDemoFleet, type DemoFleet } from './demo-fleet';

let mock: MockServer | undefined;
let service: AppService | undefined;
let fleet: DemoFleet | undefined;
afterEach(async () => {
  fleet?.stop();
  service?.close();
  await mock?.close();
});

describe('the embedded demo fleet', () => {
  it('gives every wave fresh session ids', () => {
    const ids = (wave: number) => demoScenario(wave, wave).sessions.flatMap((group, i) => sessionIdsOf(`demo-wave-${wave}`, group, i));
    const first = ids(1);
    expect(new Set(first).size).toBe(first.length);
    expect(first.filter((id) => ids(2).includes(id))).toEqual([]);
  });

  it('shows healthy and faulty sessions live within seconds', async () => {
    mock = await startMockServer({ port: 0 });
    const app = mock.apps[0]!;
    service = new AppService({ transport: 'browser', version: 't', monitor: { tickMs: 100 } });
    await service.invoke('profiles.save', {
      id: 'demo',
      name: 'demo',
      kind: 'reverb',
      host: mock.host,
      port: mock.port,
      key: app.key,
      auth: { mode: 'secret', secret: app.secret },
    });
    await service.invoke('connections.connect', { profileId: 'demo' });
    fleet = startDemoFleet({
      mock,
      watch: (channel) => service!.hub.subscribe('demo', channel, 5000),
      unwatch: (channel) => service!.hub.unsubscribe('demo', channel),
      started: (sessionId, at) => service!.monitor.setStart(sessionId, at, 'run'),
    });
    const seen = () => {
      const rows = service!.monitor.list().rows;
      return {
        // the demo knows when each job began: its sessions have a TTFT, from the run
        completed: rows.some((r) => r.status === 'completed' && r.ttftFrom === 'run' && r.ttftMs !== null && r.ttftMs >= 0),
        replay: rows.some((r) => r.replays > 0),
        truncated: rows.some((r) => r.status === 'truncated'),
      };
    };
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo incomplete after 25 s: ${JSON.stringify(seen())}`)), 25_000);
      const off = service!.monitor.onUpdate(() => {
        const now = seen();
        if (now.completed && now.replay && now.truncated) {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    });
  }, 40_000);
});
