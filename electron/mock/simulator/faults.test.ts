import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePayload, DEFAULT_PROFILE } from '../../../shared/contract';
import { detectedAnomalies, expectedAnomalies, parseScenario, publishedEvents, type ScenarioInput, type SessionGroupInput } from '../../../shared/scenario';
import type { SessionVerdict } from '../../../shared/analysis';
import { startMockServer, type MockServer } from '../index';
import { observeScenario, type Observation, type PusherClientOptions } from '../../../test-support/scenario-observer';

/**
 * Every fault, watched by a real pusher-js client: the client sees exactly the injected effect,
 * what it received is what the ground truth says was sent, and the analyzer's anomalies equal
 * the ones the ground truth predicts.
 */

// Real sockets, real time: room above a loaded machine's timer delays, so only a planned silence
// reaches the threshold. The exact gaps, stalls and sweeps are asserted in virtual time (fault-timing.test.ts).
const STALL_MS = 400;
const ORPHAN_MS = 700;
let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

let counter = 0;
async function watch(group: Omit<SessionGroupInput, 'id'>, extra: Partial<ScenarioInput> = {}, client?: PusherClientOptions): Promise<Observation & { session: SessionVerdict }> {
  counter += 1;
  const id = `f${counter}`;
  const scenario = parseScenario({
    name: `fault-${counter}`,
    seed: 42,
    tokens: 20,
    timing: { ttftMs: 5, interTokenMs: { uniform: [1, 3] } },
    orphanAfterMs: ORPHAN_MS,
    ...extra,
    sessions: [{ id, ...group }],
  });
  const observation = await observeScenario(server, scenario, { analyzer: { stallAfterMs: STALL_MS, orphanAfterMs: ORPHAN_MS - 20 }, ...(client ? { client } : {}) });
  const session = observation.verdict.sessions.find((s) => s.sessionId === id);
  if (!session) throw new Error(`no verdict for ${id}`);
  return { ...observation, session };
}

/** What the client received, in order, against what the ground truth says was published. */
function expectTruthMatchesClient(o: Observation): void {
  for (const truth of o.run.truth.sessions) {
    const published = publishedEvents(truth);
    const got = o.received.get(truth.channel) ?? [];
    expect(got.length).toBe(published.length);
    published.forEach((event, i) => {
      const payload = got[i];
      const verdict = validatePayload(DEFAULT_PROFILE, payload, truth.channel);
      if (event.delivery === 'sent') {
        expect(verdict.ok, `event ${i} (seq ${event.sequence}) should be valid`).toBe(true);
        const p = payload as Record<string, unknown>;
        expect([p.sequence, p.state, p.chunk, p.termination_code]).toEqual([event.sequence, event.state, event.chunk, event.terminationCode]);
      } else {
        expect(verdict.ok, `event ${i} (seq ${event.sequence}) should be ${event.delivery}`).toBe(false);
      }
    });
  }
}

function expectDetectionsMatchTruth(o: Observation & { session: SessionVerdict }): void {
  const truth = o.run.truth.sessions[0]!;
  expect(detectedAnomalies(o.session)).toEqual(expectedAnomalies(truth, { stallAfterMs: STALL_MS }));
}

/** Connection states the client went through (the last `disconnected` is the test closing it). */
const connectionStates = (o: Observation): string[] => o.records.filter((r) => r.type === 'connection').map((r) => (r as { state: string }).state);

const sequencesOf = (o: Observation, channel: string): number[] => (o.received.get(channel) ?? []).map((p) => (p as { sequence: number }).sequence);

describe('faults observed by a real pusher-js client', () => {
  it('crash after 40 tokens + 1 retry: sequences 1..40 twice, then the rest, replays 1', async () => {
    const o = await watch({ tokens: 50, faults: [{ kind: 'crash', afterTokens: 40, retry: { tries: 3, backoffMs: 20 } }] });
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    expect(sequencesOf(o, o.session.channel)).toEqual([...range(1, 40), ...range(1, 51)]);
    expect(o.session).toMatchObject({ status: 'completed', replays: 1, duplicates: 40, conflicts: 0, missing: 0 });
    expect(o.session.text).toBe(o.run.truth.sessions[0]!.finalText);
    expect(server.generations.get(o.session.sessionId)).toMatchObject({ progress: 'completed', last_seq: 50, termination_code: 'end_turn' });
    expectTruthMatchesClient(o);
    expectDetectionsMatchTruth(o);
  });

  it('crash with the idempotency guard: the retry resumes after last_seq (only the unsaved tokens repeat)', async () => {
    const o = await watch({ tokens: 50, faults: [{ kind: 'crash', afterTokens: 30, retry: { tries: 2, backoffMs: 10, idempotent: true } }] }, { checkpoint: { everyTokens: 20 } });
    expect(o.session).toMatchObject({ status: 'completed', replays: 0, duplicates: 10, missing: 0 });
    expect(o.run.truth.sessions[0]!.faults.map((f) => f.kind)).toEqual(['crash', 'retry']);
    expectTruthMatchesClient(o);
    expectDetectionsMatchTruth(o);
  });

  it('crash on every try: the failed() hook broadcasts errored, the record is failed', async () => {
    const o = await watch({ faults: [{ kind: 'crash', afterTokens: 5, times: 2, retry: { tries: 2, backoffMs: 10 } }] });
    expect(o.session).toMatchObject({ status: 'errored', terminationCode: 'exception', replays: 1 });
    expect(server.generations.get(o.session.sessionId)).toMatchObject({ progress: 'failed' });
    expectDetectionsMatchTruth(o);
  });

  it('truncation: max_tokens, stop_sequence, and completed-with-max_tokens (no clear signal)', async () => {
    const a = await watch({ faults: [{ kind: 'truncate', afterTokens: 8 }] });
    expect(a.session).toMatchObject({ status: 'truncated', terminationCode: 'max_tokens', maxSequence: 9 });
    expect(server.generations.get(a.session.sessionId)).toMatchObject({ progress: 'truncated', final_text: a.session.text });
    const b = await watch({ faults: [{ kind: 'truncate', afterTokens: 8, code: 'stop_sequence' }] });
    expect(b.session).toMatchObject({ status: 'truncated', terminationCode: 'stop_sequence' });
    const c = await watch({ faults: [{ kind: 'truncate', afterTokens: 8, state: 'completed' }] });
    expect(c.session).toMatchObject({ status: 'completed', terminationCode: 'max_tokens' });
    for (const o of [a, b, c]) expectDetectionsMatchTruth(o);
  });

  it('error without retry ends errored; with retry a terminal_conflict and after-terminal tokens follow', async () => {
    const a = await watch({ faults: [{ kind: 'error', afterTokens: 6 }] });
    expect(a.session).toMatchObject({ status: 'errored', terminationCode: 'exception', terminalStates: ['errored'] });
    expect(server.generations.get(a.session.sessionId)).toMatchObject({ progress: 'failed' });
    const b = await watch({ tokens: 10, faults: [{ kind: 'error', afterTokens: 2, retry: { backoffMs: 10 } }] });
    expect(b.session).toMatchObject({ status: 'completed', terminalStates: ['errored', 'completed'], replays: 1, duplicates: 3, conflicts: 1, afterTerminal: 11 });
    expect(b.session.anomalies.some((x) => x.kind === 'terminal_conflict')).toBe(true);
    for (const o of [a, b]) {
      expectTruthMatchesClient(o);
      expectDetectionsMatchTruth(o);
    }
  });

  it('silent death: no terminal, the record stays active until the sweeper marks it orphaned', async () => {
    const o = await watch({ faults: [{ kind: 'silent-death', afterTokens: 7 }] });
    expect(o.session).toMatchObject({ status: 'orphaned', terminalStates: [], maxSequence: 7, stalls: 1 });
    expect(server.generations.get(o.session.sessionId)).toMatchObject({ progress: 'orphaned', final_text: null });
    expectDetectionsMatchTruth(o);
  });

  it('crash without retry: the job never runs again, the record is swept', async () => {
    const o = await watch({ faults: [{ kind: 'crash', afterTokens: 4 }] });
    expect(o.session.status).toBe('orphaned');
    expect(server.generations.get(o.session.sessionId)?.progress).toBe('orphaned');
    expectDetectionsMatchTruth(o);
  });

  it('stall: one silence longer than the heartbeat, then the stream resumes', async () => {
    const o = await watch({ faults: [{ kind: 'stall', afterTokens: 5, durationMs: STALL_MS + 150 }] }, { orphanAfterMs: 2000 });
    expect(o.session).toMatchObject({ status: 'completed', stalls: 1 });
    expectDetectionsMatchTruth(o);
  });

  it('reorder: the chosen event arrives `window` events late', async () => {
    const o = await watch({ tokens: 8, faults: [{ kind: 'reorder', sequences: [3], window: 2 }] });
    expect(sequencesOf(o, o.session.channel)).toEqual([1, 2, 4, 5, 3, 6, 7, 8, 9]);
    expect(o.session).toMatchObject({ outOfOrder: 1, missing: 0 });
    expectTruthMatchesClient(o);
    expectDetectionsMatchTruth(o);
  });

  it('drop: listed sequences never arrive (gaps), and by probability reproducibly', async () => {
    const a = await watch({ tokens: 10, faults: [{ kind: 'drop', sequences: [4, 5, 8] }] });
    expect(a.session.gaps).toEqual([
      { from: 4, to: 5 },
      { from: 8, to: 8 },
    ]);
    const b = await watch({ tokens: 40, faults: [{ kind: 'drop', probability: 0.2 }] });
    const dropped = b.run.truth.sessions[0]!.events.filter((e) => e.delivery === 'dropped').length;
    expect(dropped).toBeGreaterThan(0);
    expect(b.session.missing).toBe(dropped);
    for (const o of [a, b]) {
      expectTruthMatchesClient(o);
      expectDetectionsMatchTruth(o);
    }
  });

  it('duplicate delivery: copies of the chosen events', async () => {
    const o = await watch({ tokens: 6, faults: [{ kind: 'duplicate', sequences: [2, 5], copies: 2 }] });
    expect(sequencesOf(o, o.session.channel)).toEqual([1, 2, 2, 2, 3, 4, 5, 5, 5, 6, 7]);
    expect(o.session).toMatchObject({ duplicates: 4, conflicts: 0, replays: 0 });
    expectDetectionsMatchTruth(o);
  });

  it('tokens after the terminal event', async () => {
    const o = await watch({ tokens: 6, faults: [{ kind: 'after-terminal', tokens: 2 }] });
    expect(sequencesOf(o, o.session.channel)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(o.session).toMatchObject({ status: 'completed', afterTerminal: 2 });
    expectDetectionsMatchTruth(o);
  });

  it.each(['string-sequence', 'missing-state', 'unknown-state', 'broken-json'] as const)('malformed payload: %s (then resent)', async (variant) => {
    const o = await watch({ tokens: 6, faults: [{ kind: 'malformed', variant, sequences: [3] }] });
    expect(o.session).toMatchObject({ violations: 1, missing: 0, status: 'completed' });
    expect(o.session.anomalies.filter((a) => a.kind === 'violation')).toHaveLength(1);
    if (variant === 'broken-json') expect(typeof o.received.get(o.session.channel)![2]).toBe('string');
    expectTruthMatchesClient(o);
    expectDetectionsMatchTruth(o);
  });

  it('malformed without resend leaves a gap', async () => {
    const o = await watch({ tokens: 6, faults: [{ kind: 'malformed', variant: 'unknown-state', sequences: [3], resend: false }] });
    expect(o.session).toMatchObject({ violations: 1, missing: 1 });
    expectDetectionsMatchTruth(o);
  });

  it('oversize payload (over 10,240 bytes, delivered in-process past the HTTP limit)', async () => {
    const o = await watch({ tokens: 6, faults: [{ kind: 'oversize', sequences: [2], bytes: 12_000 }] });
    const oversize = o.session.anomalies.filter((a) => a.kind === 'oversize');
    expect(oversize).toHaveLength(1);
    expect(oversize[0]!.reason).toMatch(/exceeds 10240/);
    expect(o.session).toMatchObject({ violations: 1, missing: 0 });
    expectTruthMatchesClient(o);
    expectDetectionsMatchTruth(o);
  });

  it('latency spike: the client sees the delayed event, no stall (its gap is asserted exactly in fault-timing.test.ts)', async () => {
    const o = await watch({ tokens: 8, faults: [{ kind: 'latency-spike', sequences: [4], delayMs: 80 }] });
    expect(o.session.stalls).toBe(0);
    expectTruthMatchesClient(o);
    expectDetectionsMatchTruth(o);
  });

  it('abandoned (client cancel)', async () => {
    const o = await watch({ faults: [{ kind: 'abandon', afterTokens: 4 }] });
    expect(o.session).toMatchObject({ status: 'abandoned', terminationCode: 'client_cancelled', maxSequence: 5 });
    expect(server.generations.get(o.session.sessionId)).toMatchObject({ progress: 'failed' });
    expectDetectionsMatchTruth(o);
  });

  it('disconnect with a fatal code (4009): the client is dropped, reconnects, the stream waits for it, nothing is lost', async () => {
    const o = await watch({ tokens: 12, faults: [{ kind: 'disconnect', afterTokens: 5, code: 4009 }] });
    const states = connectionStates(o);
    expect(states).toEqual(['connected', 'disconnected', 'connecting', 'connected', 'disconnected']);
    expect(o.session).toMatchObject({ disconnects: 1, missing: 0, status: 'completed' });
    expect(o.run.truth.sessions[0]!.faults.find((f) => f.kind === 'disconnect')).toMatchObject({ code: 4009, afterSequence: 5 });
    expectTruthMatchesClient(o);
    expectDetectionsMatchTruth(o);
  });

  it('disconnect with 4200: pusher-js reconnects at once (connected → connecting → connected), nothing is lost', async () => {
    const o = await watch({ tokens: 12, faults: [{ kind: 'disconnect', afterTokens: 5, code: 4200 }] });
    expect(connectionStates(o)).toEqual(['connected', 'connecting', 'connected', 'disconnected']);
    expect(o.session).toMatchObject({ missing: 0, status: 'completed', duplicates: 0 });
    expectTruthMatchesClient(o);
  });

  // Known analyzer gap (reported): pusher-js never passes through unavailable/disconnected when
  // the server closes with 4100–4299 or a pong times out, and DESIGN §5 rule 8 counts a drop only
  // on those states, so the injected disconnect goes unseen. Flips to passing once `connecting`
  // after `connected` counts as a drop; then drop the `.fails`.
  it('the analyzer counts the 4200 reconnect as a disconnect', async () => {
    const o = await watch({ tokens: 12, faults: [{ kind: 'disconnect', afterTokens: 5, code: 4200 }] });
    expectDetectionsMatchTruth(o);
  });

  it('ping silence: the server ignores the client’s ping, pusher-js gives up on the socket and reconnects', async () => {
    const o = await watch(
      {
        tokens: 8,
        faults: [
          { kind: 'ping-silence', afterTokens: 3, durationMs: 5000 },
          { kind: 'stall', afterTokens: 3, durationMs: 900 },
        ],
      },
      { orphanAfterMs: 2000 },
      { activityTimeout: 150, pongTimeout: 150 },
    );
    // The client pinged during the stall, no pong came, it dropped the socket and connected again.
    expect(connectionStates(o)).toEqual(['connected', 'connecting', 'connected', 'disconnected']);
    const reconnectedAt = o.records.findLastIndex((r) => r.type === 'connection' && r.state === 'connected');
    const pongsBefore = o.records.slice(0, reconnectedAt).filter((r) => r.type === 'frame' && r.event === 'pusher:pong');
    expect(pongsBefore).toHaveLength(0);
    expect(o.session).toMatchObject({ status: 'completed', missing: 0 });
    expect(o.run.truth.sessions[0]!.faults.map((f) => f.kind)).toContain('ping-silence');
  });

  it('the generation record: queued → active → completed, checkpointed every 40 tokens', async () => {
    counter += 1;
    const id = `rec${counter}`;
    const progress: string[] = [];
    const seen: number[] = [];
    const original = server.generations.update.bind(server.generations);
    server.generations.update = (sessionId, patch) => {
      if (sessionId === id) {
        if (patch.progress) progress.push(patch.progress);
        if (patch.last_seq !== undefined && patch.progress === undefined) seen.push(patch.last_seq);
      }
      return original(sessionId, patch);
    };
    try {
      const scenario = parseScenario({ name: 'record', tokens: 100, timing: { ttftMs: 2, interTokenMs: 0.5 }, sessions: [{ id }] });
      await observeScenario(server, scenario);
    } finally {
      server.generations.update = original;
    }
    expect(progress).toEqual(['active', 'completed']);
    expect(seen).toEqual([40, 80]);
    const record = server.generations.get(id)!;
    expect(record.last_seq).toBe(100);
    expect(record.final_text).toBe(record.accumulated_text);
    const response = await fetch(`${server.httpUrl}/api/generations/${id}`);
    expect(await response.json()).toMatchObject({ session_id: id, progress: 'completed', last_seq: 100 });
  });
});
