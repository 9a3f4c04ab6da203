import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../shared/scenario';
import { BUILTIN_SCENARIOS } from '../scenarios';
import { planSession } from './plan';
import { splitTokens } from './tokenizer';
import { SeededRandom } from '../../../shared/scenario';
import { ScenarioRun } from './simulator';
import { GenerationStore } from '../generations';
import { EventScheduler, type SchedulerClock } from './scheduler';
import type { SimulatorTarget } from './target';

/** A server double and a manual clock: the whole run plays in virtual time, no sockets, no sleeps. */
function virtualTarget(): { target: SimulatorTarget; published: string[] } {
  const published: string[] = [];
  const target: SimulatorTarget = {
    generations: new GenerationStore(),
    publish: (r) => {
      published.push(`${r.channel ?? ''} ${String(r.data)}`);
      return 1;
    },
    subscriberCount: () => 1,
    onSubscribed: () => () => undefined,
    closeConnections: () => 1,
    silencePings: () => 1,
  };
  return { target, published };
}

class ManualClock implements SchedulerClock {
  time = 1_700_000_000_000;
  private timers: { at: number; callback: () => void }[] = [];
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const timer = { at: this.time + delayMs, callback };
    this.timers.push(timer);
    return timer;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }
  /** Advances to each timer in turn until none is left. */
  runAll(limit = 1_000_000): void {
    for (let i = 0; i < limit && this.timers.length > 0; i++) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift()!;
      this.time = Math.max(this.time, next.at);
      next.callback();
    }
  }
}

describe('determinism', () => {
  it('the same scenario and seed give the same ground truth (every built-in scenario)', () => {
    for (const input of BUILTIN_SCENARIOS) {
      const scenario = parseScenario(input);
      const truth = () => scenario.sessions.flatMap((_, g) => planSession(scenario, g, `${scenario.name}-x`, 0).truth);
      expect(truth()).toEqual(truth());
    }
  });

  it('a whole run in virtual time publishes the same bytes twice; another seed changes them', () => {
    const play = (seed: number) => {
      const clock = new ManualClock();
      const { target, published } = virtualTarget();
      const scenario = parseScenario({ ...BUILTIN_SCENARIOS.find((s) => s.name === 'mixed-fleet')!, seed });
      const run = new ScenarioRun(target, scenario, { scheduler: new EventScheduler(clock) });
      clock.runAll();
      // emitted_at is the (virtual) send time, so even the payloads repeat exactly.
      return { truth: JSON.stringify(run.truth), published, records: target.generations.list(), done: run.progress().finished };
    };
    const a = play(11);
    const b = play(11);
    expect(a.done).toBe(true);
    expect(b).toEqual(a);
    expect(play(12).truth).not.toEqual(a.truth);
  });

  it('splits text like an LLM: leading spaces, punctuation apart, long words in pieces', () => {
    const tokens = splitTokens('Hello, reconciliation works.', new SeededRandom(3));
    expect(tokens.join('')).toBe('Hello, reconciliation works.');
    expect(tokens.slice(0, 2)).toEqual(['Hello', ',']);
    expect(tokens.filter((t) => t.trim().length > 0 && /^[ a-z]+$/i.test(t)).length).toBeGreaterThan(4);
  });
});
