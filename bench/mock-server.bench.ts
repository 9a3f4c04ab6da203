/**
 * Mock provider vs soketi: fan-out of small events to many subscribers on loopback, with the
 * same load generator for both (this process: `ws` subscribers, HTTP API publisher with
 * batch_events). Each server runs in its own process.
 *
 *   node --import tsx bench/mock-server.bench.ts
 *
 * 1. Saturation: 10 channels × 100 subscribers, a closed loop of batch requests; deliveries/s.
 * 2. Fixed rate: 1,000 channels × 1 subscriber × 20 events/s; p50/p99 delivery latency
 *    (HTTP request sent → frame received).
 */
import { pathToFileURL } from 'node:url';
import { APP, Publisher, publishAtRate, startOurs, subscribe, until, type Target } from './load';
import { soketiUnavailableReason, startSoketi } from '../test-support/peers/soketi';
import type { BenchResult } from './types';

async function serveMock(): Promise<void> {
  const { startMockServer } = await import('../electron/mock/index');
  const server = await startMockServer({ apps: [APP], limits: { maxConnections: 100_000 } });
  process.stdout.write(`${JSON.stringify({ event: 'listening', host: server.host, port: server.port })}\n`);
  process.once('SIGTERM', () => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

/** Closed loop: `concurrency` batch requests always in flight for `durationMs`; deliveries/s. */
async function saturation(target: Target): Promise<number> {
  const channels = 10;
  const perChannel = 100;
  const subs = await subscribe(target, channels, perChannel);
  const publisher = new Publisher(target);
  let delivered = 0;
  let lastDeliveryAt = 0;
  subs.onDelivery(() => {
    delivered += 1;
    lastDeliveryAt = performance.now();
  });
  const names = Array.from({ length: channels }, (_, c) => `bench-${c}`);
  let sentEvents = 0;
  const started = performance.now();
  const durationMs = 3000;
  const loop = async (): Promise<void> => {
    while (performance.now() - started < durationMs) {
      await publisher.batch(names);
      sentEvents += names.length;
    }
  };
  await Promise.all(Array.from({ length: 8 }, loop));
  await until(() => delivered >= sentEvents * perChannel, 5000);
  const seconds = (lastDeliveryAt - started) / 1000;
  publisher.close();
  subs.close();
  return delivered / seconds;
}

/** Open loop at a fixed event rate; returns delivery latency percentiles in ms. */
async function fixedRate(target: Target, ratePerChannel: number): Promise<Latency> {
  const channels = 1000;
  const subs = await subscribe(target, channels, 1);
  const publisher = new Publisher(target);
  const latencies: number[] = [];
  subs.onDelivery((sentAt) => latencies.push(performance.now() - sentAt));
  const names = Array.from({ length: channels }, (_, c) => `bench-${c}`);
  const eventsPerSecond = channels * ratePerChannel;
  const durationMs = 2000;
  const sent = await publishAtRate(publisher, names, eventsPerSecond, durationMs);
  await until(() => latencies.length >= sent, 5000);
  publisher.close();
  subs.close();
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { p50: pick(0.5), p99: pick(0.99), lost: sent - latencies.length, events: sent };
}

interface Latency {
  p50: number;
  p99: number;
  lost: number;
  events: number;
}

interface Figures {
  deliveriesPerSecond: number;
  /** 20 events/s per channel (20,000/s): near saturation on a small machine. */
  loaded: Latency;
  /** 2 events/s per channel (2,000/s): latency without queueing. */
  light: Latency;
}

async function measure(target: Target): Promise<Figures> {
  try {
    const deliveriesPerSecond = await saturation(target);
    const loaded = await fixedRate(target, 20);
    const light = await fixedRate(target, 2);
    return { deliveriesPerSecond, loaded, light };
  } finally {
    await target.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const missing = soketiUnavailableReason();
  const startPeer = async (): Promise<Target> => {
    const soketi = await startSoketi({ app: APP, extraEnv: { SOKETI_DEFAULT_APP_MAX_CONNS: '-1', SOKETI_EVENT_MAX_BATCH_SIZE: '10' } });
    return { name: 'soketi', host: soketi.host, port: soketi.port, close: () => soketi.close() };
  };
  // Two rounds, interleaved, best of each: the machine is shared, so one round can be noisy.
  const oursRounds: Figures[] = [];
  const peerRounds: Figures[] = [];
  for (let round = 0; round < 2; round += 1) {
    oursRounds.push(await measure(await startOurs()));
    if (!missing) peerRounds.push(await measure(await startPeer()));
  }
  const ours = best(oursRounds);
  const peer = missing ? null : best(peerRounds);
  const peerName = missing ? 'none' : 'soketi 1.6.1';
  const note = missing ? `soketi not run: ${missing}` : undefined;
  const compare = (name: string, unit: string, value: number, baselineValue: number | undefined, goal: string, extra?: string): BenchResult => ({
    suite: 'mock-server',
    name,
    value: round(value),
    unit,
    baseline: peerName,
    baselineValue: baselineValue === undefined ? 0 : round(baselineValue),
    ratio: baselineValue ? round(value / baselineValue, 3) : 0,
    goal,
    ...(note || extra ? { note: [note, extra].filter(Boolean).join('; ') } : {}),
  });
  const latencyResult = (rate: number, mine: Latency, theirs: Latency | undefined): BenchResult =>
    compare(
      `p99 delivery latency at 1,000 channels x 1 subscriber x ${rate} events/s`,
      'ms',
      mine.p99,
      theirs?.p99,
      '<= 1.0 (no slower than soketi)',
      `p50 ours ${round(mine.p50)} ms${theirs ? `, soketi ${round(theirs.p50)} ms` : ''}; lost ours ${mine.lost}/${mine.events}${theirs ? `, soketi ${theirs.lost}/${theirs.events}` : ''}`,
    );
  return [
    compare(
      'fan-out deliveries/s at saturation (10 channels x 100 subscribers, batch_events)',
      'deliveries/s',
      ours.deliveriesPerSecond,
      peer?.deliveriesPerSecond,
      '>= 1.0 (at least as fast as soketi)',
    ),
    latencyResult(20, ours.loaded, peer?.loaded),
    latencyResult(2, ours.light, peer?.light),
  ];
}

function best(rounds: Figures[]): Figures {
  const byP99 = (pick: (f: Figures) => Latency): Latency => rounds.map(pick).sort((a, b) => a.p99 - b.p99)[0]!;
  return {
    deliveriesPerSecond: Math.max(...rounds.map((f) => f.deliveriesPerSecond)),
    loaded: byP99((f) => f.loaded),
    light: byP99((f) => f.light),
  };
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  if (process.argv.includes('--serve-mock')) {
    await serveMock();
  } else {
    const results = await run();
    for (const r of results) {
      console.log(`${r.name}\n  ours ${r.value} ${r.unit} | ${r.baseline} ${r.baselineValue} ${r.unit} | ratio ${r.ratio} (goal ${r.goal ?? '-'})${r.note ? `\n  ${r.note}` : ''}`);
    }
  }
}
