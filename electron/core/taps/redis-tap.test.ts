/**
 * The Redis tap against a real redis-server (Debian's, on a port the test picks), fed by the
 * server side's own publishers: Laravel's RedisBroadcaster run by PHP (Debian's framework) and
 * Reverb's scaling envelope built and published by PHP (test-support/peers/php/publish.php; Reverb
 * itself cannot be installed here, so its Application class is a stand-in with its name and
 * properties — said there). Each expected frame is what the test published.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TapSettingsSchema, type TapSettingsInput, type TapStatus } from '../../../shared/api';
import { analyzeJournal } from '../../../shared/analysis';
import { CLIENT_CLOSE_REASON, type FrameRecord, type JournalRecord } from '../../../shared/journal';
import { preciseNow } from '../clock';
import { phpPublisherUnavailableReason, publishWithPhp } from '../../../test-support/peers/php-publisher';
import { redisUnavailableReason, startRedis, type RedisServer } from '../../../test-support/peers/redis';
import { RedisClient } from '../../../test-support/peers/resp';
import { RedisTap } from './redis-tap';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A tap on `redis` with what it journals and says, and a wait for either (bounded). */
function tapOn(redis: RedisServer, settings: Omit<TapSettingsInput, 'url'>) {
  const records: JournalRecord[] = [];
  let status: TapStatus | undefined;
  let wake = () => undefined as void;
  const tap = new RedisTap(
    'app:tap',
    TapSettingsSchema.parse({ url: redis.url, ...settings }),
    { record: (r) => (records.push(r), wake()), status: (s) => ((status = s), wake()) },
    preciseNow,
  );
  cleanups.push(() => tap.stop());
  const until = (done: () => boolean, what: string, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; status ${JSON.stringify(status)}`)), timeoutMs);
      wake = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        }
      };
      wake();
    });
  const frames = () => records.filter((r): r is FrameRecord => r.type === 'frame');
  tap.start();
  return { tap, records, frames, until, status: () => status };
}

const redisReason = redisUnavailableReason();
const phpReason = phpPublisherUnavailableReason();
if (redisReason) console.log(`[taps] skipped: ${redisReason}`);
if (phpReason) console.log(`[taps] PHP publisher tests skipped: ${phpReason}`);

describe.skipIf(redisReason !== null)('the Redis tap', () => {
  it.skipIf(phpReason !== null)(
    "reads Laravel's redis broadcaster under the app's prefix: every channel, none subscribed, each event a frame of the tap's vantage",
    async () => {
      const redis = await startRedis();
      cleanups.push(() => redis.close());
      const t = tapOn(redis, { format: 'laravel', prefix: 'laravel_database_' });
      await t.until(() => t.status()?.state === 'connected', 'the tap to subscribe');
      expect(t.status()!.watching).toBe('PSUBSCRIBE laravel_database_*');
      const chunk = (sequence: number, state = 'generating') => ({
        session_id: 's1',
        chunk: state === 'generating' ? `t${sequence}` : '',
        sequence,
        state,
        termination_code: state === 'generating' ? null : 'end_turn',
      });
      publishWithPhp({
        host: redis.host,
        port: redis.port,
        prefix: 'laravel_database_',
        laravel: [
          { channels: ['private-ai.s1'], event: 'chunk.delivered', payload: chunk(1) },
          { channels: ['private-ai.s1'], event: 'chunk.delivered', payload: chunk(2) },
          // one broadcast on two channels is one publish per channel
          { channels: ['private-ai.s1', 'audit'], event: 'chunk.delivered', payload: chunk(3, 'completed') },
        ],
      });
      await t.until(() => t.frames().length === 4, 'four frames');
      expect(t.frames().map(({ at: _at, ...rest }) => rest)).toEqual([
        { type: 'frame', connection: 'app:tap', tap: 'laravel', channel: 'private-ai.s1', event: 'chunk.delivered', data: chunk(1) },
        { type: 'frame', connection: 'app:tap', tap: 'laravel', channel: 'private-ai.s1', event: 'chunk.delivered', data: chunk(2) },
        { type: 'frame', connection: 'app:tap', tap: 'laravel', channel: 'private-ai.s1', event: 'chunk.delivered', data: chunk(3, 'completed') },
        { type: 'frame', connection: 'app:tap', tap: 'laravel', channel: 'audit', event: 'chunk.delivered', data: chunk(3, 'completed') },
      ]);
      const [session] = analyzeJournal(t.records).sessions;
      expect(session).toMatchObject({ sessionId: 's1', connection: 'app:tap', tap: 'laravel', events: 3, status: 'completed', missing: 0, text: 't1t2' });
    },
    60_000,
  );

  it('a message it cannot read is counted and said, never journaled; channels outside the prefix are not its', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const t = tapOn(redis, { format: 'laravel', prefix: 'laravel_database_' });
    await t.until(() => t.status()?.state === 'connected', 'the tap to subscribe');
    const publisher = await RedisClient.connect(redis.port);
    cleanups.push(() => publisher.close());
    await publisher.command('PUBLISH', 'laravel_database_private-ai.x', 'not json');
    await publisher.command('PUBLISH', 'laravel_database_private-ai.x', '{"data":{}}');
    await publisher.command('PUBLISH', 'other_private-ai.x', JSON.stringify({ event: 'e', data: {}, socket: null }));
    await publisher.command('PUBLISH', 'laravel_database_private-ai.x', JSON.stringify({ event: 'e', data: { n: 1 }, socket: '12.34' }));
    await t.until(() => t.frames().length === 1, 'the readable frame');
    expect(t.frames()[0]).toMatchObject({ channel: 'private-ai.x', event: 'e', data: { n: 1 }, exceptSocketId: '12.34' });
    expect(t.tap.status()).toMatchObject({ events: 1, ignored: 2, firstIgnored: 'not a JSON object on "laravel_database_private-ai.x": "not json"' });
  }, 60_000);

  it.skipIf(phpReason !== null)(
    "reads Reverb's scaling channel: broadcasts of one app per channel, client events with the socket left out; Reverb's own messages and other apps' ignored",
    async () => {
      const redis = await startRedis();
      cleanups.push(() => redis.close());
      const t = tapOn(redis, { format: 'reverb', channel: 'reverb', appId: 'app-1' });
      await t.until(() => t.status()?.state === 'connected', 'the tap to subscribe');
      expect(t.status()!.watching).toBe('SUBSCRIBE reverb');
      const app = { id: 'app-1', key: 'key-1', secret: 'secret-1' };
      const data = { session_id: 'r1', chunk: 'Hi', sequence: 1, state: 'generating', termination_code: null };
      publishWithPhp({
        host: redis.host,
        port: redis.port,
        reverb: {
          channel: 'reverb',
          messages: [
            // what Reverb's HTTP API (POST /apps/{id}/events) publishes: data is the Pusher string
            { app, payload: { event: 'chunk.delivered', channels: ['private-ai.r1', 'private-ai.r1-copy'], data: JSON.stringify(data) } },
            { app: { id: 'app-2', key: 'k', secret: 's' }, payload: { event: 'chunk.delivered', channels: ['private-ai.r2'], data: '{}' } },
            { app, type: 'metrics', payload: { type: 'connections' } },
            // a whisper: one channel, its sender's socket left out; data that is not JSON stays a string
            { app, payload: { event: 'client-typing', channel: 'private-ai.r1', data: 'typing…' }, socket_id: '123.456' },
          ],
        },
      });
      await t.until(() => t.frames().length === 3 && t.tap.status().ignored === 2, 'three frames and two ignored messages');
      expect(t.frames().map(({ at: _at, ...rest }) => rest)).toEqual([
        { type: 'frame', connection: 'app:tap', tap: 'reverb', channel: 'private-ai.r1', event: 'chunk.delivered', data },
        { type: 'frame', connection: 'app:tap', tap: 'reverb', channel: 'private-ai.r1-copy', event: 'chunk.delivered', data },
        { type: 'frame', connection: 'app:tap', tap: 'reverb', channel: 'private-ai.r1', event: 'client-typing', data: 'typing…', exceptSocketId: '123.456' },
      ]);
      expect(t.tap.status().firstIgnored).toBe('a message of Reverb app "app-2", not "app-1"');
    },
    60_000,
  );

  it('Redis going away is a drop of the tap; it subscribes again by itself and reads on; its own stop is not a drop', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const t = tapOn(redis, { format: 'laravel', prefix: '' });
    await t.until(() => t.status()?.state === 'connected', 'the tap to subscribe');
    await redis.stop();
    await t.until(() => t.status()?.state === 'disconnected', 'the tap to see the drop');
    await redis.restart();
    const connects = () => t.records.filter((r) => r.type === 'connection' && r.state === 'connected').length;
    await t.until(() => connects() === 2, 'the tap to subscribe again', 30_000);
    const publisher = await RedisClient.connect(redis.port);
    cleanups.push(() => publisher.close());
    await publisher.command(
      'PUBLISH',
      'private-ai.after',
      JSON.stringify({ event: 'chunk.delivered', data: { session_id: 'after', chunk: 'x', sequence: 1, state: 'generating', termination_code: null }, socket: null }),
    );
    await t.until(() => t.frames().length === 1, 'the frame after the restart');
    expect(t.frames()[0]!.channel).toBe('private-ai.after');
    t.tap.stop();
    const states = t.records.filter((r) => r.type === 'connection').map((r) => (r.type === 'connection' ? [r.state, r.tap, r.reason === CLIENT_CLOSE_REASON] : []));
    expect(states[0]).toEqual(['connecting', 'laravel', false]);
    expect(states[1]).toEqual(['connected', 'laravel', false]);
    expect(states[2]).toEqual(['disconnected', 'laravel', false]);
    expect(states.at(-1)).toEqual(['disconnected', 'laravel', true]);
  }, 60_000);

  it('a Redis nobody listens on: the tap says why on its status, journals no frame, and keeps trying', async () => {
    const redis = await startRedis();
    await redis.close();
    const t = tapOn(redis, { format: 'laravel' });
    await t.until(() => t.status()?.state === 'unavailable' && t.status()?.error !== undefined, 'the refusal');
    expect(t.status()!.error).toMatch(/ECONNREFUSED/);
    expect(t.frames()).toEqual([]);
  }, 30_000);
});

describe('tap settings', () => {
  it('refuses what is not a Redis URL, saying what one looks like', () => {
    const result = TapSettingsSchema.safeParse({ url: 'http://127.0.0.1:6379' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe('not a Redis URL: use redis://[user:password@]host[:port][/db] (rediss:// for TLS)');
    expect(TapSettingsSchema.parse({ url: 'rediss://user:pw@[::1]:6380/2' })).toEqual({
      url: 'rediss://user:pw@[::1]:6380/2',
      format: 'laravel',
      prefix: 'laravel_database_',
      channel: 'reverb',
    });
  });
});
