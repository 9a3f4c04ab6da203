import { describe, expect, it } from 'vitest';
import { builtinContract } from '../../../shared/contract';
import { serializeJournal, type JournalRecord } from '../../../shared/journal';
import { AppService } from './app-service';

/**
 * A stream without sequence numbers (the Laravel AI SDK's) through the headless host's App API:
 * with the `laravel-ai` contract set, the row, the detail, the timeline (points at their
 * positions, replay and duplicate markers), the texts and the session's events all show it. The
 * journal is written by hand as the SDK broadcasts: a crashed invocation (its second delta
 * delivered twice), then the retry under a new invocation_id.
 */

const T0 = 1_764_669_600_000;
const CHANNEL = 'private-chat.42';
let n = 0;
const frame = (at: number, invocation: string, type: string, extra: Record<string, unknown> = {}): JournalRecord => ({
  type: 'frame',
  at: T0 + at,
  connection: 'c1',
  channel: CHANNEL,
  event: type,
  data: { id: `evt-${++n}`, invocation_id: invocation, type, timestamp: 1_764_669_600, ...extra },
});
const journal = (): JournalRecord[] => {
  n = 0;
  // ids in generation order, as the SDK's time-ordered ids are
  const start = frame(20, 'inv-1', 'stream_start', { provider: 'anthropic', model: 'claude', metadata: [] });
  const the = frame(40, 'inv-1', 'text_delta', { message_id: 'm1', delta: 'The ' });
  const answer = frame(60, 'inv-1', 'text_delta', { message_id: 'm1', delta: 'answer' });
  return [
    { type: 'subscription', at: T0, connection: 'c1', channel: CHANNEL, status: 'subscribed' },
    start,
    the,
    answer,
    { ...answer, at: T0 + 70 },
    frame(5000, 'inv-2', 'stream_start', { provider: 'anthropic', model: 'claude', metadata: [] }),
    frame(5020, 'inv-2', 'text_delta', { message_id: 'm2', delta: 'The ' }),
    frame(5040, 'inv-2', 'text_delta', { message_id: 'm2', delta: 'answer' }),
    frame(5060, 'inv-2', 'text_delta', { message_id: 'm2', delta: ' is 42.' }),
    frame(5080, 'inv-2', 'stream_end', { reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 4 } }),
  ];
};

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('an event-stream contract through the App API', () => {
  it('laravel-ai: the row, the detail, the timeline, the texts and the events of the session', async () => {
    const app = new AppService({ transport: 'browser', version: 't', clock: () => T0 + 10_000, monitor: { tickMs: 60_000 } });
    try {
      must(await app.invoke('monitor.profile', { profile: builtinContract('laravel-ai')! as unknown as Record<string, unknown> }));
      must(await app.invoke('journal.import', { fileName: 'ai.ndjson', content: serializeJournal(journal(), '2026-12-02T10:00:00Z') }));

      const rows = must(await app.invoke('sessions.list', {})).rows;
      expect(rows).toHaveLength(1);
      // 7 analyzed events: 2 deltas + 1 redelivery in the crashed run, 3 deltas + stream_end in the retry (stream_starts are not events)
      expect(rows[0]).toMatchObject({ sessionId: '42', status: 'completed', terminationCode: 'stop', events: 7, duplicates: 3, replays: 1, attempts: 2 });

      const detail = must(await app.invoke('sessions.get', { sessionId: '42' }));
      expect(detail.text).toBe('The answer is 42.');
      expect(detail.row.ttftFrom).toBe('start_event');

      const timeline = must(await app.invoke('sessions.timeline', { sessionId: '42' }));
      // two attempts, every point at its position, none at 0: the crashed run 1 2 (2 again: the
      // redelivery, a duplicate marker), the retry 1 (a replay marker) 2 (a re-sent position: a
      // duplicate point) 3, and the stream_end at 4 (a terminal marker)
      expect(timeline.attempts.map((a) => a.points.map((p) => [p.y, p.kind]))).toEqual([
        [
          [1, 'new'],
          [2, 'new'],
        ],
        [
          [2, 'duplicate'],
          [3, 'new'],
        ],
      ]);
      expect((timeline.markers.duplicate ?? []).map((p) => p.y)).toEqual([2]);
      expect((timeline.markers.replay ?? []).map((p) => p.y)).toEqual([1]);
      expect((timeline.markers.terminal ?? []).map((p) => p.y)).toEqual([4]);

      const text = must(await app.invoke('sessions.text', { sessionId: '42' }));
      expect(text.correct.map((s) => s.text).join('')).toBe('The answer is 42.');
      expect(text.naive.map((s) => s.text).join('')).toBe('The answeranswerThe answer is 42.');

      // the journal keys the session as the contract does (the channel's suffix): its events are all there
      const events = must(await app.invoke('sessions.events', { sessionId: '42', limit: 100 }));
      expect(events.map((e) => e.event)).toEqual([
        'stream_start',
        'text_delta',
        'text_delta',
        'text_delta',
        'stream_start',
        'text_delta',
        'text_delta',
        'text_delta',
        'stream_end',
      ]);
    } finally {
      app.close();
    }
  });
});
