/**
 * Issue 17: the seed's own stack. A real Laravel 8 app (test/laravel-app) runs the seed's
 * ProcessAiCompletion job on `queue:work` workers over Redis, broadcasting the queued
 * AiTokenBroadcast with the redis broadcaster to laravel-echo-server; the app's own frontend
 * (laravel-echo) and EchoScope's headless core (App API, a `socketio` profile with discovery and
 * reconciliation) watch. Each plan's expected verdict is derived from the PHP side only (the
 * publish-order broadcast log, the queue's events, the final rows): truth.ts.
 * Skipped with a printed reason where PHP or a peer is missing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionDetail } from '../../shared/api';
import { startEchoScope, startFrontend, type EchoScopeHost } from './clients';
import { laravelUnavailableReason, startLaravelStack, waitFor, type Broadcast, type LaravelStack, type PlanSession, type StackOptions } from './stack';
import { expectedMismatches, expectedVerdict, type ExpectedVerdict, type Timing } from './truth';

const reason = laravelUnavailableReason();
if (reason) console.log(`[laravel] the seed's stack is skipped: ${reason}`);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function stackFor(options: StackOptions): Promise<LaravelStack> {
  const stack = await startLaravelStack(options);
  cleanups.push(() => stack.close());
  return stack;
}

/** Up and watching: the frontend on the session's channel, EchoScope discovered it and is in. */
async function watching(stack: LaravelStack, sessionId: string, ids = ['es'], options: Parameters<typeof startEchoScope>[2] = {}): Promise<EchoScopeHost> {
  const frontend = await startFrontend(stack, sessionId);
  cleanups.push(() => frontend.close());
  const host = await startEchoScope(stack, ids, { settleMs: 1000, ...options });
  cleanups.push(() => host.close());
  await host.ready(sessionId);
  return host;
}

/** The PHP side says the job is over: its last attempt processed, or the queue failed it; nothing left on the queue. */
async function jobOver(stack: LaravelStack, sessionId: string, timeoutMs = 30_000): Promise<Broadcast[]> {
  await waitFor(`${sessionId}'s job to end`, () => stack.queueEvents(sessionId).some((e) => e.event === 'processed' || e.event === 'failed'), timeoutMs, () => JSON.stringify(stack.queueEvents(sessionId)));
  await waitFor('the queue to drain', () => stack.queueDrained(), 15_000);
  const published = await stack.published(sessionId);
  // the harness checks itself: the broadcaster's log is what went on the wire, in the same order
  const wire = stack.sniffed.filter((b) => b.data.session_id === sessionId);
  expect(wire.map((b) => [b.data.sequence, b.data.state])).toEqual(published.map((b) => [b.data.sequence, b.data.state]));
  return published;
}

/** The verdict fields compared with the truth. */
function verdictOf(detail: SessionDetail) {
  const { row } = detail;
  return {
    status: row.status, terminalStates: row.terminalStates, terminationCode: row.terminationCode, events: row.events, uniqueSequences: row.uniqueSequences,
    maxSequence: row.maxSequence, duplicates: row.duplicates, conflicts: row.conflicts, replays: row.replays, attempts: row.attempts, outOfOrder: row.outOfOrder,
    afterTerminal: row.afterTerminal, missing: row.missing, gaps: detail.gaps, text: detail.text, naiveText: detail.naiveText,
  };
}

/** EchoScope (one connection) got everything published; its verdict and its reconciliation equal the truth. */
async function expectTruth(stack: LaravelStack, host: EchoScopeHost, sessionId: string, published: Broadcast[], connection = 'es', timing?: Timing): Promise<ExpectedVerdict> {
  await waitFor(`EchoScope (${connection}) to receive all ${published.length} broadcasts`, () => host.frames(connection, sessionId).length >= published.length, 15_000, () => `${host.frames(connection, sessionId).length}`);
  const truth = expectedVerdict(published, timing);
  const detail = await host.detail(sessionId, connection);
  const { stalls, ...verdict } = truth;
  const order = published.map((b) => `${b.data.sequence}${b.data.state === 'generating' ? '' : `!${b.data.state}`}`).join(' ');
  expect(verdictOf(detail), `publish order: ${order}`).toEqual(verdict);
  expect(detail.row.disconnects).toBe(0);
  expect(detail.row.violations).toBe(0);
  if (stalls !== undefined) expect(detail.row.stalls).toBe(stalls);
  // reconciliation against the final record (asked once the PHP side is done: "Check record again")
  const record = await stack.generation(sessionId);
  const result = await host.reconcile(sessionId, connection);
  expect(result.error).toBeUndefined();
  expect(result.mismatches.map((m) => (m.field === 'text' ? { field: m.field } : { field: m.field, expected: m.expected, received: m.received }))).toEqual(
    expectedMismatches(record, truth).map((m) => (m.field === 'text' ? { field: m.field } : m)),
  );
  return truth;
}

const plan = (session: PlanSession): PlanSession => ({ token_ms: 15, tries: 2, backoff: [1], ...session });

describe.skipIf(reason !== null)("the seed's stack: Laravel 8, queue:work on Redis, laravel-echo-server", () => {
  it('clean: 45 tokens end_turn → completed, nothing else; the record agrees', async () => {
    const stack = await stackFor({ workers: 2 });
    const host = await watching(stack, 'clean');
    await stack.dispatch([plan({ session_id: 'clean', tokens: 45 })]);
    const published = await jobOver(stack, 'clean');
    expect(stack.queueEvents('clean').map((e) => [e.event, e.attempt])).toEqual([['processing', 1], ['processed', 1]]);
    expect(await stack.generation('clean')).toMatchObject({ progress: 'completed', last_seq: 45, termination_code: 'end_turn' });
    const truth = await expectTruth(stack, host, 'clean', published);
    expect(truth).toMatchObject({ status: 'completed', terminationCode: 'end_turn', uniqueSequences: 46, duplicates: 0, replays: 0 });
  }, 60_000);
});
