import Pusher from 'pusher-js';
import { analyzeJournal } from '../shared/analysis/index';
import type { AnalyzerOptions, Verdict } from '../shared/analysis/index';
import type { JournalRecord } from '../shared/journal/index';
import type { Scenario } from '../shared/scenario/index';
import type { MockServer } from '../electron/mock/server';
import { signChannel } from '../electron/mock/signature';
import { startScenario, type ScenarioRun, type SimulatorOptions } from '../electron/mock/simulator/simulator';

/**
 * A real pusher-js client that watches a scenario on the mock provider and journals what it
 * received, stamped on arrival: the simulator's own tests use it to prove each fault's effect is
 * visible to a real client (EchoScope's `check` does the same through the ConnectionHub).
 */

export interface PusherClientOptions {
  activityTimeout?: number;
  pongTimeout?: number;
}

export interface Observation {
  run: ScenarioRun;
  records: JournalRecord[];
  verdict: Verdict;
  /** Chunk-event payloads received per channel, in arrival order. */
  received: Map<string, unknown[]>;
  client: Pusher;
}

const now = (): number => performance.timeOrigin + performance.now();

export async function observeScenario(
  server: MockServer,
  scenario: Scenario,
  options: { client?: PusherClientOptions; simulator?: SimulatorOptions; analyzer?: AnalyzerOptions; timeoutMs?: number } = {},
): Promise<Observation> {
  const app = server.apps[0]!;
  const records: JournalRecord[] = [];
  const received = new Map<string, unknown[]>();
  const client = new Pusher(app.key, {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    ...options.client,
    channelAuthorization: {
      endpoint: '',
      transport: 'ajax',
      customHandler: (params, callback) => callback(null, { auth: signChannel(app.key, app.secret, params.socketId, params.channelName) }),
    },
  });
  let watching = true;
  client.connection.bind('state_change', (change: { current: string }) => {
    if (['connecting', 'connected', 'unavailable', 'disconnected', 'failed'].includes(change.current)) {
      records.push({ type: 'connection', at: now(), connection: 'c1', state: change.current as 'connected' });
    }
    // A fatal close (4000–4099) stops pusher-js for good; a watcher that wants the rest of the stream reconnects.
    if (change.current === 'disconnected' && watching) setTimeout(() => client.connect(), 0);
  });
  client.connection.bind('message', (message: { event: string; channel?: string; data?: unknown }) => {
    const at = now();
    if (message.event === 'pusher_internal:subscription_succeeded' && message.channel) {
      records.push({ type: 'subscription', at, connection: 'c1', channel: message.channel, status: 'subscribed' });
    }
    records.push({ type: 'frame', at, connection: 'c1', ...(message.channel ? { channel: message.channel } : {}), event: message.event, data: message.data });
    if (message.event === scenario.event && message.channel) {
      const list = received.get(message.channel) ?? [];
      list.push(message.data);
      received.set(message.channel, list);
    }
  });
  const run = startScenario(server, scenario, options.simulator);
  const deadline = options.timeoutMs ?? 15_000;
  let verdict: Verdict;
  try {
    await Promise.all(
      run.truth.sessions.map(
        (session) =>
          new Promise<void>((resolve, reject) => {
            const channel = client.subscribe(session.channel);
            channel.bind('pusher:subscription_succeeded', () => resolve());
            channel.bind('pusher:subscription_error', (error: unknown) => reject(new Error(`subscription to ${session.channel} failed: ${JSON.stringify(error)}`)));
          }),
      ),
    );
    await withTimeout(run.done, deadline, 'the scenario to finish');
    // Every published event must have arrived before the journal is judged.
    await until(() => run.truth.sessions.every((s) => (received.get(s.channel)?.length ?? 0) >= run.publishedOn(s.channel)), deadline, 'every published event to arrive');
    verdict = analyzeJournal(records, { ...options.analyzer, endMs: now() });
  } finally {
    watching = false;
    client.disconnect();
  }
  return { run, records, verdict, received, client };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}
