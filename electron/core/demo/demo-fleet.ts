import { parseScenario, sessionIdsOf, type Scenario } from '../../../shared/scenario';
import type { MockServer } from '../../mock';
import { startScenario, type ScenarioRun } from '../../mock/simulator';

/**
 * The embedded demo: the generation simulator plays a realistic fleet on the embedded mock, one
 * wave after another, each with fresh session ids — mostly healthy sessions, plus a crash with
 * retry, a truncation, a silent death, a stall, duplicates, reordering and a gap — so a new user
 * sees every kind of trouble live within seconds.
 */
export interface DemoFleetOptions {
  mock: MockServer;
  /** Subscribe the watching connection before a session's first token. */
  watch(channel: string): Promise<unknown>;
  /** Let go of a finished wave's channels (two waves later), so subscriptions stay bounded. */
  unwatch(channel: string): void;
  /** Each session's job began (its known start: the demo's TTFT is measured from it). */
  started?(sessionId: string, at: number): void;
  seed?: number;
  /** A wave that failed (the demo stops there). Default: `console.warn`. */
  onWarning?(message: string): void;
}

export interface DemoFleet {
  stop(): void;
  waves(): number;
}

export function demoScenario(wave: number, seed: number): Scenario {
  const id = (name: string) => `w${wave}-${name}`;
  return parseScenario({
    name: `demo-wave-${wave}`,
    seed,
    timing: { ttftMs: { lognormal: { p50: 350, p95: 1200 } }, interTokenMs: { lognormal: { p50: 45, p95: 140 } } },
    tokens: { lognormal: { p50: 70, p95: 140 } },
    checkpoint: { everyTokens: 40 },
    orphanAfterMs: 20_000,
    sessions: [
      { idPattern: `${id('ok')}-{n}`, count: 6, staggerMs: 900, concurrency: 3 },
      { id: id('crash-retry'), tokens: 90, startMs: 600, faults: [{ kind: 'crash', afterTokens: 35, retry: { backoffMs: 900 } }] },
      { id: id('truncated'), tokens: 120, startMs: 1500, faults: [{ kind: 'truncate', afterTokens: 60 }] },
      { id: id('silent-death'), tokens: 90, startMs: 2200, faults: [{ kind: 'silent-death', afterTokens: 30 }] },
      { id: id('stalled'), tokens: 80, startMs: 2800, faults: [{ kind: 'stall', afterTokens: 25, durationMs: 9500 }] },
      { id: id('duplicates'), tokens: 70, startMs: 3500, faults: [{ kind: 'duplicate', probability: 0.1 }] },
      { id: id('reordered'), tokens: 70, startMs: 4200, faults: [{ kind: 'reorder', sequences: [12, 30], window: 3 }] },
      { id: id('gap'), tokens: 70, startMs: 5000, faults: [{ kind: 'drop', sequences: [20, 21, 22] }] },
      { id: id('errored'), tokens: 70, startMs: 5600, faults: [{ kind: 'error', afterTokens: 40 }] },
    ],
  });
}

export function startDemoFleet(options: DemoFleetOptions): DemoFleet {
  let wave = 0;
  let run: ScenarioRun | undefined;
  let stopped = false;
  const waveChannels: string[][] = [];

  // One wave after another in a loop, so every wave's failure reaches the one handler below.
  const waves = async (): Promise<void> => {
    while (!stopped) {
      wave += 1;
      const scenario = demoScenario(wave, (options.seed ?? 7) + wave);
      const channels = scenario.sessions.flatMap((group, index) => sessionIdsOf(scenario.name, group, index)).map((sessionId) => `${scenario.channelPrefix}${sessionId}`);
      waveChannels.push(channels);
      if (waveChannels.length > 2) for (const channel of waveChannels.shift() ?? []) options.unwatch(channel);
      await Promise.all(channels.map((channel) => options.watch(channel)));
      if (stopped) return;
      run = startScenario(options.mock, scenario, options.started ? { onSessionStart: options.started } : {});
      await run.done;
    }
  };
  waves().catch((error: unknown) => {
    // Stopping the demo may fail the wave in flight: only a failure while it runs is news.
    if (stopped) return;
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    warn(`demo fleet stopped at wave ${wave}: ${error instanceof Error ? error.message : String(error)}`);
  });

  return {
    stop: () => {
      stopped = true;
      run?.stop();
    },
    waves: () => wave,
  };
}
