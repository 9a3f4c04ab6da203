import { describe, expect, it } from 'vitest';
import { parseScenario, publishedEvents, type ScenarioInput, type SessionTruth } from '../shared/scenario';
import { planSession } from '../electron/mock/simulator';
import { correctText, occurrences, redeliveries, renderedTwice } from './rendered';

/** One session's ground truth, planned as the simulator plays it (the truth is the plan). */
function truthOf(faults: NonNullable<ScenarioInput['sessions'][number]['faults']>, tokens = 30): SessionTruth {
  const scenario = parseScenario({ name: 'rendered', seed: 3, tokens, sessions: [{ id: 's1', faults }] });
  return planSession(scenario, 0, 's1', 0).truth;
}

/** What a page that appends every chunk it receives shows: every published chunk in publish order. */
function naive(truth: SessionTruth): string {
  return publishedEvents(truth)
    .filter((e) => e.delivery === 'sent')
    .map((e) => e.chunk)
    .join('');
}

describe('redeliveries and what a page renders twice (from the ground truth)', () => {
  it('a crash after 12 tokens and a retry re-sends 1–12 as one run; the naive page renders it twice, the correct text once', () => {
    const truth = truthOf([{ kind: 'crash', afterTokens: 12, retry: { tries: 2, backoffMs: 10 } }]);
    const runs = redeliveries(truth);
    expect(runs.map(({ from, to, cause }) => ({ from, to, cause }))).toEqual([{ from: 1, to: 12, cause: 're-sent by attempt 2 after the worker crashed' }]);
    expect(correctText(truth).text).toBe(truth.finalText);
    const twice = renderedTwice(truth, naive(truth));
    expect(twice).toHaveLength(1);
    expect(twice[0]).toMatchObject({ from: 1, to: 12, rendered: 2, expected: 1 });
    expect(renderedTwice(truth, truth.finalText!)).toEqual([]);
  });

  it('with the idempotency guard the retry re-sends only what the record had not saved: after 25 tokens, saved every 10 → 21–25', () => {
    const scenario = parseScenario({
      name: 'rendered',
      seed: 3,
      tokens: 30,
      checkpoint: { everyTokens: 10 },
      sessions: [{ id: 's1', faults: [{ kind: 'crash', afterTokens: 25, retry: { tries: 2, backoffMs: 10, idempotent: true } }] }],
    });
    const truth = planSession(scenario, 0, 's1', 0).truth;
    expect(redeliveries(truth).map(({ from, to }) => ({ from, to }))).toEqual([{ from: 21, to: 25 }]);
    expect(renderedTwice(truth, naive(truth)).map(({ from, to }) => [from, to])).toEqual([[21, 25]]);
  });

  it('a duplicate delivery is a run of one, named as such', () => {
    const truth = truthOf([{ kind: 'duplicate', sequences: [5, 9] }]);
    expect(redeliveries(truth).map(({ from, to, cause }) => ({ from, to, cause }))).toEqual([
      { from: 5, to: 5, cause: 'delivered twice (a duplicate delivery)' },
      { from: 9, to: 9, cause: 'delivered twice (a duplicate delivery)' },
    ]);
    expect(renderedTwice(truth, naive(truth)).map((r) => r.from)).toEqual([5, 9]);
    expect(renderedTwice(truth, truth.finalText!)).toEqual([]);
  });

  it('an errored attempt and a retry: the re-sent tokens 1–10 are a run, the empty terminal event is not text', () => {
    const truth = truthOf([{ kind: 'error', afterTokens: 10, retry: { backoffMs: 10 } }]);
    const runs = redeliveries(truth);
    expect(runs.map(({ from, to, cause }) => ({ from, to, cause }))).toEqual([{ from: 1, to: 10, cause: 're-sent by attempt 2 after the job errored' }]);
  });

  it('a healthy stream has nothing re-sent; without a final text the correct text is each delivered sequence once', () => {
    expect(redeliveries(truthOf([]))).toEqual([]);
    const dead = truthOf([{ kind: 'silent-death', afterTokens: 8 }]);
    expect(dead.finalText).toBeNull();
    expect(correctText(dead).text).toBe(naive(dead));
  });

  it('counts occurrences without overlaps', () => {
    expect(occurrences('aaaa', 'aa')).toBe(2);
    expect(occurrences('abc', '')).toBe(0);
  });
});
