import { describe, expect, it } from 'vitest';
import type { SessionVerdict } from '../../../shared/analysis';
import { detectedAnomalies, expectedAnomalies, parseScenario, type ScenarioInput, type SessionGroupInput } from '../../../shared/scenario';
import { EARLY_TOLERANCE_MS } from './scheduler';
import { watchInVirtualTime, type VirtualWatch } from '../../../test-support/virtual-watch';

/**
 * The timing faults, played in virtual time: the simulator and the subscriber share one virtual
 * clock, so every arrival is exactly where the plan put it and each assertion is the value the
 * case was built with (faults.test.ts watches the same faults over real sockets, where a loaded
 * machine's timers move arrivals by milliseconds).
 */

/** Whole-millisecond timing: every planned instant, and so every gap, is exact in floating point. */
const INTER_TOKEN_MS = 2;
const TTFT_MS = 5;

function watch(
  group: Omit<SessionGroupInput, 'id'>,
  analyzer: { stallAfterMs: number; orphanAfterMs?: number },
  extra: Partial<ScenarioInput> = {},
): VirtualWatch & { session: SessionVerdict } {
  const scenario = parseScenario({
    name: 'timing',
    seed: 42,
    tokens: 20,
    timing: { ttftMs: TTFT_MS, interTokenMs: INTER_TOKEN_MS },
    orphanAfterMs: 700,
    ...extra,
    sessions: [{ id: 's', ...group }],
  });
  const watched = watchInVirtualTime(scenario, { analyzer });
  const session = watched.verdict.sessions.find((s) => s.sessionId === 's');
  if (!session) throw new Error('no verdict for s');
  return { ...watched, session };
}

/** Arrival gaps between consecutive chunk events, as the subscriber saw them. */
function arrivalGaps(w: VirtualWatch): number[] {
  const at = w.records.filter((r) => r.type === 'frame' && r.event === w.run.scenario.event).map((r) => r.at);
  return at.slice(1).map((t, i) => t - at[i]!);
}

/** The same gaps as planned (the ground truth's `t` of each published event). */
function plannedGaps(w: VirtualWatch): number[] {
  const t = w.run.truth.sessions[0]!.events.filter((e) => e.delivery !== 'dropped').map((e) => e.t);
  return t.slice(1).map((x, i) => x - t[i]!);
}

describe('timing faults in virtual time', () => {
  it('stall of 3000 ms after token 5: that one gap is 3000 ms plus one inter-token gap, every other gap is as planned', () => {
    const gap = 3000 + INTER_TOKEN_MS;
    const w = watch({ faults: [{ kind: 'stall', afterTokens: 5, durationMs: 3000 }] }, { stallAfterMs: gap }, { orphanAfterMs: 5000 });
    const gaps = arrivalGaps(w);
    expect(gaps).toEqual(plannedGaps(w));
    expect(gaps[4]).toBe(gap); // between sequence 5 and 6
    expect(gaps.filter((g) => g !== INTER_TOKEN_MS)).toEqual([gap]);
    expect(w.session).toMatchObject({ status: 'completed', stalls: 1 });
    expect(w.session.interTokenMs!.max).toBe(gap);
    expect(w.session.anomalies.find((a) => a.kind === 'stall')).toMatchObject({ silentMs: gap });
    expect(detectedAnomalies(w.session)).toEqual(expectedAnomalies(w.run.truth.sessions[0]!, { stallAfterMs: gap }));
  });

  it('a stall threshold one millisecond above the silence sees no stall', () => {
    const gap = 3000 + INTER_TOKEN_MS;
    const w = watch({ faults: [{ kind: 'stall', afterTokens: 5, durationMs: 3000 }] }, { stallAfterMs: gap + 1 }, { orphanAfterMs: 5000 });
    expect(w.session).toMatchObject({ status: 'completed', stalls: 0 });
    expect(detectedAnomalies(w.session)).toEqual(expectedAnomalies(w.run.truth.sessions[0]!, { stallAfterMs: gap + 1 }));
  });

  it('latency spike of 80 ms before sequence 4: that gap is 80 ms plus one inter-token gap, the median stays the planned gap', () => {
    const w = watch({ tokens: 8, faults: [{ kind: 'latency-spike', sequences: [4], delayMs: 80 }] }, { stallAfterMs: 1000 });
    const gaps = arrivalGaps(w);
    expect(gaps).toEqual(plannedGaps(w));
    expect(gaps[2]).toBe(80 + INTER_TOKEN_MS); // between sequence 3 and 4
    expect(gaps.filter((g) => g !== INTER_TOKEN_MS)).toEqual([80 + INTER_TOKEN_MS]);
    expect(w.session.interTokenMs).toMatchObject({ max: 80 + INTER_TOKEN_MS, p50: INTER_TOKEN_MS });
    expect(w.session.stalls).toBe(0);
    expect(detectedAnomalies(w.session)).toEqual(expectedAnomalies(w.run.truth.sessions[0]!, { stallAfterMs: 1000 }));
  });

  it('TTFT is the planned time to the first token from the job’s start, less the scheduler’s early wake-up', () => {
    const starts: number[] = [];
    const scenario = parseScenario({ name: 'ttft', seed: 1, tokens: 3, timing: { ttftMs: 40, interTokenMs: INTER_TOKEN_MS }, sessions: [{ id: 's' }] });
    const w = watchInVirtualTime(scenario, { simulator: { onSessionStart: (_id, at) => starts.push(at) } });
    const first = w.records.find((r) => r.type === 'frame');
    expect(starts).toHaveLength(1);
    // The scheduler runs what is due within EARLY_TOLERANCE_MS in the wake-up before (real timers are late, never early).
    expect(first!.at - starts[0]!).toBe(40 - EARLY_TOLERANCE_MS);
  });

  it('silent death after 7 tokens: the sweeper marks the record orphaned on its first sweep at least orphanAfterMs after the last activity', () => {
    const orphanAfterMs = 700;
    const sweepEveryMs = orphanAfterMs / 10; // the simulator's sweep period for this orphanAfterMs
    const w = watch({ faults: [{ kind: 'silent-death', afterTokens: 7 }] }, { stallAfterMs: 400, orphanAfterMs: orphanAfterMs - 20 }, { orphanAfterMs });
    const last = w.records.findLast((r) => r.type === 'frame')!.at;
    const record = w.generations.get('s')!;
    expect(record).toMatchObject({ progress: 'orphaned', final_text: null, last_seq: 0 });
    const resolvedAt = Date.parse(record.resolved_at!);
    // resolved_at is saved to the millisecond.
    expect(resolvedAt).toBeGreaterThanOrEqual(Math.floor(last + orphanAfterMs));
    expect(resolvedAt).toBeLessThan(last + orphanAfterMs + sweepEveryMs);
    // The run ends with that sweep: the watcher's last look is then.
    expect(Math.floor(w.clock.now())).toBe(resolvedAt);
    expect(w.session).toMatchObject({ status: 'orphaned', terminalStates: [], maxSequence: 7, stalls: 1 });
    expect(detectedAnomalies(w.session)).toEqual(expectedAnomalies(w.run.truth.sessions[0]!, { stallAfterMs: 400 }));
  });
});
