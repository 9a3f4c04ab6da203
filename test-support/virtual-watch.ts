import { analyzeJournal, type AnalyzerOptions, type Verdict } from '../shared/analysis';
import type { JournalRecord } from '../shared/journal';
import type { Scenario } from '../shared/scenario';
import { GenerationStore } from '../electron/mock/generations';
import type { PublishRequest } from '../electron/mock/server';
import { ScenarioRun, type SimulatorOptions } from '../electron/mock/simulator/simulator';
import type { SimulatorTarget } from '../electron/mock/simulator/target';
import { VirtualClock } from './virtual-clock';

/**
 * A scenario played in virtual time, no sockets: the simulator publishes to an in-process
 * provider whose one subscriber journals each event the instant it is published, on the same
 * clock. Arrival times are then the simulator's emit times exactly, so a test can assert the
 * gaps, stalls and sweeps a case was built with instead of allowing for a machine's jitter.
 *
 * What needs a real client stays with `observeScenario` (the mock server and pusher-js):
 * connections here are never closed (a disconnect fault finds none to close) and pings are not
 * modelled.
 */
export interface VirtualWatch {
  run: ScenarioRun;
  clock: VirtualClock;
  records: JournalRecord[];
  verdict: Verdict;
  /** Chunk-event payloads per channel, in arrival order (decoded as pusher-js decodes them). */
  received: Map<string, unknown[]>;
  generations: GenerationStore;
}

/** A provider double with one subscriber on every channel, journalling what it receives. */
export function journallingTarget(clock: VirtualClock, event: string): { target: SimulatorTarget; records: JournalRecord[]; received: Map<string, unknown[]> } {
  const records: JournalRecord[] = [{ type: 'connection', at: clock.now(), connection: 'c1', state: 'connected' }];
  const received = new Map<string, unknown[]>();
  const target: SimulatorTarget = {
    generations: new GenerationStore(),
    publish: (request: PublishRequest) => {
      const data = decode(request.data);
      for (const channel of request.channels ?? (request.channel ? [request.channel] : [])) {
        records.push({ type: 'frame', at: clock.now(), connection: 'c1', channel, event: request.event, data });
        if (request.event !== event) continue;
        const list = received.get(channel) ?? [];
        list.push(data);
        received.set(channel, list);
      }
      return 1;
    },
    subscriberCount: () => 1,
    onSubscribed: () => () => undefined,
    closeConnections: () => 0,
    silencePings: () => 0,
  };
  return { target, records, received };
}

/** Plays `scenario` to its end in virtual time and analyzes what the subscriber journalled. */
export function watchInVirtualTime(
  scenario: Scenario,
  options: { clock?: VirtualClock; simulator?: Omit<SimulatorOptions, 'clock' | 'scheduler'>; analyzer?: AnalyzerOptions } = {},
): VirtualWatch {
  const clock = options.clock ?? new VirtualClock(Date.UTC(2026, 11, 2, 10));
  const { target, records, received } = journallingTarget(clock, scenario.event);
  const run = new ScenarioRun(target, scenario, { ...options.simulator, clock });
  for (const session of run.truth.sessions) records.push({ type: 'subscription', at: clock.now(), connection: 'c1', channel: session.channel, status: 'subscribed' });
  clock.runUntil(() => run.progress().finished);
  const verdict = analyzeJournal(records, { ...options.analyzer, endMs: clock.now() });
  return { run, clock, records, verdict, received, generations: target.generations };
}

/** pusher-js hands a listener the parsed JSON when the data parses, else the string. */
function decode(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}
