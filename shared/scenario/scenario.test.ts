import { describe, expect, it } from 'vitest';
import type { SessionVerdict } from '../analysis';
import { compare, evaluateExpect, ExpectSchema, matchesSession, parseScenarioDocument, sample, SeededRandom, addSessionScore, emptyScores, zeroCounts } from './index';

const verdict = (patch: Partial<SessionVerdict> = {}): SessionVerdict => ({
  sessionId: 's1',
  channel: 'private-ai.s1',
  connection: 'c1',
  status: 'completed',
  terminalStates: ['completed'],
  terminationCode: 'end_turn',
  events: 10,
  uniqueSequences: 10,
  maxSequence: 10,
  duplicates: 0,
  conflicts: 0,
  replays: 0,
  outOfOrder: 0,
  afterTerminal: 0,
  missing: 0,
  gaps: [],
  stalls: 0,
  violations: 0,
  disconnects: 0,
  deliveryLoss: 0,
  attempts: 1,
  lastAttempt: { attempt: 1, from: 1, to: 10 },
  joinedLate: false,
  checks: { gaps: true, order: true, duplicates: true },
  contract: { name: 'echoscope', confidence: 'given', reason: '' },
  coverage: { subscribedAt: 0, fromSequence: 1 },
  ttftMs: 20,
  ttftFrom: 'run',
  durationMs: 100,
  interTokenMs: null,
  deliveryMs: null,
  text: 'Hello',
  naiveText: 'Hello',
  anomalies: [],
  ...patch,
});

describe('scenario schema', () => {
  it("says that retry.tries counts the first attempt (Laravel's $tries)", () => {
    const result = parseScenarioDocument({ name: 't', sessions: [{ id: 's1', faults: [{ kind: 'crash', afterTokens: 3, retry: { tries: 1 } }] }] });
    const issues = result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual(["sessions[0].faults[0].retry.tries: tries counts every attempt, the first included (Laravel's $tries): 2 is the first run and one retry"]);
  });

  it('target: proxy takes the proxy rules and refuses what check cannot score through it yet, by path', () => {
    const issues = (input: Record<string, unknown>) => {
      const result = parseScenarioDocument({ name: 'p', sessions: [{ id: 's1' }], ...input });
      return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
    };
    expect(issues({ target: 'proxy', proxy: { faults: [{ kind: 'drop', nth: [2] }] } })).toEqual([]);
    expect(issues({ proxy: { faults: [] } })).toEqual(['proxy: proxy rules apply with target: proxy (add it, or remove the rules)']);
    expect(issues({ target: 'proxy', proxy: { faults: [{ kind: 'disconnect', nth: [5] }] } })).toEqual([]);
    expect(issues({ target: 'proxy', keepAlive: { activityTimeoutMs: 150 }, proxy: { faults: [{ kind: 'ping-silence', durationMs: 100 }] } })).toEqual([]);
    expect(issues({ target: 'proxy', keepAlive: { activityTimeoutMs: 10 } })).toEqual([expect.stringMatching(/^keepAlive\.activityTimeoutMs/)]);
    expect(issues({ target: 'proxy', sessions: [{ id: 's1', faults: [{ kind: 'ping-silence', afterTokens: 2, durationMs: 10 }] }] })).toEqual([
      expect.stringMatching(/^sessions\[0\]\.faults\[0\]\.kind: ping-silence cannot be scored through the proxy/),
    ]);
    expect(issues({ target: 'proxy', contract: 'laravel-ai' })).toEqual([expect.stringMatching(/^target: target: proxy is scored with contract: echoscope/)]);
    expect(issues({ target: 'proxy', proxy: { faults: [{ kind: 'delay', nth: [1] }] } })).toEqual([expect.stringMatching(/^proxy\.faults\[0\]\.delayMs/)]);
  });

  it('names the path of every bad field', () => {
    const result = parseScenarioDocument({
      name: 'Bad Name',
      sessions: [{ id: 's1', faults: [{ kind: 'crash', afterTokens: 0 }, { kind: 'drop' }, { kind: 'teleport' }] }],
      expect: [{ counts: { duplicates: 'lots' } }],
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['name', 'sessions[0].faults[0].afterTokens', 'sessions[0].faults[1].sequences', 'sessions[0].faults[2].kind', 'expect[0].counts.duplicates']),
    );
  });

  it('an unknown field is named with the nearest known one; a kind lists the allowed values', () => {
    const result = parseScenarioDocument({
      name: 'typos',
      sessions: [{ id: 's1', faults: [{ kind: 'crash', afterToken: 3 }, { kind: 'teleport' }] }],
      expect: [{ counts: { duplicats: 1 } }],
      sesions: 1,
      zzzqqq: 1,
    });
    const issues = result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'sessions[0].faults[0].afterToken: unknown field (did you mean "afterTokens"?)',
        'expect[0].counts.duplicats: unknown field (did you mean "duplicates"?)',
        'sesions: unknown field (did you mean "sessions"?)',
        // nothing near: no guess
        'zzzqqq: unknown field',
      ]),
    );
    expect(issues.find((i) => i.startsWith('sessions[0].faults[1].kind'))).toMatch(/crash.*error.*truncate/);
  });

  it('rejects duplicate session ids, two ending faults and silences longer than the sweeper', () => {
    const result = parseScenarioDocument({
      name: 'x',
      orphanAfterMs: 1000,
      sessions: [
        { idPattern: 'a-{n}', count: 2 },
        {
          id: 'a-2',
          faults: [
            { kind: 'truncate', afterTokens: 3 },
            { kind: 'silent-death', afterTokens: 4 },
            { kind: 'stall', afterTokens: 1, durationMs: 5000 },
          ],
        },
      ],
    });
    expect(result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'sessions[1]: session id "a-2" is already used by sessions[0]',
      'sessions[1].faults[1]: silent-death cannot combine with sessions[1].faults[0] (truncate): a session ends one way only (one of truncate, silent-death, abandon)',
      'sessions[1].faults[2].durationMs: must be shorter than orphanAfterMs (1000), or the sweeper marks the session orphaned mid-way',
    ]);
  });

  it('accepts a suite of scenarios and fills defaults', () => {
    const result = parseScenarioDocument({
      scenarios: [
        { name: 'a', sessions: [{}] },
        { name: 'b', sessions: [{ count: 3 }] },
      ],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenarios[0]).toMatchObject({ seed: 1, tokens: 60, checkpoint: { everyTokens: 40 }, waitForSubscriber: true });
  });
});

describe('distributions and randomness', () => {
  it('is reproducible per seed and matches lognormal percentiles', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
    const random = new SeededRandom(1);
    const values = Array.from({ length: 20_000 }, () => sample({ lognormal: { p50: 20, p95: 60 } }, random)).sort((x, y) => x - y);
    expect(values[10_000]!).toBeGreaterThan(18);
    expect(values[10_000]!).toBeLessThan(22);
    expect(values[19_000]!).toBeGreaterThan(54);
    expect(values[19_000]!).toBeLessThan(66);
    const u = sample({ uniform: [10, 20] }, random);
    expect(u).toBeGreaterThanOrEqual(10);
    expect(u).toBeLessThanOrEqual(20);
    expect(sample(5, random)).toBe(5);
  });
});

describe('expect', () => {
  it('compares counts, statuses, anomalies, text and time to terminal with readable reasons', () => {
    expect(compare(3, '>0')).toBe(true);
    expect(compare(3, '<=3')).toBe(true);
    expect(compare(0, '==0')).toBe(true);
    expect(compare(1, 1)).toBe(true);
    expect(matchesSession('crash-*', 'crash-12')).toBe(true);
    expect(matchesSession('crash-*', 'stall-1')).toBe(false);
    const e = ExpectSchema.parse({
      status: 'truncated',
      counts: { duplicates: '>0', gaps: 0 },
      anomalies: { present: ['replay'], absent: ['gap'] },
      textEqualsFinal: true,
      timeToTerminalMs: '<50',
    });
    const failures = evaluateExpect(e, { verdict: verdict({ anomalies: [{ kind: 'gap', at: 1 }] }), finalText: 'Hello!' });
    expect(failures.map((f) => f.reason)).toEqual([
      'expected status truncated, got completed',
      'expected duplicates > 0, got 0',
      'expected anomalies replay, none reported',
      'expected no gap, got gap ×1',
      'expected text to equal final_text: text "Hello" vs final_text "Hello!"',
      'expected time to terminal < 50 ms, got 120 ms',
    ]);
    expect(evaluateExpect(ExpectSchema.parse({ status: ['completed', 'truncated'], textEqualsFinal: true }), { verdict: verdict(), finalText: 'Hello' })).toEqual([]);
  });
});

describe('scoring', () => {
  it('counts true and false positives per kind', () => {
    const expected = { ...zeroCounts(), duplicate: 3, gap: 1 };
    const detected = { ...zeroCounts(), duplicate: 2, stall: 1, gap: 1 };
    const scores = addSessionScore(emptyScores(), expected, detected);
    expect(scores.duplicate).toMatchObject({ truePositives: 2, falseNegatives: 1, precision: 1, recall: 2 / 3 });
    expect(scores.stall).toMatchObject({ falsePositives: 1, precision: 0, recall: null });
    expect(scores.gap).toMatchObject({ precision: 1, recall: 1 });
    expect(scores.replay).toMatchObject({ precision: null, recall: null });
  });
});
