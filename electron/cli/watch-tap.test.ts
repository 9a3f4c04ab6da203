import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/analysis';
import { parseNdjsonJournal } from '../../shared/journal';
import { startMockServer } from '../mock';
import { redisUnavailableReason, startRedis } from '../../test-support/peers/redis';
import { RedisClient } from '../../test-support/peers/resp';
import { runCli } from './main';

/**
 * `echoscope watch --tap`: a real redis-server (a port the test picks) is the app's Redis, and the
 * test publishes to it exactly as Laravel's RedisBroadcaster does (`{prefix}{channel}`,
 * `{event, data, socket}`); with a connection, the client side is our mock provider, fed with the
 * official SDK. What the tap and the client each got is what the test sent each of them.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const chunk = (session: string, sequence: number, last: number) => ({
  session_id: session,
  chunk: sequence === last ? '' : `t${sequence} `,
  sequence,
  state: sequence === last ? 'completed' : 'generating',
  termination_code: sequence === last ? 'end_turn' : null,
});

function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  const running = runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), stopSignal });
  return { out, err, running, stop: () => stop('SIGINT') };
}

/** Waits (bounded) until the journal file holds `count` frames of `connection`. */
async function journalFrames(file: string, connection: string, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const frames = text.split('\n').filter((line) => line.includes('"type":"frame"') && line.includes(`"connection":"${connection}"`)).length;
    if (frames >= count) return;
    if (Date.now() > deadline) throw new Error(`the journal holds ${frames} of ${count} frames of ${connection}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const reason = redisUnavailableReason();
if (reason) console.log(`[watch --tap] skipped: ${reason}`);

describe.skipIf(reason !== null)('echoscope watch --tap', () => {
  it('with a connection: the verdict JSON and the table say what a client did not get of what was published; the journal keeps the tap as its own vantage', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const mock = await startMockServer({ port: 0 });
    cleanups.push(() => mock.close());
    const app = mock.apps[0]!;
    const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-tap-')), 'run.ndjson');
    const w = run([
      'watch',
      ...['--url', `ws://${mock.host}:${mock.port}`, '--key', app.key, '--secret', app.secret, '--channel', 'private-ai.t1'],
      ...['--tap', redis.url, '--journal', journal, '--json'],
    ]);
    // Published (the tap reads Redis): #1–#9 and the terminal #10. Delivered to the client: all but #4 and #5.
    const publisher = await RedisClient.connect(redis.port);
    cleanups.push(() => publisher.close());
    const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: mock.host, port: String(mock.port), useTLS: false });
    await journalFramesOrSubscribed(journal);
    for (let s = 1; s <= 10; s++) {
      await publisher.command('PUBLISH', 'laravel_database_private-ai.t1', JSON.stringify({ event: 'chunk.delivered', data: chunk('t1', s, 10), socket: null }));
      if (s !== 4 && s !== 5) await sdk.trigger('private-ai.t1', 'chunk.delivered', chunk('t1', s, 10));
    }
    await journalFrames(journal, 'watch:tap', 10);
    await journalFrames(journal, 'watch', 8 + 1); // + pusher_internal:subscription_succeeded
    w.stop();
    expect(await w.running).toBe(0);
    const verdict = JSON.parse(w.out.join('\n')) as Verdict;
    const tap = verdict.sessions.find((s) => s.connection === 'watch:tap')!;
    const client = verdict.sessions.find((s) => s.connection === 'watch')!;
    expect(tap).toMatchObject({ tap: 'laravel', events: 10, status: 'completed', deliveryLoss: 0 });
    expect(client).toMatchObject({
      events: 8,
      deliveryLoss: 2,
      published: { taps: ['watch:tap'], notDelivered: [{ from: 4, to: 5 }], notDeliveredCount: 2, notPublishedCount: 0 },
    });

    // the journal: the tap's records carry `tap`, and analyze reads the same comparison from it
    const records = parseNdjsonJournal(readFileSync(journal, 'utf8')).records;
    expect(records.find((r) => r.type === 'connection' && r.connection === 'watch:tap' && r.state === 'connected')).toMatchObject({ tap: 'laravel' });
    const analyzed = run(['analyze', journal]);
    expect(await analyzed.running).toBe(0);
    const table = analyzed.out.join('\n');
    expect(table).toMatch(/VANTAGE\s/);
    expect(table).toContain('NOT-DELIVERED');
    expect(table).toMatch(/watch:tap \(tap\)/);
    expect(table).toMatch(/^t1\s+watch\s.*\s2 \(#4-5\)\s+0\s/m);
  }, 60_000);

  it('alone: records and analyzes what was published, on channels nobody subscribed to', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.close());
    const journal = join(mkdtempSync(join(tmpdir(), 'echoscope-tap-')), 'run.ndjson');
    const w = run(['watch', '--tap', redis.url, '--tap-prefix', 'shop-database-', '--journal', journal, '--json', '--progress']);
    await journalFramesOrConnected(journal, 'watch:tap');
    const publisher = await RedisClient.connect(redis.port);
    cleanups.push(() => publisher.close());
    for (let s = 1; s <= 4; s++)
      await publisher.command('PUBLISH', 'shop-database-private-ai.alone', JSON.stringify({ event: 'chunk.delivered', data: chunk('alone', s, 4), socket: null }));
    await journalFrames(journal, 'watch:tap', 4);
    w.stop();
    expect(await w.running).toBe(0);
    const verdict = JSON.parse(w.out.join('\n')) as Verdict;
    expect(verdict.sessions).toHaveLength(1);
    expect(verdict.sessions[0]).toMatchObject({
      sessionId: 'alone',
      channel: 'private-ai.alone',
      connection: 'watch:tap',
      tap: 'laravel',
      events: 4,
      status: 'completed',
      text: 't1 t2 t3 ',
    });
    expect(w.err.join('\n')).toContain(`tap reading: PSUBSCRIBE shop-database-* on ${redis.url}`);
  }, 60_000);

  it('a Redis that does not answer within --connect-timeout: exit 1 saying where it looked and why', async () => {
    const redis = await startRedis();
    await redis.close();
    const w = run(['watch', '--tap', redis.url, '--connect-timeout', '1s', '--quiet']);
    expect(await w.running).toBe(1);
    expect(w.err.join('\n')).toMatch(new RegExp(`no connection to Redis at ${redis.url.replace(/[.]/g, '\\.')} within 1s: .*ECONNREFUSED.*Is Redis running there\\?`));
  }, 30_000);
});

describe('echoscope watch --tap: bad options', () => {
  it.each([
    [['--tap', 'http://127.0.0.1:6379'], '--tap: not a Redis URL: use redis://[user:password@]host[:port][/db] (rediss:// for TLS)'],
    [['--tap', 'redis://127.0.0.1', '--tap-format', 'pusher'], '--tap-format must be laravel or reverb, got "pusher"'],
    [['--tap', 'redis://127.0.0.1', '--channel', 'private-ai.x'], '--channel needs a connection (--url and --key): a tap alone reads every channel without subscribing'],
    [['--tap-app-id', 'a'], '--tap-app-id needs --tap redis://host:port'],
    [['--tap', 'redis://127.0.0.1', '--tap-app-id', 'a'], '--tap-app-id is for --tap-format reverb (a scaling channel carries every app)'],
  ])('%j is refused with exit 2: %s', async (args, message) => {
    const w = run(['watch', ...args]);
    expect(await w.running).toBe(2);
    expect(w.err.join('\n')).toContain(message);
  });
});

/** Waits (bounded) until the journal says the watch's connection is subscribed and its tap connected. */
async function journalFramesOrSubscribed(file: string): Promise<void> {
  await journalFramesOrConnected(file, 'watch:tap');
  const deadline = Date.now() + 15_000;
  while (!(existsSync(file) && readFileSync(file, 'utf8').includes('"type":"subscription","at"') && readFileSync(file, 'utf8').includes('"status":"subscribed"'))) {
    if (Date.now() > deadline) throw new Error('the watch did not subscribe');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function journalFramesOrConnected(file: string, connection: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  const connected = () =>
    existsSync(file) &&
    readFileSync(file, 'utf8')
      .split('\n')
      .some((line) => line.includes(`"connection":"${connection}"`) && line.includes('"state":"connected"'));
  while (!connected()) {
    if (Date.now() > deadline) throw new Error(`${connection} did not connect`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
