/**
 * Reconciliation follows the record: a small node:http server plays the Laravel app's
 * `GET /api/generations/{id}` route, whose record the test rewrites after the first terminal
 * (a `failed()` hook, a retry that completes with other text), as a real app does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReconcileResult } from '../../../shared/api';
import type { JournalRecord } from '../../../shared/journal';
import { VirtualClock } from '../../../test-support/virtual-clock';
import { Monitor } from './monitor';
import { RecordFollower } from './record-follower';

/** The app's record route: records the test rewrites at will; every answer is counted. */
async function recordServer(): Promise<{ url: string; records: Map<string, Record<string, unknown>>; close(): Promise<void> }> {
  const records = new Map<string, Record<string, unknown>>();
  const server: Server = createServer((req, res) => {
    const id = decodeURIComponent(/^\/api\/generations\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
    const record = records.get(id);
    if (!record) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    // Laravel resources wrap the model in `data`.
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: record }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/generations/{sessionId}`, records, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function generation(id: string, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    session_id: id,
    progress: 'active',
    last_seq: 0,
    accumulated_text: '',
    final_text: null,
    termination_code: null,
    failure_detail: null,
    initiated_at: 1,
    last_save_at: null,
    resolved_at: null,
    ...fields,
  };
}

/** A monitor fed by hand, a follower wired to it as the App service wires them, and a way to wait for results. */
async function harness(settleMs = 1000, orphanAfterMs?: number) {
  const app = await recordServer();
  cleanups.push(() => app.close());
  // One clock for the monitor's times, the follower's check times and its settle timers.
  const timers = new VirtualClock(1_000_000);
  const monitor = new Monitor({
    clock: timers.now,
    timers,
    tickMs: 3_600_000,
    ...(orphanAfterMs === undefined ? {} : { analyzer: { orphanAfterMs, stallAfterMs: orphanAfterMs / 2 } }),
  });
  const results: Array<{ sessionId: string; result: ReconcileResult }> = [];
  const waiters: Array<() => void> = [];
  const follower = new RecordFollower(
    {
      target: () => ({ url: app.url, headers: {}, settleMs }),
      detail: (sessionId) => monitor.detail(sessionId),
      result: (sessionId, result) => {
        monitor.recordReconcile(sessionId, result);
        results.push({ sessionId, result });
        for (const wake of waiters.splice(0)) wake();
      },
    },
    { timers, clock: timers.now },
  );
  cleanups.push(() => follower.close());
  monitor.onUpdate((update) => follower.rowsChanged(update.items));
  monitor.onSessionEnd((sessionId, row) => follower.ended(sessionId, row));
  const frame = (id: string, sequence: number, chunk: string, state = 'generating', code: string | null = null) => {
    timers.advance(20);
    const record: JournalRecord = {
      type: 'frame',
      at: timers.now(),
      connection: 'p',
      channel: `private-ai.${id}`,
      event: 'chunk.delivered',
      data: { session_id: id, chunk, sequence, state, termination_code: code },
    };
    monitor.ingest(record);
  };
  /** Resolves with the nth result (1-based) of a session, waiting for it. */
  const nthResult = async (sessionId: string, n: number): Promise<ReconcileResult> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const mine = results.filter((r) => r.sessionId === sessionId);
      if (mine.length >= n) return mine[n - 1]!.result;
      if (Date.now() > deadline) throw new Error(`timed out waiting for check ${n} of ${sessionId} (have ${mine.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  };
  const tick = () => monitor.tick();
  return { app, timers, monitor, follower, frame, tick, nthResult, results, advance: (ms: number) => timers.advance(ms) };
}

describe('a session that never ends', () => {
  it('is compared once when it goes silent (orphaned), and only once', async () => {
    // Built: three tokens, then the worker died (SIGKILL on every attempt); the failed() hook set orphaned.
    const h = await harness(1000, 10_000);
    h.app.records.set('d1', generation('d1', { progress: 'orphaned', last_seq: 3, accumulated_text: 'abc' }));
    h.frame('d1', 1, 'a');
    h.frame('d1', 2, 'b');
    h.frame('d1', 3, 'c');
    h.tick();
    h.advance(9_000);
    h.tick();
    expect(h.results).toHaveLength(0);
    h.advance(1_000);
    h.tick();
    const silent = await h.nthResult('d1', 1);
    expect(silent).toMatchObject({ trigger: 'silent', ok: true, mismatches: [] });
    h.advance(60_000);
    h.tick();
    h.advance(60_000);
    h.tick();
    expect(h.results).toHaveLength(1);
  });

  it('a silent session whose record says it finished is a mismatch the comparison names', async () => {
    const h = await harness(1000, 10_000);
    h.app.records.set('d2', generation('d2', { progress: 'completed', last_seq: 4, final_text: 'abcd' }));
    h.frame('d2', 1, 'a');
    h.frame('d2', 2, 'b');
    h.tick();
    h.advance(10_000);
    h.tick();
    const silent = await h.nthResult('d2', 1);
    expect(silent.trigger).toBe('silent');
    expect(silent.mismatches.map((m) => m.field).sort()).toEqual(['last_seq', 'progress', 'text']);
  });
});

describe('reconciliation follows the record after the first terminal', () => {
  it('failed → orphaned: the settle check finds what the check at the first terminal could not', async () => {
    const h = await harness();
    h.app.records.set('o1', generation('o1', { progress: 'failed', last_seq: 3, accumulated_text: 'abc', termination_code: 'exception', last_save_at: '2026-12-02T08:00:00Z' }));
    h.frame('o1', 1, 'a');
    h.frame('o1', 2, 'b');
    h.frame('o1', 3, 'c');
    h.frame('o1', 4, '', 'errored', 'exception');
    h.tick();
    const first = await h.nthResult('o1', 1);
    expect(first).toMatchObject({ ok: true, trigger: 'terminal', mismatches: [], savedAt: '2026-12-02T08:00:00Z' });

    // The job's failed() hook runs after the stream ended: the record now says orphaned. No event says so.
    h.app.records.set('o1', { ...h.app.records.get('o1')!, progress: 'orphaned', last_save_at: '2026-12-02T08:00:09Z' });
    h.advance(999);
    expect(h.results).toHaveLength(1);
    h.advance(1);
    const settled = await h.nthResult('o1', 2);
    expect(settled).toMatchObject({ ok: false, trigger: 'settled', savedAt: '2026-12-02T08:00:09Z' });
    expect(settled.mismatches).toEqual([expect.objectContaining({ field: 'progress', expected: 'orphaned', received: 'errored' })]);
    expect(settled.recordVersion).not.toBe(first.recordVersion);
    expect(settled.history!.map((c) => [c.trigger, c.ok, c.recordVersion])).toEqual([
      ['terminal', true, first.recordVersion],
      ['settled', false, settled.recordVersion],
    ]);
    // The monitor shows it as the session's anomaly.
    expect(h.monitor.detail('o1')!.anomalies.some((a) => a.kind === 'reconcile_mismatch')).toBe(true);

    // The record moved between the last two checks: one more look after another settle window; then it is stable and following stops.
    h.advance(1000);
    const again = await h.nthResult('o1', 3);
    expect(again).toMatchObject({ trigger: 'settled', recordVersion: settled.recordVersion });
    expect(h.timers.pending).toBe(0);
  });

  it('failed → completed with other text: the retry after the terminal is compared again and the text mismatch shows where the texts part', async () => {
    const h = await harness();
    const prefix = 'Once upon a time there was a fox who lived in the woods. ';
    h.app.records.set('r1', generation('r1', { progress: 'failed', last_seq: 2, accumulated_text: `${prefix}It was`, termination_code: 'exception' }));
    h.frame('r1', 1, prefix);
    h.frame('r1', 2, 'It was');
    h.frame('r1', 3, '', 'errored', 'exception');
    h.tick();
    expect(await h.nthResult('r1', 1)).toMatchObject({ ok: true, trigger: 'terminal' });

    // The queue retries: the second attempt re-broadcasts from #1 with other tokens and completes; the app saves its text.
    h.frame('r1', 1, prefix);
    h.frame('r1', 2, 'It is');
    h.tick();
    const activity = await h.nthResult('r1', 2);
    expect(activity.trigger).toBe('activity');
    h.app.records.set(
      'r1',
      generation('r1', { progress: 'completed', last_seq: 2, accumulated_text: `${prefix}It is`, final_text: `${prefix}It is`, termination_code: 'end_turn' }),
    );
    h.frame('r1', 3, '', 'completed', 'end_turn');
    h.tick();
    const retried = await h.nthResult('r1', 3);
    expect(retried.trigger).toBe('terminal');
    const text = retried.mismatches.find((m) => m.field === 'text');
    expect(text).toMatchObject({ at: prefix.length + 'It '.length });
    expect(text!.expected).toMatch(/It is$/);
    expect(text!.received).toMatch(/It was$/);
    expect(text!.detail).toContain(`first differ at character ${prefix.length + 3}`);
  });

  it('a mismatch the app fixes later is shown as resolved, not dropped', async () => {
    const h = await harness();
    // The app broadcasts the terminal before it saves: at the first terminal the record still says active.
    h.app.records.set('f1', generation('f1', { progress: 'active', last_seq: 1, accumulated_text: 'a' }));
    h.frame('f1', 1, 'a');
    h.frame('f1', 2, 'b');
    h.frame('f1', 3, '', 'completed', 'end_turn');
    h.tick();
    const first = await h.nthResult('f1', 1);
    expect(first.ok).toBe(false);
    expect(first.mismatches.map((m) => m.field)).toContain('progress');

    h.app.records.set('f1', generation('f1', { progress: 'completed', last_seq: 2, accumulated_text: 'ab', final_text: 'ab', termination_code: 'end_turn' }));
    h.advance(1000);
    const settled = await h.nthResult('f1', 2);
    expect(settled).toMatchObject({ ok: true, mismatches: [] });
    expect(settled.resolved!.map((r) => r.field).sort()).toEqual(first.mismatches.map((m) => m.field).sort());
    expect(settled.resolved![0]).toMatchObject({ firstSeenAt: first.checkedAt, resolvedAt: settled.checkedAt, recordVersion: settled.recordVersion });
    expect(h.monitor.detail('f1')!.anomalies.some((a) => a.kind === 'reconcile_mismatch')).toBe(false);
    expect(h.monitor.detail('f1')!.reconcile?.resolved).toHaveLength(first.mismatches.length);
  });

  it('checks asked for while one runs are coalesced into one more, and open sessions are not followed on every event', async () => {
    const h = await harness();
    h.app.records.set('c1', generation('c1', { progress: 'completed', last_seq: 1, final_text: 'a', accumulated_text: 'a' }));
    h.frame('c1', 1, 'a');
    h.frame('c1', 2, '', 'completed', 'end_turn');
    h.tick();
    const manual = [h.follower.check('c1', 'manual'), h.follower.check('c1', 'manual'), h.follower.check('c1', 'manual')];
    await Promise.all(manual);
    // The terminal's check was running: the three manual ones became one more.
    expect(h.results.filter((r) => r.sessionId === 'c1').map((r) => r.result.trigger)).toEqual(['terminal', 'manual']);

    h.app.records.set('open', generation('open', {}));
    h.frame('open', 1, 'x');
    h.tick();
    await h.follower.check('open', 'reconnect');
    h.frame('open', 2, 'y');
    h.tick();
    await h.follower.flush();
    expect(h.results.filter((r) => r.sessionId === 'open').map((r) => r.result.trigger)).toEqual(['reconnect']);
  });
});
