import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, validatePayload } from '../../../shared/contract';
import {
  expectedAnomalies,
  FAULT_KINDS,
  parseScenarioDocument,
  publishedEvents,
  type FaultInput,
  type FaultKind,
  type ScenarioInput,
  type SessionTruth,
  type TruthEvent,
} from '../../../shared/scenario';
import { startMockServer, type MockServer } from '../index';
import { observeScenario, type Observation } from '../../../test-support/scenario-observer';
import { planSession } from './plan';

/**
 * Every pair of faults in one session: each pair the schema accepts is played on the mock to a
 * real pusher-js client, and the ground truth must show each fault applied, with the values the
 * case was built with (never EchoScope's verdicts); what the client received must be what the
 * truth says was published. Each pair the schema refuses is refused by path, naming the fault it
 * cannot combine with.
 */

const TOKENS = 12;
const ORPHAN_MS = 300;

/** One of each kind, on distinct sequences and reachable moments, so any two can meet. */
const CANONICAL: Record<FaultKind, FaultInput> = {
  crash: { kind: 'crash', afterTokens: 4, retry: { tries: 3, backoffMs: 5 } },
  error: { kind: 'error', afterTokens: 6, retry: { backoffMs: 5 } },
  truncate: { kind: 'truncate', afterTokens: 9 },
  'silent-death': { kind: 'silent-death', afterTokens: 9 },
  abandon: { kind: 'abandon', afterTokens: 9 },
  stall: { kind: 'stall', afterTokens: 3, durationMs: 60 },
  disconnect: { kind: 'disconnect', afterTokens: 3, code: 4200 },
  'ping-silence': { kind: 'ping-silence', afterTokens: 3, durationMs: 30 },
  reorder: { kind: 'reorder', sequences: [2], window: 2 },
  drop: { kind: 'drop', sequences: [3] },
  duplicate: { kind: 'duplicate', sequences: [4], copies: 1 },
  malformed: { kind: 'malformed', variant: 'unknown-state', sequences: [5] },
  oversize: { kind: 'oversize', sequences: [6], bytes: 12_000 },
  'latency-spike': { kind: 'latency-spike', sequences: [7], delayMs: 40 },
  'after-terminal': { kind: 'after-terminal', tokens: 2 },
};
/** The second of a repeatable (moment) fault: later in the stream. */
const SECOND: Partial<Record<FaultKind, FaultInput>> = {
  stall: { kind: 'stall', afterTokens: 5, durationMs: 60 },
  disconnect: { kind: 'disconnect', afterTokens: 5, code: 4200 },
  'ping-silence': { kind: 'ping-silence', afterTokens: 5, durationMs: 30 },
};
const ENDINGS: FaultKind[] = ['truncate', 'silent-death', 'abandon'];

/** Pairs of the canonical faults that cannot be played together, by construction. */
function refusedPair(a: FaultKind, b: FaultKind): boolean {
  if (a === b) return SECOND[a] === undefined;
  if (ENDINGS.includes(a) && ENDINGS.includes(b)) return true;
  const pair = new Set([a, b]);
  return pair.has('silent-death') && pair.has('after-terminal');
}

const PAIRS: Array<[FaultKind, FaultKind]> = FAULT_KINDS.flatMap((a, i) => FAULT_KINDS.slice(i).map((b) => [a, b] as [FaultKind, FaultKind]));

function scenarioOf(name: string, faults: FaultInput[]): ScenarioInput {
  return { name, seed: 7, tokens: TOKENS, orphanAfterMs: ORPHAN_MS, timing: { ttftMs: 2, interTokenMs: { uniform: [1, 2] } }, sessions: [{ id: name, faults }] };
}

const firstIndex = (events: TruthEvent[], sequence: number) => events.findIndex((e) => e.sequence === sequence && e.state === 'generating');
const terminals = (events: TruthEvent[]) => events.filter((e) => e.state !== 'generating');
const lastAttempt = (truth: SessionTruth) => truth.attempts;

/** Whether the truth shows `fault` applied as built: one check per kind, values from CANONICAL. */
function expectApplied(kind: FaultKind, fault: FaultInput, truth: SessionTruth, observation: Observation, others: FaultKind[]): void {
  const events = truth.events;
  const faultsOf = (k: string) => truth.faults.filter((f) => f.kind === k);
  const label = `${kind} with ${others.join('+') || 'nothing'}`;
  switch (fault.kind) {
    case 'crash': {
      expect(faultsOf('crash'), label).toEqual([expect.objectContaining({ attempt: 1, afterSequence: fault.afterTokens })]);
      expect(faultsOf('retry')[0], label).toMatchObject({ attempt: 2 });
      const first = events.filter((e) => e.attempt === 1);
      expect(Math.max(...first.map((e) => e.sequence)), label).toBe(fault.afterTokens);
      expect(terminals(first), label).toEqual([]);
      break;
    }
    case 'error': {
      const [error] = faultsOf('error');
      expect(error, label).toMatchObject({ afterSequence: fault.afterTokens });
      const terminal = events.find((e) => e.attempt === error!.attempt && e.state !== 'generating');
      expect(terminal, label).toMatchObject({ sequence: fault.afterTokens + 1, state: 'errored', terminationCode: 'exception' });
      expect(truth.attempts, label).toBeGreaterThan(error!.attempt);
      break;
    }
    case 'truncate':
    case 'abandon': {
      const state = fault.kind === 'truncate' ? 'truncated' : 'abandoned';
      const code = fault.kind === 'truncate' ? 'max_tokens' : 'client_cancelled';
      const final = terminals(events.filter((e) => e.attempt === lastAttempt(truth)));
      expect(final, label).toEqual([expect.objectContaining({ sequence: fault.afterTokens + 1, state, terminationCode: code })]);
      expect(truth.outcome, label).toBe(fault.kind === 'truncate' ? 'truncated' : 'failed');
      expect(faultsOf(fault.kind), label).toEqual([expect.objectContaining({ afterSequence: fault.afterTokens })]);
      break;
    }
    case 'silent-death': {
      const final = events.filter((e) => e.attempt === lastAttempt(truth));
      expect(terminals(final), label).toEqual([]);
      expect(Math.max(...final.map((e) => e.sequence)), label).toBe(fault.afterTokens);
      expect(truth.outcome, label).toBe('orphaned');
      expect(faultsOf('sweep'), label).toHaveLength(1);
      break;
    }
    case 'stall': {
      const stall = faultsOf('stall').find((f) => f.afterSequence !== undefined && f.afterSequence >= fault.afterTokens);
      expect(stall, label).toBeDefined();
      // Nothing is sent during the silence, and the stream resumes after it.
      expect(
        events.filter((e) => e.t > stall!.t && e.t < stall!.t + fault.durationMs),
        label,
      ).toEqual([]);
      expect(
        events.some((e) => e.t >= stall!.t + fault.durationMs),
        label,
      ).toBe(true);
      break;
    }
    case 'disconnect': {
      expect(faultsOf('disconnect').filter((f) => f.code === (fault.code ?? 4200) && (f.afterSequence ?? 0) >= fault.afterTokens).length, label).toBeGreaterThan(0);
      // The client's socket was closed and it came back.
      const states = observation.records.filter((r) => r.type === 'connection').map((r) => (r as { state: string }).state);
      expect(states.filter((s) => s === 'connected').length, label).toBeGreaterThanOrEqual(2);
      break;
    }
    case 'ping-silence': {
      expect(
        faultsOf('ping-silence').some((f) => (f.afterSequence ?? 0) >= fault.afterTokens && f.detail.includes(`${fault.durationMs} ms`)),
        label,
      ).toBe(true);
      break;
    }
    case 'reorder': {
      const seq = fault.sequences![0]!;
      expect(faultsOf('reorder'), label).toEqual([expect.objectContaining({ detail: `reorder of sequence ${seq} (listed)` })]);
      const at = firstIndex(events, seq);
      expect(events[at]!.faults, label).toContain('reorder');
      // A later sequence of the same attempt went out before it.
      expect(
        events.slice(0, at).some((e) => e.attempt === events[at]!.attempt && e.sequence > seq && e.delivery === 'sent'),
        label,
      ).toBe(true);
      break;
    }
    case 'drop': {
      const seq = fault.sequences![0]!;
      expect(faultsOf('drop'), label).toEqual([expect.objectContaining({ detail: `drop of sequence ${seq} (listed)` })]);
      expect(events[firstIndex(events, seq)], label).toMatchObject({ delivery: 'dropped', faults: expect.arrayContaining(['drop']) as string[] });
      break;
    }
    case 'duplicate': {
      const seq = fault.sequences![0]!;
      expect(faultsOf('duplicate'), label).toEqual([expect.objectContaining({ detail: `duplicate of sequence ${seq} (listed)` })]);
      const attempt = events[firstIndex(events, seq)]!.attempt;
      const copies = events.filter((e) => e.attempt === attempt && e.sequence === seq && e.delivery === 'sent');
      expect(copies, label).toHaveLength(1 + (fault.copies ?? 1));
      expect(
        copies.filter((e) => e.faults?.includes('duplicate')),
        label,
      ).toHaveLength(fault.copies ?? 1);
      break;
    }
    case 'malformed': {
      const seq = fault.sequences![0]!;
      expect(faultsOf('malformed'), label).toEqual([expect.objectContaining({ detail: `malformed of sequence ${seq} (listed)` })]);
      const at = firstIndex(events, seq);
      expect(events[at], label).toMatchObject({ delivery: 'malformed', variant: fault.variant });
      expect(events[at + 1], label).toMatchObject({ sequence: seq, delivery: 'sent' });
      break;
    }
    case 'oversize': {
      const seq = fault.sequences![0]!;
      expect(faultsOf('oversize'), label).toEqual([expect.objectContaining({ detail: `oversize of sequence ${seq} (listed)` })]);
      const at = firstIndex(events, seq);
      expect(events[at], label).toMatchObject({ delivery: 'oversize' });
      expect(events[at + 1], label).toMatchObject({ sequence: seq, delivery: 'sent' });
      break;
    }
    case 'latency-spike': {
      const seq = fault.sequences![0]!;
      const at = firstIndex(events, seq);
      expect(faultsOf('latency-spike'), label).toEqual([expect.objectContaining({ afterSequence: seq - 1 })]);
      expect(events[at]!.faults, label).toContain('latency-spike');
      expect(events[at]!.t - events[at - 1]!.t, label).toBeGreaterThanOrEqual(fault.delayMs);
      break;
    }
    case 'after-terminal': {
      const lastTerminal = events
        .map((e, i) => [e, i] as const)
        .filter(([e]) => e.state !== 'generating')
        .at(-1);
      expect(lastTerminal, label).toBeDefined();
      const [terminal, index] = lastTerminal!;
      const late = events.slice(index + 1);
      const tokens = fault.tokens ?? 1;
      expect(
        late.map((e) => [e.sequence, e.state, e.faults]),
        label,
      ).toEqual(Array.from({ length: tokens }, (_, i) => [terminal.sequence + 1 + i, 'generating', ['after-terminal']]));
      expect(faultsOf('after-terminal'), label).toEqual([expect.objectContaining({ afterSequence: terminal.sequence })]);
      break;
    }
  }
}

/** What the client received, in order, is what the truth says was published. */
function expectClientGotTruth(o: Observation, truth: SessionTruth, label: string): void {
  const published = publishedEvents(truth);
  const got = o.received.get(truth.channel) ?? [];
  expect(got.length, label).toBe(published.length);
  published.forEach((event, i) => {
    const valid = validatePayload(DEFAULT_PROFILE, got[i], truth.channel).ok;
    if (event.delivery === 'sent') {
      const p = got[i] as Record<string, unknown>;
      expect([p.sequence, p.state, p.chunk, p.termination_code], `${label}: event ${i}`).toEqual([event.sequence, event.state, event.chunk, event.terminationCode]);
    } else expect(valid, `${label}: event ${i} should arrive ${event.delivery}`).toBe(false);
  });
}

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

describe('every pair of faults in one session', () => {
  it('is refused by path exactly where the pair cannot be played', () => {
    for (const [a, b] of PAIRS) {
      const second = a === b ? (SECOND[a] ?? CANONICAL[b]) : CANONICAL[b];
      const result = parseScenarioDocument(scenarioOf('pair', [CANONICAL[a], second]));
      if (refusedPair(a, b)) {
        expect(result.ok, `${a} + ${b} should be refused`).toBe(false);
        if (!result.ok)
          expect(
            result.issues.map((i) => `${i.path}: ${i.message}`),
            `${a} + ${b}`,
          ).toEqual([expect.stringMatching(/^sessions\[0\]\.faults\[1\]: .* cannot combine with sessions\[0\]\.faults\[0\] /)]);
      } else {
        expect(result.ok ? [] : result.issues, `${a} + ${b} should be accepted`).toEqual([]);
      }
    }
  });

  it('plays each accepted pair: the ground truth shows both faults applied, and the client got what it says', async () => {
    const played = PAIRS.filter(([a, b]) => !refusedPair(a, b));
    expect(played.length).toBeGreaterThan(100);
    let n = 0;
    for (const [a, b] of played) {
      const faults = [CANONICAL[a], a === b ? SECOND[a]! : CANONICAL[b]];
      const parsed = parseScenarioDocument(scenarioOf(`pair-${++n}`, faults));
      if (!parsed.ok) throw new Error(`${a} + ${b}: ${JSON.stringify(parsed.issues)}`);
      const observation = await observeScenario(server, parsed.scenarios[0]!, { timeoutMs: 10_000 });
      const truth = observation.run.truth.sessions[0]!;
      const label = `${a} + ${b}`;
      expectApplied(a, faults[0]!, truth, observation, [b]);
      expectApplied(b, faults[1]!, truth, observation, [a]);
      expectClientGotTruth(observation, truth, label);
    }
  }, 180_000);

  it('truncate with after-terminal (the reported case): the late tokens follow the truncated terminal', () => {
    const result = parseScenarioDocument(scenarioOf('truncate-late', [CANONICAL.truncate, CANONICAL['after-terminal']]));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const events = planSession(result.scenarios[0]!, 0, 'truncate-late', 0).truth.events;
    expect(events.slice(-3).map((e) => [e.sequence, e.state, e.faults ?? []])).toEqual([
      [10, 'truncated', ['truncate']],
      [11, 'generating', ['after-terminal']],
      [12, 'generating', ['after-terminal']],
    ]);
  });
});

describe('delivery faults drawn by probability report what they hit', () => {
  const plan = (faults: FaultInput[], tokens = 5) => {
    const result = parseScenarioDocument({ ...scenarioOf('drawn', faults), tokens });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return planSession(result.scenarios[0]!, 0, 'drawn', 0).truth;
  };
  it('a fault whose every draw was taken by another says where, instead of leaving no trace', () => {
    const truth = plan([
      { kind: 'drop', probability: 1 },
      { kind: 'duplicate', probability: 1 },
    ]);
    expect(truth.events.filter((e) => e.faults?.includes('duplicate'))).toEqual([]);
    expect(truth.faults.filter((f) => f.kind === 'drop' || f.kind === 'duplicate').map((f) => f.detail)).toEqual([
      'drop of sequences 1, 2, 3, 4, 5 (drawn with probability 1 over 5 tokens)',
      'duplicate applied to no event (drawn with probability 1 over 5 tokens); not applied where 1 is dropped, 2 is dropped, 3 is dropped, 4 is dropped, 5 is dropped',
    ]);
  });
  it('a draw that chose nothing says so, marked not applied', () => {
    const truth = plan([{ kind: 'drop', probability: 0 }]);
    expect(truth.faults).toEqual([{ kind: 'drop', attempt: 1, t: 0, detail: 'drop applied to no event (drawn with probability 0 over 5 tokens)', applied: false }]);
  });
  it('a moment after more tokens than a sampled count gave is marked not applied (and counts no disconnect)', () => {
    const result = parseScenarioDocument({
      ...scenarioOf('sampled', [{ kind: 'disconnect', afterTokens: 500 }]),
      // A count the schema cannot bound: between ~2 and ~8 tokens here.
      tokens: { lognormal: { p50: 4, p95: 6 } },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const truth = planSession(result.scenarios[0]!, 0, 'sampled', 0).truth;
    const sent = Math.max(...truth.events.map((e) => e.sequence)) - 1; // the terminal takes the next number
    expect(truth.faults).toEqual([
      expect.objectContaining({ kind: 'disconnect', applied: false, detail: `never happened: after 500 tokens, but no attempt streamed more than ${sent}` }),
    ]);
    expect(expectedAnomalies(truth, { stallAfterMs: 8000 }).disconnect).toBe(0);
  });
});

describe('faults that would not happen are refused by path', () => {
  const issues = (faults: FaultInput[], tokens = TOKENS) => {
    const result = parseScenarioDocument({ ...scenarioOf('x', faults), tokens });
    return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
  };
  it.each<[string, FaultInput[], string]>([
    [
      'an ending after a crash without retry',
      [
        { kind: 'crash', afterTokens: 4 },
        { kind: 'truncate', afterTokens: 8 },
      ],
      'sessions[0].faults[1]: truncate cannot combine with sessions[0].faults[0] (crash without retry): the worker dies and the job never runs again, so it never happens',
    ],
    [
      'an error after a crash on every try',
      [
        { kind: 'crash', afterTokens: 4, times: 2, retry: { tries: 2 } },
        { kind: 'error', afterTokens: 6 },
      ],
      'sessions[0].faults[1]: error cannot combine with sessions[0].faults[0] (crash on every try): every try crashes and the job fails, so it never happens',
    ],
    [
      'after-terminal after a crash without retry',
      [{ kind: 'crash', afterTokens: 4 }, { kind: 'after-terminal' }],
      'sessions[0].faults[1]: after-terminal cannot combine with sessions[0].faults[0] (crash without retry): the job ends without a terminal event for tokens to follow',
    ],
    [
      'an ending after an error without retry',
      [
        { kind: 'error', afterTokens: 4 },
        { kind: 'abandon', afterTokens: 8 },
      ],
      "sessions[0].faults[1]: abandon cannot combine with sessions[0].faults[0] (error without retry): the errored attempt is the job's last, so it never happens",
    ],
    [
      'a second drop',
      [
        { kind: 'drop', sequences: [2] },
        { kind: 'drop', sequences: [5] },
      ],
      'sessions[0].faults[1]: drop cannot combine with sessions[0].faults[0] (drop): one drop fault per session (put all its sequences in one)',
    ],
    [
      'a duplicate of a dropped sequence',
      [
        { kind: 'drop', sequences: [2, 3] },
        { kind: 'duplicate', sequences: [3] },
      ],
      'sessions[0].faults[1].sequences: duplicate of sequence 3 cannot combine with sessions[0].faults[0] (drop) on the same sequence: a dropped event is never sent, so it cannot be sent again',
    ],
    [
      'a stall no attempt reaches',
      [
        { kind: 'truncate', afterTokens: 5 },
        { kind: 'stall', afterTokens: 8, durationMs: 10 },
      ],
      'sessions[0].faults[1].afterTokens: stall after 8 tokens never happens: no attempt streams more than 5 (the session has at least 12 tokens)',
    ],
    [
      'a drop of a sequence never sent',
      [{ kind: 'drop', sequences: [20] }],
      'sessions[0].faults[0].sequences: drop of sequence 20 never happens: no attempt sends it (the most is 12; the session has at least 12 tokens)',
    ],
    [
      'a reorder of the last token',
      [{ kind: 'reorder', sequences: [12] }],
      'sessions[0].faults[0].sequences: reorder of sequence 12 never happens: it is the last token its attempt sends, so nothing comes after it',
    ],
  ])('%s', (_, faults, message) => {
    expect(issues(faults)).toEqual([message]);
  });
});
