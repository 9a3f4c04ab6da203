import { afterEach, describe, expect, it } from 'vitest';
import { TapSettingsSchema, type ConnectionStatus } from '../../../shared/api';
import { CLIENT_CLOSE_REASON, type JournalRecord } from '../../../shared/journal';
import { redisUnavailableReason, startRedis } from '../../../test-support/peers/redis';
import { ConnectionHub } from './connection-hub';

/** A tap opened alone on the hub (what `watch --tap` does): its status is the profile's, and Disconnect stops it. Real redis-server. */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const reason = redisUnavailableReason();
if (reason) console.log(`[hub taps] skipped: ${reason}`);

describe.skipIf(reason !== null)('a tap alone on the hub', () => {
  it('is listed as its profile with the tap’s state, and disconnecting stops it: no tap on the status, the journal’s last word our own close', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const records: JournalRecord[] = [];
    const statuses: ConnectionStatus[] = [];
    const hub = new ConnectionHub({ record: (r) => records.push(r), status: (s) => statuses.push(s) });
    cleanups.push(() => hub.closeAll());
    hub.openTap('solo', TapSettingsSchema.parse({ url: redis.url }));
    for (const deadline = Date.now() + 15_000; hub.status('solo')?.state !== 'connected';) {
      if (Date.now() > deadline) throw new Error('the tap did not connect');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(hub.list()).toEqual([
      expect.objectContaining({ profileId: 'solo', state: 'connected', channels: [], tap: expect.objectContaining({ connection: 'solo:tap', state: 'connected' }) }),
    ]);
    const stopped = hub.disconnect('solo');
    expect(stopped).toMatchObject({ profileId: 'solo', state: 'disconnected' });
    expect(stopped.tap).toBeUndefined();
    expect(statuses.at(-1)).toEqual(stopped);
    expect(hub.list()).toEqual([]);
    expect(records.at(-1)).toMatchObject({ type: 'connection', connection: 'solo:tap', tap: 'laravel', state: 'disconnected', reason: CLIENT_CLOSE_REASON });
  });
});
