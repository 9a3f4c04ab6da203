import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNdjsonJournal, serializeJournal, type FrameRecord, type JournalRecord } from '../../../shared/journal';
import { JournalService } from '../journal/journal-service';
import { startJournalWorker, type JournalWorker } from '../journal/journal-worker-host';
import { AppService } from './app-service';

/**
 * A user's own sequenced contract, every name renamed, end to end through the headless host's App
 * API with its real file journal (in its worker thread): two conversations streamed on one user
 * channel (`private-users.7`), told apart only by `conversation_id`. The journal's own key for
 * both is the channel's suffix, "7": the session's events and its export must come from the
 * contract's key instead. Written by hand; what each call must return follows from the frames.
 */

const T0 = 1_764_669_600_000;
const CHANNEL = 'private-users.7';
const CONTRACT = {
  name: 'acme',
  event: '.ai.token',
  channel: 'private-users.{user}',
  fields: { sessionId: 'conversation_id', chunk: 'text', sequence: 'n', state: 'status', terminationCode: 'stop_reason', emittedAt: null },
  states: { streaming: 'generating', done: 'completed', cut: 'truncated' },
};

const token = (at: number, conversation: string, n: number, text: string, status = 'streaming', stop: string | null = null): FrameRecord => ({
  type: 'frame',
  at: T0 + at,
  connection: 'c1',
  channel: CHANNEL,
  event: 'ai.token',
  data: { conversation_id: conversation, text, n, status, stop_reason: stop },
});

/** c1: "Hi there" with #2 delivered twice, then done; c2: "Yo" cut after #2 — interleaved on the one channel. */
const journal: JournalRecord[] = [
  { type: 'subscription', at: T0, connection: 'c1', channel: CHANNEL, status: 'subscribed' },
  token(10, 'c1', 1, 'Hi'),
  token(20, 'c2', 1, 'Y'),
  token(30, 'c1', 2, ' there'),
  token(40, 'c1', 2, ' there'),
  token(50, 'c2', 2, 'o'),
  token(60, 'c1', 3, '', 'done', 'end_turn'),
  token(70, 'c2', 3, '', 'cut', 'max_tokens'),
];

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

let worker: JournalWorker | undefined;
afterEach(async () => {
  await worker?.close();
  worker = undefined;
});

describe('a custom contract with renamed fields through the App API and the journal', () => {
  it('drives the verdict, the timeline, the text, the session’s events and its export', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'echoscope-custom-')), 'journal');
    worker = await startJournalWorker(directory, () => undefined);
    const journalService = new JournalService(worker.journal, { location: directory, clock: () => T0 + 10_000 });
    const app = new AppService({
      transport: 'browser',
      version: 't',
      clock: () => T0 + 10_000,
      monitor: { tickMs: 60_000 },
      journal: journalService,
      sessionEvents: (scope, limit) => journalService.sessionEvents(scope, limit),
    });
    try {
      must(await app.invoke('monitor.profile', { profile: CONTRACT }));
      must(await app.invoke('journal.import', { fileName: 'acme.ndjson', content: serializeJournal(journal, '2026-12-02T10:00:00Z') }));

      const rows = must(await app.invoke('sessions.list', {})).rows;
      const byId = new Map(rows.map((row) => [row.sessionId, row]));
      expect([...byId.keys()].sort()).toEqual(['c1', 'c2']);
      expect(byId.get('c1')).toMatchObject({
        channel: CHANNEL,
        status: 'completed',
        terminationCode: 'end_turn',
        events: 4,
        duplicates: 1,
        maxSequence: 3,
        contract: { name: 'acme', confidence: 'given' },
      });
      expect(byId.get('c2')).toMatchObject({ status: 'truncated', terminationCode: 'max_tokens', events: 3, duplicates: 0 });

      // the timeline: every point at its `n` (none at 0), the redelivered #2 a duplicate marker, #3 the terminal marker
      const timeline = must(await app.invoke('sessions.timeline', { sessionId: 'c1' }));
      expect(timeline.attempts.flatMap((a) => a.points.map((p) => [p.y, p.kind]))).toEqual([
        [1, 'new'],
        [2, 'new'],
      ]);
      expect((timeline.markers.duplicate ?? []).map((p) => p.y)).toEqual([2]);
      expect((timeline.markers.terminal ?? []).map((p) => p.y)).toEqual([3]);

      const text = must(await app.invoke('sessions.text', { sessionId: 'c1' }));
      expect(text.correct.map((s) => s.text).join('')).toBe('Hi there');
      expect(text.naive.map((s) => s.text).join('')).toBe('Hi there there');

      // the journal holds both conversations under its key "7"; the session's events are c1's alone
      const events = must(await app.invoke('sessions.events', { sessionId: 'c1', limit: 100 }));
      expect(events.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 2, 3]);
      expect(new Set(events.map((e) => (e.data as { conversation_id: string }).conversation_id))).toEqual(new Set(['c1']));

      const exported = must(await app.invoke('journal.export', { sessionId: 'c2' }));
      const lines = parseNdjsonJournal(exported.content).records;
      // the channel's subscription (when c2 could first arrive) and c2's three tokens
      expect(lines.map((r) => (r.type === 'frame' ? `${(r.data as { conversation_id: string }).conversation_id}#${(r.data as { n: number }).n}` : r.type))).toEqual([
        'subscription',
        'c2#1',
        'c2#2',
        'c2#3',
      ]);
    } finally {
      app.close();
      await journalService.close();
    }
  });
});
