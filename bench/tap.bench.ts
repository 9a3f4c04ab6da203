import { TapSettingsSchema } from '../shared/api';
import { Analyzer } from '../shared/analysis';
import { preciseNow } from '../electron/core/clock';
import { RedisTap } from '../electron/core/taps';
import { startRedis } from '../test-support/peers/redis';
import { RedisClient } from '../test-support/peers/resp';
import type { BenchResult } from './types';
import { spawn } from 'node:child_process';

/**
 * Tap throughput (issue 20): events per second the tap reads from Redis and the analyzer ingests,
 * against a bare RESP subscriber (`PSUBSCRIBE` and count, as redis-benchmark's subscriber does)
 * receiving the same messages, published the same way, in the same run, on a real redis-server.
 * Each run publishes MESSAGES Laravel-shaped broadcasts (`{event, data, socket}`) over SESSIONS
 * channels, pipelined from one connection.
 */

const MESSAGES = 50_000;
const SESSIONS = 100;
const PREFIX = 'laravel_database_';

/**
 * The publisher runs in a process of its own (its CPU is not the subscriber's): it writes every
 * PUBLISH as one pipelined RESP buffer and exits once Redis answered them all.
 */
const PUBLISHER = `
const net = require('node:net');
const [port, count, sessions, prefix] = process.argv.slice(1);
const parts = [];
for (let i = 0; i < Number(count); i++) {
  const session = 'b' + (i % Number(sessions));
  const sequence = Math.floor(i / Number(sessions)) + 1;
  const data = { session_id: session, chunk: ' token' + sequence, sequence, state: 'generating', termination_code: null, socket: null };
  const args = ['PUBLISH', prefix + 'private-ai.' + session, JSON.stringify({ event: 'chunk.delivered', data, socket: null })];
  parts.push('*' + args.length + '\\r\\n' + args.map((a) => '$' + Buffer.byteLength(a) + '\\r\\n' + a + '\\r\\n').join(''));
}
const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(parts.join('')));
let replies = 0;
socket.on('data', (chunk) => {
  for (const byte of chunk) if (byte === 10) replies++;
  if (replies >= Number(count)) socket.end(() => process.exit(0));
});
`;

interface Run {
  eventsPerSecond: number;
  /** This process's CPU (user + system) per event received, µs. */
  cpuUsPerEvent: number;
}

/** From the publisher's start to the last message the consumer got; the publisher is a child process. */
async function measure(port: number, subscribe: (onEvent: () => void) => Promise<() => void>): Promise<Run> {
  let received = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const stop = await subscribe(() => {
    if (++received === MESSAGES) done();
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const publisher = spawn(process.execPath, ['-e', PUBLISHER, String(port), String(MESSAGES), String(SESSIONS), PREFIX], { stdio: 'ignore' });
  await all;
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await new Promise<void>((resolve) => (publisher.exitCode !== null ? resolve() : publisher.once('exit', () => resolve())));
  stop();
  return { eventsPerSecond: MESSAGES / seconds, cpuUsPerEvent: (used.user + used.system) / MESSAGES };
}

export async function run(): Promise<BenchResult[]> {
  const redis = await startRedis();
  try {
    const raw = () =>
      measure(redis.port, async (onEvent) => {
        const client = await RedisClient.connect(redis.port);
        await client.psubscribe(`${PREFIX}*`, () => onEvent());
        return () => client.close();
      });
    const tapped = () =>
      measure(redis.port, async (onEvent) => {
        const analyzer = new Analyzer();
        let ready: () => void = () => undefined;
        const connected = new Promise<void>((resolve) => (ready = resolve));
        const tap = new RedisTap(
          'bench:tap',
          TapSettingsSchema.parse({ url: redis.url, prefix: PREFIX }),
          {
            record: (record) => {
              if (analyzer.ingest(record) !== undefined) onEvent();
            },
            status: (status) => {
              if (status.state === 'connected') ready();
            },
          },
          preciseNow,
        );
        tap.start();
        await connected;
        return () => tap.stop();
      });
    // Warm both paths once, then measure each twice, alternating, and keep the better run of each.
    await raw();
    await tapped();
    const rawRuns: Run[] = [];
    const tapRuns: Run[] = [];
    for (let i = 0; i < 2; i++) {
      rawRuns.push(await raw());
      tapRuns.push(await tapped());
    }
    const best = (runs: Run[]) => runs.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
    const baseline = best(rawRuns);
    const value = best(tapRuns);
    const setup = `${MESSAGES} Laravel-shaped broadcasts over ${SESSIONS} channels, pipelined by a publisher process to a local redis-server`;
    return [
      {
        suite: 'tap',
        name: 'events/s read from Redis and analyzed',
        value: value.eventsPerSecond,
        unit: 'events/s',
        baseline: 'bare PSUBSCRIBE subscriber',
        baselineValue: baseline.eventsPerSecond,
        ratio: value.eventsPerSecond / baseline.eventsPerSecond,
        note: `${setup}; ratio = tap (ioredis + journal records + Analyzer.ingest) ÷ a bare RESP subscriber that only counts`,
      },
      {
        suite: 'tap',
        name: 'subscriber CPU per event',
        value: value.cpuUsPerEvent,
        unit: 'µs',
        baseline: 'bare PSUBSCRIBE subscriber',
        baselineValue: baseline.cpuUsPerEvent,
        ratio: value.cpuUsPerEvent / baseline.cpuUsPerEvent,
        note: `${setup}; this process's CPU (the publisher's is not in it) per event received; ratio = tap ÷ bare subscriber`,
      },
    ];
  } finally {
    await redis.close();
  }
}
