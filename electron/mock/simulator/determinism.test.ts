import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../shared/scenario';
import { BUILTIN_SCENARIOS } from '../scenarios';
import { planSession } from './plan';
import { splitTokens } from './tokenizer';
import { SeededRandom } from '../../../shared/scenario';
import { ScenarioRun } from './simulator';
import { GenerationStore } from '../generations';
import { EventScheduler } from './scheduler';
import { VirtualClock } from '../../../test-support/virtual-clock';
import type { SimulatorTarget } from './target';

/** A server double and the virtual clock: the whole run plays in virtual time, no sockets, no sleeps. */
function virtualTarget(): { target: SimulatorTarget; published: string[] } {
  const published: string[] = [];
  const target: SimulatorTarget = {
    generations: new GenerationStore(),
    publish: (r) => {
      published.push(`${r.channel ?? ''} ${r.event} ${String(r.data)}`);
      return 1;
    },
    subscriberCount: () => 1,
    onSubscribed: () => () => undefined,
    closeConnections: () => 1,
    silencePings: () => 1,
  };
  return { target, published };
}

describe('determinism', () => {
  it('the same scenario and seed give the same ground truth (every built-in scenario)', () => {
    for (const input of BUILTIN_SCENARIOS) {
      const scenario = parseScenario(input);
      const truth = () => scenario.sessions.flatMap((_, g) => planSession(scenario, g, `${scenario.name}-x`, 0).truth);
      expect(truth()).toEqual(truth());
    }
  });

  it.each(['mixed-fleet', 'laravel-ai-crash-retry', 'prism-stream'])('a whole run in virtual time publishes the same bytes twice; another seed changes them (%s)', (name) => {
    const play = (seed: number) => {
      const clock = new VirtualClock(1_700_000_000_000);
      const { target, published } = virtualTarget();
      const scenario = parseScenario({ ...BUILTIN_SCENARIOS.find((s) => s.name === name)!, seed });
      const run = new ScenarioRun(target, scenario, { scheduler: new EventScheduler(clock) });
      clock.runUntil(() => run.progress().finished);
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
