import { describe, expect, it } from 'vitest';
import { isTerminalState } from '../../../../shared/contract';
import { parseScenario, publishedEvents, type SessionTruth } from '../../../../shared/scenario';
import { parseJunit } from '../../../../test-support/junit-shape';
import { checkInVirtualTime } from '../../../../test-support/virtual-check';
import { formatJunit } from './junit';

/**
 * JUnit times, read back from the XML. Played in virtual time (test-support/virtual-check.ts),
 * every arrival is where the plan put it, so each testcase's time must be the session's duration
 * as the ground truth gives it: its first published event to its first terminal, or to its last
 * event when the job never sent one. (check.test.ts reads the times of a run over real sockets.)
 */

/** The duration the ground truth gives a session (ms): first published event → first terminal, else → last published event. */
function truthDurationMs(session: SessionTruth): number {
  const published = publishedEvents(session);
  const first = published[0]!;
  const terminal = published.find((event) => isTerminalState(event.state));
  return (terminal ?? published[published.length - 1]!).t - first.t;
}

const scenario = parseScenario({
  name: 'junit-times',
  description: 'sessions whose durations the plan fixes',
  seed: 7,
  tokens: 20,
  timing: { ttftMs: 5, interTokenMs: 3 },
  orphanAfterMs: 400,
  analyzer: { stallAfterMs: 100, orphanAfterMs: 300 },
  sessions: [
    { id: 'healthy' },
    { id: 'crashed', faults: [{ kind: 'crash', afterTokens: 8, retry: { tries: 2, backoffMs: 40 } }] },
    { id: 'cut', tokens: 30, faults: [{ kind: 'truncate', afterTokens: 12 }] },
    { id: 'stalled', faults: [{ kind: 'stall', afterTokens: 5, durationMs: 150 }] },
    { id: 'late-tokens', tokens: 25, faults: [{ kind: 'after-terminal', tokens: 3 }] },
    { id: 'killed', faults: [{ kind: 'silent-death', afterTokens: 9 }] },
  ],
  // One session fails its expectation: its testcase has a <failure> and still its time.
  expect: [{ session: 'cut', status: 'completed' }],
});

describe('JUnit times', () => {
  const { check, report, watch, startedAt, endedAt } = checkInVirtualTime(scenario);
  const junit = parseJunit(formatJunit(report));

  it('has the JUnit shape CI servers read, with counts that add up', () => {
    expect(junit.suites.map((s) => s.name)).toEqual(['junit-times']);
    const suite = junit.suites[0]!;
    // one testcase per session of the plan, plus detection quality
    expect(suite.cases.map((c) => c.name)).toEqual([...watch.run.truth.sessions.map((s) => s.sessionId), 'detection precision and recall']);
    expect(suite.cases.every((c) => c.classname === 'echoscope.junit-times')).toBe(true);
    expect(suite.cases.filter((c) => c.failure).map((c) => c.name)).toEqual(['cut']);
    expect(suite.cases.find((c) => c.name === 'cut')!.failure!.message).toBe('expected status completed, got truncated');
    expect(suite.properties).toEqual({ seed: '7' });
    expect(suite.timestamp).toBe(new Date(startedAt).toISOString().replace(/\.\d+Z$/, ''));
    expect([junit.tests, junit.failures, junit.errors]).toEqual([7, 1, 0]);
  });

  it("gives each session's testcase the session's duration from the ground truth", () => {
    const suite = junit.suites[0]!;
    const expected = watch.run.truth.sessions.map((s) => [s.sessionId, truthDurationMs(s)] as const);
    // the plan's durations differ from session to session, so a time given to the wrong testcase shows
    expect(new Set(expected.map(([, ms]) => ms)).size).toBe(expected.length);
    for (const [sessionId, ms] of expected) {
      const time = suite.cases.find((c) => c.name === sessionId)!.time;
      // JUnit writes seconds to the millisecond
      expect(Math.abs(time * 1000 - ms), `${sessionId}: ${time} s for ${ms} ms`).toBeLessThanOrEqual(0.5);
    }
    expect(check.sessions.map((s) => [s.sessionId, s.durationMs])).toEqual(expected);
  });

  it("gives the suite the scenario's run and the root the whole check", () => {
    const runMs = endedAt - startedAt;
    // the run lasts at least as long as its longest session (the sweeper's orphan wait comes after the last token)
    expect(runMs).toBeGreaterThan(Math.max(...watch.run.truth.sessions.map(truthDurationMs)));
    expect(Math.abs(junit.suites[0]!.time * 1000 - runMs)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(junit.time * 1000 - runMs)).toBeLessThanOrEqual(0.5);
  });

  it('gives a session EchoScope never saw a zero time, and says why it failed', () => {
    const unseen = {
      ...report,
      scenarios: [
        {
          ...check,
          sessions: [
            { ...check.sessions[0]!, verdict: null, durationMs: null, passed: false, failures: [{ field: 'verdict', reason: 'EchoScope received no event of this session' }] },
          ],
        },
      ],
    };
    const parsed = parseJunit(formatJunit(unseen));
    expect(parsed.suites[0]!.cases[0]).toMatchObject({ name: 'healthy', time: 0, failure: { message: 'EchoScope received no event of this session' } });
  });
});
