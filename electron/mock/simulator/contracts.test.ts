import { describe, expect, it } from 'vitest';
import { analyzeJournal, type SessionVerdict } from '../../../shared/analysis';
import { builtinContract } from '../../../shared/contract';
import { CLIENT_CLOSE_REASON, type JournalRecord } from '../../../shared/journal';
import { detectedAnomalies, expectedAnomalies, parseScenario, SeededRandom, type FaultInput, type Scenario, type ScenarioContract } from '../../../shared/scenario';
import { planSession, type SessionPlan } from './plan';
import { wireWriter } from './wire';

/**
 * The same job through two contracts: a fault plan played as the seed's `chunk.delivered`
 * (`echoscope`) and as the Laravel AI SDK's event stream (`laravel-ai`) must give the same verdict
 * on everything both contracts let EchoScope check. No server: the frames are those the mock
 * would deliver to one subscriber, in publish order, stamped at their planned times.
 *
 * Compared: status, terminal states, events, unique positions, duplicates, conflicts, replays,
 * attempts, afterTerminal, stalls, violations, disconnects, the anomalies of every kind both can
 * detect, the naive text (every chunk in arrival order), the termination code through the
 * contract's words (end_turn ↔ stop, max_tokens ↔ length, client_cancelled ↔ cancelled,
 * exception ↔ stream_failed), the correct text and the highest position — except as below.
 *
 * Not compared, and why:
 * - `missing`, `gaps` and the `gap` anomaly: a stream without sequence numbers cannot know them
 *   (its verdict says `checks.gaps: false`); `outOfOrder` and `out_of_order`: the seed's judge by
 *   sequence (the events a late one overtook are not out of order, the late one is when it comes
 *   below the highest), the stream's by time-ordered id — the same late events, but each
 *   contract's truth predicts its own count, asserted below;
 * - `text` when an event was reordered: the seed's positions put it back in place, a stream's
 *   only order is arrival (the naive text, compared, is the same);
 * - `maxSequence` when a broken payload was never resent: the seed's job spent a sequence on it (a
 *   hole), a stream's positions count only what could be read;
 * - `ttftMs`: a stream's `stream_start` is a known start, the seed has none; `deliveryMs`: only the
 *   seed sends `emitted_at`.
 * - `truncate` with `stop_sequence`, and `state: completed`, are not drawn: laravel/ai reports a stop
 *   sequence as a natural `stop` (completed), and its `stream_end` has no separate state — a
 *   difference by design, asserted in stream-payload.test.ts.
 */

const STALL_MS = 500;
const ORPHAN_MS = 900;
const CHANNEL_PREFIX = 'private-ai.';

/** The journal one subscriber would record: connected and subscribed before the job, then every frame the plan publishes. */
function journalOf(scenario: Scenario, plan: SessionPlan): JournalRecord[] {
  const writer = wireWriter(scenario);
  const connection = 'c1';
  const channel = plan.channel;
  const records: JournalRecord[] = [
    { type: 'connection', at: 0, connection, state: 'connected' },
    { type: 'subscription', at: 1, connection, channel, status: 'subscribed' },
  ];
  let last = 1;
  const stamp = (t: number): number => (last = Math.max(10 + t, last + 0.01));
  const parse = (data: string): unknown => {
    try {
      return JSON.parse(data) as unknown;
    } catch {
      return data;
    }
  };
  for (const step of plan.steps) {
    if (step.kind === 'emit') {
      if (step.event.delivery === 'dropped') continue;
      const at = stamp(step.t);
      records.push({ type: 'frame', at, connection, channel, event: writer.name(step.event), data: parse(writer.data(plan, step.event, at, step.padToBytes)) });
    } else if (step.kind === 'frame') {
      const at = stamp(step.t);
      records.push({ type: 'frame', at, connection, channel, event: writer.frameName(step), data: parse(writer.frameData(plan, step, at)) });
    } else if (step.kind === 'disconnect') {
      // The server closes the socket; the client comes back at once (the stream waits for it).
      records.push({ type: 'connection', at: stamp(step.t), connection, state: 'disconnected', code: step.code });
      records.push({ type: 'connection', at: stamp(step.t), connection, state: 'connected' });
    }
  }
  // The watch ends well after the last frame: a session that never ended is silent by then.
  records.push({ type: 'connection', at: last + 2 * STALL_MS, connection, state: 'disconnected', reason: CLIENT_CLOSE_REASON });
  return records;
}

function verdictOf(scenario: Scenario): { verdict: SessionVerdict; plan: SessionPlan } {
  const plan = planSession(scenario, 0, scenario.sessions[0]!.id!, 0);
  // As in `check`: the run knows when the job began (a lost head is missing, not a late join).
  const starts = new Map([[plan.sessionId, { at: 10, from: 'run' as const }]]);
  const verdict = analyzeJournal(journalOf(scenario, plan), { profile: builtinContract(scenario.contract)!, stallAfterMs: STALL_MS, orphanAfterMs: ORPHAN_MS, starts });
  expect(verdict.sessions).toHaveLength(1);
  return { verdict: verdict.sessions[0]!, plan };
}

/** A seeded random fault plan over `tokens` tokens, from the faults both contracts show. */
function randomFaults(random: SeededRandom, tokens: number): FaultInput[] {
  const seq = (): number => random.int(1, tokens - 1);
  const pick = (): { sequences: number[] } | { probability: number } => (random.chance(0.5) ? { sequences: [seq()] } : { probability: random.pick([0.1, 0.25]) });
  const makers: Array<() => FaultInput> = [
    () => ({
      kind: 'crash',
      afterTokens: random.int(1, tokens - 1),
      ...(random.chance(0.7) ? { times: random.int(1, 2), retry: { tries: random.int(2, 3), backoffMs: 30 } } : {}),
    }),
    () => ({ kind: 'error', afterTokens: random.int(0, tokens - 1), ...(random.chance(0.6) ? { retry: { backoffMs: 30 } } : {}) }),
    () => ({ kind: 'truncate', afterTokens: random.int(1, tokens - 1) }),
    () => ({ kind: 'silent-death', afterTokens: random.int(1, tokens - 1) }),
    () => ({ kind: 'abandon', afterTokens: random.int(0, tokens - 1) }),
    () => ({ kind: 'stall', afterTokens: random.int(1, tokens - 1), durationMs: random.pick([60, 800]) }),
    () => ({ kind: 'disconnect', afterTokens: random.int(1, tokens - 1), code: random.pick([4009, 4200]) }),
    () => ({ kind: 'reorder', ...pick(), window: random.int(1, 3) }),
    () => ({ kind: 'duplicate', ...pick(), copies: random.int(1, 2) }),
    () => ({ kind: 'malformed', variant: 'broken-json', ...pick(), resend: random.chance(0.5) }),
    () => ({ kind: 'oversize', ...pick() }),
    () => ({ kind: 'latency-spike', ...pick(), delayMs: random.pick([20, 700]) }),
    () => ({ kind: 'after-terminal', tokens: random.int(1, 3) }),
  ];
  const count = random.int(1, 3);
  return Array.from({ length: count }, () => random.pick(makers)());
}

function scenarioFor(index: number, faults: FaultInput[], tokens: number, contract: ScenarioContract) {
  return parseScenario({
    name: `property-${index}`,
    seed: 7000 + index,
    contract,
    channelPrefix: CHANNEL_PREFIX,
    tokens,
    timing: { ttftMs: { uniform: [5, 15] }, interTokenMs: { lognormal: { p50: 4, p95: 10 } } },
    orphanAfterMs: 1200,
    sessions: [{ id: `p${index}`, faults }],
  });
}

/** 30 plans both contracts accept, drawn from one seed (a plan the schema refuses is drawn again). */
function plans(): Array<{ index: number; faults: FaultInput[]; tokens: number }> {
  const random = new SeededRandom(20261202);
  const out: Array<{ index: number; faults: FaultInput[]; tokens: number }> = [];
  for (let draw = 0; out.length < 30 && draw < 2000; draw++) {
    const tokens = random.int(4, 12);
    const faults = randomFaults(random, tokens);
    try {
      scenarioFor(out.length, faults, tokens, 'laravel-ai');
      scenarioFor(out.length, faults, tokens, 'echoscope');
    } catch {
      continue;
    }
    out.push({ index: out.length, faults, tokens });
  }
  return out;
}

const CODES: Record<string, string> = { end_turn: 'stop', max_tokens: 'length', client_cancelled: 'cancelled', exception: 'stream_failed' };

const SHARED_KINDS = ['duplicate', 'conflict', 'replay', 'stall', 'after_terminal', 'terminal_conflict', 'violation', 'oversize', 'disconnect'] as const;

function shared(v: SessionVerdict) {
  const kinds = Object.fromEntries(SHARED_KINDS.map((k) => [k, v.anomalies.filter((a) => a.kind === k).length]));
  return {
    status: v.status,
    terminalStates: v.terminalStates,
    events: v.events,
    uniqueSequences: v.uniqueSequences,
    duplicates: v.duplicates,
    conflicts: v.conflicts,
    replays: v.replays,
    attempts: v.attempts,
    afterTerminal: v.afterTerminal,
    stalls: v.stalls,
    violations: v.violations,
    disconnects: v.disconnects,
    naiveText: v.naiveText,
    kinds,
  };
}

describe('one fault plan, two contracts (echoscope and laravel-ai): the same verdict on every check both support', () => {
  const drawn = plans();

  it('draws 30 plans that both contracts accept, covering every shared fault kind', () => {
    expect(drawn).toHaveLength(30);
    const kinds = new Set(drawn.flatMap((p) => p.faults.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual(
      ['abandon', 'after-terminal', 'crash', 'disconnect', 'duplicate', 'error', 'latency-spike', 'malformed', 'oversize', 'reorder', 'silent-death', 'stall', 'truncate'].sort(),
    );
  });

  it.each(drawn.map((p) => [p.index, JSON.stringify(p.faults), p] as const))('plan %i: %s', (_, __, { index, faults, tokens }) => {
    const seed = verdictOf(scenarioFor(index, faults, tokens, 'echoscope'));
    const stream = verdictOf(scenarioFor(index, faults, tokens, 'laravel-ai'));
    expect(stream.verdict.checks).toEqual({ gaps: false, order: true, duplicates: true });
    expect(shared(stream.verdict)).toEqual(shared(seed.verdict));
    const code = seed.verdict.terminationCode;
    expect(stream.verdict.terminationCode).toBe(code === null ? null : (CODES[code] ?? code));
    const reordered = seed.plan.truth.events.some((e) => e.faults?.includes('reorder'));
    if (!reordered) expect(stream.verdict.text).toBe(seed.verdict.text);
    const unresent = seed.plan.truth.events.some((e) => e.delivery === 'malformed') && faults.some((f) => f.kind === 'malformed' && f.resend === false);
    if (!unresent) expect(stream.verdict.maxSequence).toBe(seed.verdict.maxSequence);
    // and each contract's ground truth predicts exactly what was detected
    for (const [contract, played] of [
      ['echoscope', seed],
      ['laravel-ai', stream],
    ] as const) {
      const expected = expectedAnomalies(played.plan.truth, { stallAfterMs: STALL_MS, contract, checks: played.verdict.checks });
      expect(detectedAnomalies(played.verdict), contract).toEqual(expected);
    }
  });
});
