/**
 * `echoscope mock --scaling`: the option and the config file's `scaling` join the node to a real
 * redis-server's scaling channel; a Redis it cannot reach is exit 1 saying where and why; a loss at
 * run time and the recovery are said on stderr with the count of broadcasts not published; bad
 * options are usage errors.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PusherSdk from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { redisUnavailableReason, startRedis } from '../../test-support/peers/redis';
import { RedisClient } from '../../test-support/peers/resp';
import { runCli } from './main';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** runCli in this process, with its output lines and a wait on them. */
function mock(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const checks = new Set<() => void>();
  const poke = () => [...checks].forEach((check) => check());
  let stop: () => void = () => undefined;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = () => resolve('SIGTERM')));
  const exit = runCli(['mock', ...args], { out: (line) => (out.push(line), poke()), err: (line) => (err.push(line), poke()), stopSignal });
  const until = (done: () => boolean, what: string, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; stderr: ${err.join(' | ')}`)), timeoutMs);
      const check = () => {
        if (!done()) return;
        checks.delete(check);
        clearTimeout(timer);
        resolve();
      };
      checks.add(check);
      check();
    });
  return { out, err, exit, stop, until };
}

const redisReason = redisUnavailableReason();
if (redisReason) console.log(`[mock --scaling] skipped: ${redisReason}`);

describe.skipIf(redisReason !== null)('echoscope mock --scaling', () => {
  it('a Redis it cannot reach: exit 1, saying where it looked and why', async () => {
    const redis = await startRedis();
    await redis.close();
    const run = mock(['--port', '0', '--json', '--scaling', redis.url]);
    expect(await run.exit).toBe(1);
    expect(run.err.join('\n')).toMatch(new RegExp(`could not start: cannot reach the scaling Redis at redis://127\\.0\\.0\\.1:${redis.port}: .*ECONNREFUSED`));
    expect(run.out).toEqual([]);
  }, 30_000);

  it("the config file's channel is the one published on; a Redis lost and back is said with what was not published", async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const dir = await mkdtemp(join(tmpdir(), 'echoscope-scaling-'));
    const config = join(dir, 'mock.json');
    await writeFile(config, JSON.stringify({ scaling: { url: 'redis://127.0.0.1:1', channel: 'fleet-x' } }));
    // --scaling overrides the file's URL; the file's channel stays.
    const run = mock(['--port', '0', '--config', config, '--scaling', redis.url]);
    cleanups.push(async () => (run.stop(), await run.exit));
    await run.until(() => run.out.some((line) => line.startsWith('Press Ctrl+C')), 'the node to start');
    expect(run.out).toContain(`  one node of a fleet: broadcasts go through ${redis.url}, channel fleet-x`);
    const port = Number(/:(\d+)$/.exec(run.out[0]!)![1]);

    const listener = await RedisClient.connect(redis.port);
    cleanups.push(() => listener.close());
    let got: (message: string) => void = () => undefined;
    const first = new Promise<string>((resolve) => (got = resolve));
    await listener.psubscribe('fleet-x', (_channel, message) => got(message));
    const sdk = new PusherSdk({ appId: 'echoscope', key: 'echoscope-key', secret: 'echoscope-secret', host: '127.0.0.1', port: String(port), useTLS: false });
    await sdk.trigger('news', 'hello', { n: 1 });
    expect(JSON.parse(await first)).toMatchObject({ type: 'message', payload: { event: 'hello', channels: ['news'], data: '{"n":1}' } });

    await redis.stop();
    await run.until(() => run.err.some((line) => line.includes('lost the scaling Redis')), 'the loss on stderr');
    await expect(sdk.trigger('news', 'during', { n: 2 })).rejects.toMatchObject({ status: 503 });
    await expect(sdk.trigger('news', 'during', { n: 3 })).rejects.toMatchObject({ status: 503 });
    await redis.restart();
    await run.until(() => run.err.some((line) => line.includes('is back after')), 'the recovery on stderr', 30_000);
    expect(run.err.filter((line) => line.includes('not published: Redis is unreachable'))).toHaveLength(1);
    expect(run.err.at(-1)).toMatch(/the scaling Redis is back after \d+\.\d s; 2 broadcasts were not published meanwhile \(2 in all\)\.$/);
  }, 60_000);
});

describe('echoscope mock --scaling, bad options', () => {
  it('are usage errors (exit 2)', async () => {
    const notRedis = mock(['--port', '0', '--scaling', 'http://127.0.0.1:6379']);
    expect(await notRedis.exit).toBe(2);
    expect(notRedis.err.join('\n')).toContain('not a Redis URL: use redis://[user:password@]host[:port][/db]');
    const channelAlone = mock(['--port', '0', '--scaling-channel', 'reverb']);
    expect(await channelAlone.exit).toBe(2);
    expect(channelAlone.err.join('\n')).toContain('--scaling-channel needs --scaling redis://host:port');
  });
});
