import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../shared/journal';
import { Monitor } from './monitor';
import { reconcileSession } from './reconciler';

/**
 * The record describes the job's last attempt. A retry that ended lower than the first attempt
 * got (the crash was late, the retry stopped at max_tokens) saves its own last_seq: that is no
 * mismatch. The app's record route is played by a small HTTP server.
 */

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function recordRoute(record: Record<string, unknown>): Promise<string> {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(record)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/generations/{sessionId}`;
}

const event = (at: number, sequence: number, chunk: string, state = 'generating', code: string | null = null): JournalRecord => ({
  type: 'frame',
  at,
  connection: 'c1',
  channel: 'private-ai.r',
  event: 'chunk.delivered',
  data: { session_id: 'r', chunk, sequence, state, termination_code: code },
});

describe('reconciliation after a retry', () => {
  it('compares last_seq with the last attempt, not with the highest sequence ever received', async () => {
    const monitor = new Monitor({ clock: () => 100_000 });
    // attempt 1: #1..#6 then the worker dies; the retry streams #1..#3 and is cut at max_tokens (#4)
    const words = ['a', 'b', 'c', 'd', 'e', 'f'];
    words.forEach((w, i) => monitor.ingest(event(10 * i, i + 1, w)));
    ['a', 'b', 'c'].forEach((w, i) => monitor.ingest(event(5000 + 10 * i, i + 1, w)));
    monitor.ingest(event(5040, 4, '', 'truncated', 'max_tokens'));
    const detail = monitor.detail('r')!;
    expect(detail.row).toMatchObject({ attempts: 2, maxSequence: 6, lastAttempt: { attempt: 2, from: 1, to: 4 } });

    const url = await recordRoute({ session_id: 'r', progress: 'truncated', last_seq: 3, final_text: 'abc', termination_code: 'max_tokens' });
    const result = await reconcileSession({ url, headers: {} }, 'r', detail, () => 100_000);
    // last_seq 3 = the retry's last token (its terminal took 4): no last_seq mismatch. The text does differ:
    // a client keeping the first chunk of each sequence shows "abcdef", the record says "abc".
    expect(result.mismatches.map((m) => m.field)).toEqual(['text']);
  });
});
