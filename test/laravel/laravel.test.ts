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
import type { FrameRecord } from '../../shared/journal';
import { startEchoScope, startFrontend, startWatch, watchUnavailableReason, type EchoScopeHost, type Frontend, type Watch } from './clients';
import { laravelUnavailableReason, startLaravelStack, waitFor, type Broadcast, type LaravelStack, type PlanSession, type QueueEvent, type StackOptions } from './stack';
import { expectedMismatches, expectedVerdict, STALL_MARGIN_MS, type ExpectedVerdict, type Timing } from './truth';

const reason = laravelUnavailableReason();
if (reason && process.env.ECHOSCOPE_REQUIRE_LARAVEL) throw new Error(`the Laravel suite must run here (ECHOSCOPE_REQUIRE_LARAVEL) but cannot: ${reason}`);
if (reason) console.log(`[laravel] the seed's stack is skipped: ${reason}`);
const watchReason = watchUnavailableReason();
if (!reason && watchReason && process.env.ECHOSCOPE_REQUIRE_LARAVEL) throw new Error(`the Laravel suite must run \`echoscope watch\` here but cannot: ${watchReason}`);
if (!reason && watchReason) console.log(`[laravel] echoscope watch is left out of the plans: ${watchReason}`);

const cleanups: Array<() => Promise<void> | void> = [];
let running: LaravelStack[] = [];
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') for (const stack of running) console.log(`[laravel] ${context.task.name}:\n${stack.diagnostics()}`);
  running = [];
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function stackFor(options: StackOptions): Promise<LaravelStack> {
  // a free port can be taken by another process between its pick and its use: one more try then
  const stack = await startLaravelStack(options).catch((error: Error) => {
    console.log(`[laravel] the stack did not start, trying once more: ${error.message.slice(0, 300)}`);
    return startLaravelStack(options);
  });
  running.push(stack);
  cleanups.push(() => stack.close());
  return stack;
}

interface Observers {
  frontend: Frontend;
  host: EchoScopeHost;
  /** `echoscope watch --json`, where EchoScope is built. */
  watch: Watch | null;
}

/** Up and watching: the frontend on the session's channel; EchoScope's host and `watch` discovered it and are in. */
async function watching(stack: LaravelStack, sessionId: string, ids = ['es'], options: Parameters<typeof startEchoScope>[2] = {}): Promise<Observers> {
  const frontend = await startFrontend(stack, sessionId);
  cleanups.push(() => frontend.close());
  const host = await startEchoScope(stack, ids, { settleMs: 1000, ...options });
  cleanups.push(() => host.close());
  const watch = watchReason ? null : startWatch(stack, stack.dir, options);
  if (watch) cleanups.push(async () => void (await watch.stop().catch(() => undefined)));
  await host.ready(sessionId);
  await watch?.ready(sessionId);
  return { frontend, host, watch };
}

/** The PHP side says the job is over: its last attempt processed, or the queue failed it; nothing left on the queue. */
async function jobOver(stack: LaravelStack, sessionId: string, timeoutMs = 30_000): Promise<Broadcast[]> {
  // Over: an attempt processed, or the job failed — and Laravel has reported that attempt's exception,
  // which it does last (after failed(), the failed_jobs row and deleting the job).
  const over = (events: QueueEvent[]) =>
    events.some((e) => e.event === 'processed') ||
    events.some((f) => f.event === 'failed' && events.some((e) => e.event === 'exception' && e.attempt === f.attempt && e.at >= f.at));
  await waitFor(
    `${sessionId}'s job to end`,
    () => over(stack.queueEvents(sessionId)),
    timeoutMs,
    () => JSON.stringify(stack.queueEvents(sessionId)),
  );
  await waitFor('the queue to drain', () => stack.queueDrained(), 15_000);
  const published = await stack.published(sessionId);
  // the harness checks itself: the broadcaster's log is what went on the wire, in the same order
  const wireOf = () => stack.sniffed.filter((b) => b.data.session_id === sessionId);
  await waitFor('the sniffer to see every publish', () => wireOf().length >= published.length, 5000);
  const wire = wireOf();
  expect(wire.map((b) => [b.data.sequence, b.data.state])).toEqual(published.map((b) => [b.data.sequence, b.data.state]));
  // Queued broadcasts handled by two workers can be published out of order: say so when it happened.
  const seen = expectedVerdict(published);
  if (seen.outOfOrder > 0)
    console.log(`[laravel] ${sessionId}: published out of order (${seen.outOfOrder} out of order, ${seen.afterTerminal} after the terminal): ${orderOf(published)}`);
  return published;
}

/** `1 2 3!completed`: the publish order, for messages. */
const orderOf = (published: Broadcast[]) => published.map((b) => `${b.data.sequence}${b.data.state === 'generating' ? '' : `!${b.data.state}`}`).join(' ');

/** The verdict fields compared with the truth. */
function verdictOf(detail: SessionDetail) {
  const { row } = detail;
  return {
    status: row.status,
    terminalStates: row.terminalStates,
    terminationCode: row.terminationCode,
    events: row.events,
    uniqueSequences: row.uniqueSequences,
    maxSequence: row.maxSequence,
    duplicates: row.duplicates,
    conflicts: row.conflicts,
    replays: row.replays,
    attempts: row.attempts,
    outOfOrder: row.outOfOrder,
    afterTerminal: row.afterTerminal,
    missing: row.missing,
    gaps: detail.gaps,
    text: detail.text,
    naiveText: detail.naiveText,
  };
}

/** EchoScope's host (one connection) got everything published; its verdict and its reconciliation equal the truth. */
async function expectHost(
  stack: LaravelStack,
  host: EchoScopeHost,
  sessionId: string,
  published: Broadcast[],
  connection = 'es',
  thresholds: Partial<Omit<Timing, 'nowMs'>> = {},
  disconnects = 0,
): Promise<ExpectedVerdict> {
  await waitFor(
    `EchoScope (${connection}) to receive all ${published.length} broadcasts`,
    () => host.frames(connection, sessionId).length >= published.length,
    15_000,
    () => `${host.frames(connection, sessionId).length}`,
  );
  const truth = expectedVerdict(published, { stallAfterMs: 8000, orphanAfterMs: 300_000, ...thresholds, nowMs: Date.now() });
  const detail = await host.detail(sessionId, connection);
  const { stalls, stallsAmbiguous: _a, ...verdict } = truth;
  expect(verdictOf(detail), `publish order: ${orderOf(published)}`).toEqual(verdict);
  expect(detail.row.disconnects, 'disconnects').toBe(disconnects);
  expect(detail.row.violations).toBe(0);
  if (truth.stallsAmbiguous) console.log(`[laravel] ${sessionId}: a silence within ${STALL_MARGIN_MS} ms of the stall threshold: stalls not compared`);
  else expect(detail.row.stalls, 'stalls').toBe(stalls);
  // reconciliation against the final record (asked once the PHP side is done: "Check record again")
  const record = await stack.generation(sessionId);
  const result = await host.reconcile(sessionId, connection);
  expect(result.error).toBeUndefined();
  expect(result.mismatches.map((m) => (m.field === 'text' ? { field: m.field } : { field: m.field, expected: m.expected, received: m.received }))).toEqual(
    expectedMismatches(record, truth).map((m) => (m.field === 'text' ? { field: m.field } : m)),
  );
  return truth;
}

/** `watch` got everything published; its verdict and reconciliation equal the truth, and `analyze` of its journal equals its verdict. */
async function expectWatch(
  stack: LaravelStack,
  watch: Watch,
  sessionId: string,
  published: Broadcast[],
  thresholds: Partial<Omit<Timing, 'nowMs'>> = {},
  disconnects = 0,
): Promise<void> {
  await waitFor(
    `echoscope watch to journal all ${published.length} broadcasts`,
    () => watch.frames(sessionId).length >= published.length,
    15_000,
    () => `${watch.frames(sessionId).length}`,
  );
  const nowMs = Date.now();
  const verdict = await watch.stop();
  const truth = expectedVerdict(published, { stallAfterMs: 8000, orphanAfterMs: 300_000, ...thresholds, nowMs });
  const { stalls, stallsAmbiguous: _a, ...expected } = truth;
  const session = verdict.sessions.find((s) => s.sessionId === sessionId);
  if (!session) throw new Error(`watch has no verdict for ${sessionId}: ${verdict.sessions.map((s) => s.sessionId).join(', ')}`);
  const fields = Object.keys(expected) as Array<keyof typeof expected>;
  expect(Object.fromEntries(fields.map((f) => [f, session[f]])), `watch; publish order: ${orderOf(published)}`).toEqual(expected);
  expect(session).toMatchObject({ ...(truth.stallsAmbiguous ? {} : { stalls }), disconnects, violations: 0 });
  // watch follows the record on its own (terminal, settle, end): its last comparison against the final record
  const record = await stack.generation(sessionId);
  const reconciled = verdict.reconciliation?.find((r) => r.sessionId === sessionId)?.result;
  // a session that never ended (no terminal event) is compared too: when it went silent, or when the watch stopped
  expect(reconciled, `watch compared ${sessionId} with its record`).toBeDefined();
  expect(reconciled?.error).toBeUndefined();
  expect(reconciled?.mismatches.map((m) => (m.field === 'text' ? { field: m.field } : { field: m.field, expected: m.expected, received: m.received }))).toEqual(
    expectedMismatches(record, truth).map((m) => (m.field === 'text' ? { field: m.field } : m)),
  );
  // the journal says the same offline
  const analyzed = await watch.analyze();
  expect(analyzed.sessions).toEqual(verdict.sessions);
}

/** Both EchoScopes: the host through its App API, and `watch`. */
async function expectTruth(
  stack: LaravelStack,
  observers: Observers,
  sessionId: string,
  published: Broadcast[],
  thresholds: Partial<Omit<Timing, 'nowMs'>> = {},
  disconnects = 0,
): Promise<ExpectedVerdict> {
  const truth = await expectHost(stack, observers.host, sessionId, published, 'es', thresholds, disconnects);
  if (observers.watch) await expectWatch(stack, observers.watch, sessionId, published, thresholds, disconnects);
  return truth;
}

const plan = (session: PlanSession): PlanSession => ({ token_ms: 15, tries: 2, backoff: [1], ...session });

describe.skipIf(reason !== null)("the seed's stack: Laravel 8, queue:work on Redis, laravel-echo-server", () => {
  it('clean: 45 tokens end_turn → completed, nothing else; the record agrees', async () => {
    const stack = await stackFor({ workers: 2 });
    const observers = await watching(stack, 'clean');
    // Dispatched right after EchoScope subscribed, most often within the same second: Laravel saves
    // initiated_at to the second, so that subscription is neither before nor after the saved start.
    await stack.dispatch([plan({ session_id: 'clean', tokens: 45 })]);
    const published = await jobOver(stack, 'clean');
    expect(stack.queueEvents('clean').map((e) => [e.event, e.attempt])).toEqual([
      ['processing', 1],
      ['processed', 1],
    ]);
    expect(await stack.generation('clean')).toMatchObject({ progress: 'completed', last_seq: 45, termination_code: 'end_turn' });
    const truth = await expectTruth(stack, observers, 'clean', published);
    expect(truth).toMatchObject({ status: 'completed', terminationCode: 'end_turn', uniqueSequences: 46, duplicates: 0, replays: 0 });
    // TTFT from the record's initiated_at (Laravel saves it to the second, UTC): first token's publish − that
    const record = await stack.generation('clean');
    const initiatedAt = Date.parse(String(record.initiated_at));
    expect(Number.isFinite(initiatedAt)).toBe(true);
    const row = (await observers.host.detail('clean')).row;
    // subscribed before the job's second ended: TTFT is measured from it (docs/detection.md)
    expect(row.coverage.subscribedAt).toBeLessThan(initiatedAt + 1000);
    expect(row).toMatchObject({ joinedLate: false, ttftFrom: 'record' });
    expect(row.ttftMs).toBeGreaterThanOrEqual(published[0]!.at - initiatedAt - 5);
    expect(row.ttftMs).toBeLessThan(published[0]!.at - initiatedAt + 1000);
  }, 60_000);

  it('max_tokens: the provider stops at the limit (message_delta.stop_reason) → truncated, max_tokens', async () => {
    const stack = await stackFor({ workers: 2 });
    const observers = await watching(stack, 'cut');
    await stack.dispatch([plan({ session_id: 'cut', tokens: 30, stop_reason: 'max_tokens' })]);
    const published = await jobOver(stack, 'cut');
    expect(await stack.generation('cut')).toMatchObject({ progress: 'truncated', termination_code: 'max_tokens', last_seq: 30 });
    const truth = await expectTruth(stack, observers, 'cut', published);
    expect(truth).toMatchObject({ status: 'truncated', terminationCode: 'max_tokens' });
  }, 60_000);

  it('stop_sequence: completed, with the code saying why it stopped', async () => {
    const stack = await stackFor({ workers: 2 });
    const observers = await watching(stack, 'stopseq');
    await stack.dispatch([plan({ session_id: 'stopseq', tokens: 25, stop_reason: 'stop_sequence', stop_sequence: '\n\nHuman:' })]);
    const published = await jobOver(stack, 'stopseq');
    expect(await stack.generation('stopseq')).toMatchObject({ progress: 'completed', termination_code: 'stop_sequence' });
    const truth = await expectTruth(stack, observers, 'stopseq', published);
    expect(truth).toMatchObject({ status: 'completed', terminationCode: 'stop_sequence' });
  }, 60_000);

  it('an exception, then success: errored, the retry replays from #1 and reuses the errored sequence for a token', async () => {
    const stack = await stackFor({ workers: 2 });
    const observers = await watching(stack, 'flaky');
    await stack.dispatch([plan({ session_id: 'flaky', tokens: 30, faults: [{ kind: 'exception', attempt: 1, after: 12 }] })]);
    const published = await jobOver(stack, 'flaky');
    expect(stack.queueEvents('flaky').map((e) => [e.event, e.attempt])).toEqual([
      ['processing', 1],
      ['exception', 1],
      ['processing', 2],
      ['processed', 2],
    ]);
    // the seed leaves the first attempt's failure_detail on the completed record
    expect(await stack.generation('flaky')).toMatchObject({
      progress: 'completed',
      last_seq: 30,
      termination_code: 'end_turn',
      failure_detail: expect.stringContaining('overloaded_error'),
    });
    expect(stack.failedJobs()).toEqual([]);
    const truth = await expectTruth(stack, observers, 'flaky', published);
    // #13 was the errored terminal ('') and is the retry's 13th token: a conflict, and the correct client's text lacks it
    expect(truth).toMatchObject({ status: 'completed', terminalStates: ['errored', 'completed'], replays: 1, conflicts: 1 });
  }, 60_000);

  it('an exception on every attempt: errored twice; failed() overwrites the record with orphaned — a reconciliation mismatch', async () => {
    const stack = await stackFor({ workers: 2 });
    const observers = await watching(stack, 'doomed');
    await stack.dispatch([plan({ session_id: 'doomed', tokens: 30, faults: [{ kind: 'exception', after: 12 }] })]);
    const published = await jobOver(stack, 'doomed');
    // on the last attempt Laravel 8 fails the job (failed() runs, JobFailed) before it reports the exception
    expect(stack.queueEvents('doomed').map((e) => [e.event, e.attempt])).toEqual([
      ['processing', 1],
      ['exception', 1],
      ['processing', 2],
      ['failed', 2],
      ['exception', 2],
    ]);
    expect(await stack.generation('doomed')).toMatchObject({ progress: 'orphaned', last_seq: 12, termination_code: 'exception' });
    const failed = stack.failedJobs();
    expect(failed).toHaveLength(1);
    expect(failed[0]!.exception).toContain('ProviderError');
    const truth = await expectTruth(stack, observers, 'doomed', published);
    expect(truth).toMatchObject({ status: 'errored', terminalStates: ['errored'], replays: 1 });
    expect(expectedMismatches(await stack.generation('doomed'), truth).map((m) => m.field)).toEqual(['progress']);
  }, 60_000);

  it('a worker SIGKILLed mid-stream: after retry_after another worker retries the job, which replays from #1 and completes', async () => {
    const stack = await stackFor({ workers: 2, retryAfterSeconds: 3 });
    const observers = await watching(stack, 'killed');
    await stack.dispatch([plan({ session_id: 'killed', tokens: 40, faults: [{ kind: 'sigkill', attempt: 1, after: 15 }] })]);
    const published = await jobOver(stack, 'killed');
    const attempts = stack.queueEvents('killed');
    expect(attempts.map((e) => [e.event, e.attempt])).toEqual([
      ['processing', 1],
      ['processing', 2],
      ['processed', 2],
    ]);
    expect(attempts[1]!.pid).not.toBe(attempts[0]!.pid);
    expect(stack.deaths).toEqual([expect.objectContaining({ pid: attempts[0]!.pid, signal: 'SIGKILL' })]);
    // retry_after counts from the reservation, in whole seconds (the reserved job's score is a Unix timestamp):
    // the retry starts 2–3 s after the first attempt did
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(await stack.generation('killed')).toMatchObject({ progress: 'completed', last_seq: 40 });
    const truth = await expectTruth(stack, observers, 'killed', published);
    expect(truth).toMatchObject({ status: 'completed', terminalStates: ['completed'], replays: 1, duplicates: 15, conflicts: 0 });
  }, 60_000);

  it('SIGKILL on every attempt: no terminal ever; the queue fails the job and failed() sets orphaned; EchoScope says orphaned', async () => {
    const stack = await stackFor({ workers: 2, retryAfterSeconds: 3 });
    const thresholds = { stallAfterMs: 1000, orphanAfterMs: 5000 };
    const observers = await watching(stack, 'silent', ['es'], thresholds);
    await stack.dispatch([plan({ session_id: 'silent', tokens: 60, faults: [{ kind: 'sigkill', after: 45 }] })]);
    const published = await jobOver(stack, 'silent');
    expect(stack.queueEvents('silent').map((e) => [e.event, e.attempt])).toEqual([
      ['processing', 1],
      ['processing', 2],
      ['processing', 3],
      ['failed', 3],
      ['exception', 3],
    ]);
    expect(stack.deaths.map((d) => d.signal)).toEqual(['SIGKILL', 'SIGKILL']);
    expect(stack.failedJobs()[0]!.exception).toContain('MaxAttemptsExceededException');
    // the checkpoint at #40 is the last save: the record is behind what the client saw (45)
    expect(await stack.generation('silent')).toMatchObject({ progress: 'orphaned', last_seq: 40 });
    // no signal will come: the verdict is taken once the last broadcast is older than the orphan threshold
    const last = published.at(-1)!.at;
    await waitFor('the orphan threshold to pass', () => Date.now() >= last + thresholds.orphanAfterMs + 1500, 20_000);
    const truth = await expectTruth(stack, observers, 'silent', published, thresholds);
    expect(truth).toMatchObject({ status: 'orphaned', terminalStates: [], replays: 1, duplicates: 45 });
  }, 60_000);

  it('a stall longer than the threshold: the provider goes silent mid-stream, then completes: one stall', async () => {
    const stack = await stackFor({ workers: 2, retryAfterSeconds: 30 });
    const thresholds = { stallAfterMs: 2000 };
    const observers = await watching(stack, 'stall', ['es'], thresholds);
    await stack.dispatch([plan({ session_id: 'stall', tokens: 20, faults: [{ kind: 'stall', attempt: 1, after: 8, ms: 3500 }] })]);
    const published = await jobOver(stack, 'stall');
    const truth = await expectTruth(stack, observers, 'stall', published, thresholds);
    expect(truth).toMatchObject({ status: 'completed', stalls: 1 });
  }, 60_000);

  it('EchoScope joining late (after the job started) is not blamed for the head it never watched', async () => {
    const stack = await stackFor({ workers: 2 });
    const frontend = await startFrontend(stack, 'late');
    cleanups.push(() => frontend.close());
    await stack.dispatch([plan({ session_id: 'late', tokens: 300 })]);
    // the job is under way: the app's own frontend has its first tokens
    await waitFor('the frontend to get 10 tokens', () => frontend.received() >= 10, 20_000);
    const host = await startEchoScope(stack, ['es'], { settleMs: 1000 });
    cleanups.push(() => host.close());
    const watch = watchReason ? null : startWatch(stack, stack.dir);
    if (watch) cleanups.push(async () => void (await watch.stop().catch(() => undefined)));
    const published = await jobOver(stack, 'late');
    const ended = (frames: FrameRecord[]) => frames.some((f) => (f.data as { state?: string }).state === 'completed');
    await waitFor('EchoScope to get the terminal', () => ended(host.frames('es', 'late')) && (!watch || ended(watch.frames('late'))), 15_000);
    const record = await stack.generation('late');

    /** What a late joiner got is exactly the wire from its first event on; its verdict follows from that suffix. */
    const expectedFor = (frames: FrameRecord[]) => {
      const got = frames.map((f) => (f.data as { sequence: number }).sequence);
      const from = got[0]!;
      expect(from).toBeGreaterThan(10);
      const suffix = published.slice(published.findIndex((b) => b.data.sequence === from));
      expect(got).toEqual(suffix.map((b) => b.data.sequence));
      const { stalls: _s, stallsAmbiguous: _a, ...verdict } = expectedVerdict(suffix, undefined, from);
      return { from, verdict };
    };

    const hostTruth = expectedFor(host.frames('es', 'late'));
    const detail = await host.detail('late');
    expect(verdictOf(detail)).toEqual(hostTruth.verdict);
    expect(detail.row).toMatchObject({ joinedLate: true, coverage: { fromSequence: hostTruth.from }, ttftMs: null, ttftNote: 'joined_late' });
    // The record holds the whole text, the late joiner the tail it watched: the job completed and the
    // client got exactly the wire's tail, so its record agrees on every field (text as the record's end).
    expect(String(record.final_text).endsWith(detail.text)).toBe(true);
    expect(record).toMatchObject({ progress: 'completed' });
    const reconciled = await host.reconcile('late', 'es');
    expect(reconciled).toMatchObject({ ok: true, mismatches: [] });

    if (watch) {
      const watchTruth = expectedFor(watch.frames('late'));
      const verdict = await watch.stop();
      const session = verdict.sessions.find((v) => v.sessionId === 'late')!;
      expect(Object.fromEntries(Object.keys(watchTruth.verdict).map((f) => [f, session[f]]))).toEqual(watchTruth.verdict);
      expect(session).toMatchObject({ joinedLate: true, coverage: { fromSequence: watchTruth.from }, ttftMs: null, ttftNote: 'joined_late' });
      expect(String(record.final_text).endsWith(String(session.text))).toBe(true);
      expect(verdict.reconciliation?.find((r) => r.sessionId === 'late')?.result).toMatchObject({ ok: true, mismatches: [] });
      expect((await watch.analyze()).sessions).toEqual(verdict.sessions);
    }
  }, 60_000);

  it('two EchoScope connections: two observations, each equal to the truth, nobody lost anything', async () => {
    const stack = await stackFor({ workers: 2 });
    const observers = await watching(stack, 'pair', ['es-a', 'es-b']);
    await stack.dispatch([plan({ session_id: 'pair', tokens: 40 })]);
    const published = await jobOver(stack, 'pair');
    await expectHost(stack, observers.host, 'pair', published, 'es-a');
    await expectHost(stack, observers.host, 'pair', published, 'es-b');
    if (observers.watch) await expectWatch(stack, observers.watch, 'pair', published);
    const detail = await observers.host.detail('pair');
    expect(detail.observations.map((o) => o.connection).sort()).toEqual(['es-a', 'es-b']);
    expect(detail.comparison?.observations.map((o) => o.lost)).toEqual([[], []]);
  }, 60_000);

  it('laravel-echo-server restarted while a session is silent: every client drops once, comes back, and nothing is lost', async () => {
    const stack = await stackFor({ workers: 2 });
    const observers = await watching(stack, 'restart');
    const { frontend, host, watch } = observers;
    // the provider holds after #10 until the test releases it: the restart happens in that silence
    await stack.dispatch([plan({ session_id: 'restart', tokens: 25, faults: [{ kind: 'hold', attempt: 1, after: 10, ms: 30_000 }] })]);
    const delivered = (n: number) => frontend.received() >= n && host.frames('es', 'restart').length >= n && (watch?.frames('restart').length ?? n) >= n;
    await waitFor('#1–#10 to reach every client', () => delivered(10), 20_000);
    expect((await stack.published('restart')).length).toBe(10);
    await stack.les.restart();
    // every client is back on the channel: a probe sent after the restart reaches each of them
    const before = { frontend: frontend.probes(), host: host.probes('es', 'restart'), watch: watch?.probes('restart') ?? 0 };
    await waitFor(
      'every client to rejoin after the restart',
      async () => {
        if (frontend.probes() > before.frontend && host.probes('es', 'restart') > before.host && (!watch || watch.probes('restart') > before.watch)) return true;
        await stack.les.broadcast('private-ai.restart', 'echoscope.probe', {});
        await new Promise((r) => setTimeout(r, 200));
        return false;
      },
      20_000,
    );
    await stack.release('restart');
    const published = await jobOver(stack, 'restart');
    const truth = await expectTruth(stack, observers, 'restart', published, {}, 1);
    expect(truth).toMatchObject({ status: 'completed', missing: 0, events: 26 });
  }, 90_000);

  it('as many AI jobs as workers: broadcasts wait until a job ends, then two workers publish the backlog in any order', async () => {
    const stack = await stackFor({ workers: 2 });
    const ids = ['fleet-a', 'fleet-b'];
    const frontends = await Promise.all(ids.map((id) => startFrontend(stack, id)));
    for (const f of frontends) cleanups.push(() => f.close());
    const host = await startEchoScope(stack, ['es'], { settleMs: 1000 });
    cleanups.push(() => host.close());
    for (const id of ids) await host.ready(id);
    await stack.dispatch(ids.map((id) => plan({ session_id: id, tokens: 25 })));
    for (const id of ids) {
      const published = await jobOver(stack, id);
      await expectHost(stack, host, id, published);
    }
    // the PHP side: no token went out before the first AI job returned (both workers were busy streaming)
    const firstEnd = Math.min(
      ...stack
        .queueEvents()
        .filter((e) => e.event === 'processed')
        .map((e) => e.at),
    );
    const firstPublish = Math.min(...(await stack.published()).map((b) => b.at));
    expect(firstPublish).toBeGreaterThanOrEqual(firstEnd - 5);
  }, 90_000);

  /** Two AI jobs on two workers with one of the fixes: the PHP side publishes each session in order, while the job runs. */
  async function fixKeepsOrder(stack: LaravelStack, ids: string[], session: Partial<PlanSession>): Promise<void> {
    const frontends = await Promise.all(ids.map((id) => startFrontend(stack, id)));
    for (const f of frontends) cleanups.push(() => f.close());
    const host = await startEchoScope(stack, ['es'], { settleMs: 1000 });
    cleanups.push(() => host.close());
    for (const id of ids) await host.ready(id);
    await stack.dispatch(ids.map((id) => plan({ session_id: id, tokens: 25, ...session })));
    for (const id of ids) {
      const published = await jobOver(stack, id);
      // in order: 1..25, then the terminal 26
      expect(published.map((b) => b.data.sequence)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
      // live: the first token went out while the job still ran
      const processed = stack.queueEvents(id).find((e) => e.event === 'processed')!;
      expect(published[0]!.at).toBeLessThan(processed.at);
      const truth = await expectHost(stack, host, id, published);
      expect(truth).toMatchObject({ outOfOrder: 0, status: 'completed' });
    }
  }

  it('the fix ShouldBroadcastNow: each token published by the job itself, in order, while it streams', async () => {
    const stack = await stackFor({ workers: 2 });
    await fixKeepsOrder(stack, ['now-a', 'now-b'], { broadcast_now: true });
  }, 60_000);

  it('the fix "broadcasts on their own queue, one worker": in order, while the AI jobs stream', async () => {
    const stack = await stackFor({ workers: 2, broadcastQueue: 'broadcasts' });
    await fixKeepsOrder(stack, ['own-a', 'own-b'], {});
  }, 60_000);
});
