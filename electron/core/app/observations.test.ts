import { describe, expect, it } from 'vitest';
import { serializeJournal, type JournalRecord } from '../../../shared/journal';
import { AppService } from './app-service';

/**
 * Observations through the App API (issue 15): a session seen from two vantages is one row with
 * two observations; the detail shows each observation's own verdict and timeline, and who got
 * what. Expected values follow from the journals built here.
 */

const T0 = 1732262400000;
const frame = (at: number, sequence: number, connection: string, state = 'generating'): JournalRecord => ({
  type: 'frame',
  at: T0 + at,
  connection,
  channel: 'private-ai.s1',
  event: 'chunk.delivered',
  data: { session_id: 's1', chunk: state === 'generating' ? `t${sequence} ` : '', sequence, state, termination_code: state === 'generating' ? null : 'end_turn' },
});
const recording = (connection: string, skip: number[] = []): JournalRecord[] => {
  const out: JournalRecord[] = [{ type: 'subscription', at: T0, connection, channel: 'private-ai.s1', status: 'subscribed' }];
  for (let s = 1; s <= 10; s++) if (!skip.includes(s)) out.push(frame(10 * s, s, connection));
  out.push(frame(110, 11, connection, 'completed'));
  return out;
};

function service(): AppService {
  return new AppService({ transport: 'browser', version: 't', clock: () => T0 + 1000, monitor: { tickMs: 60_000 } });
}

describe('observations through the App API', () => {
  it('two imported recordings of one session stay two sources: one row, two observations, no invented duplicates', async () => {
    const app = service();
    try {
      // both files call their connection c1; the second one lost #4 and #5
      for (const [name, records] of [
        ['alice.ndjson', recording('c1')],
        ['bob.ndjson', recording('c1', [4, 5])],
      ] as const) {
        const imported = await app.invoke('journal.import', { fileName: name, content: serializeJournal(records, '2024-11-22T08:00:00Z') });
        expect(imported.ok).toBe(true);
      }
      const list = await app.invoke('sessions.list', {});
      if (!list.ok) throw new Error(list.error.message);
      expect(list.value.rows).toHaveLength(1);
      expect(list.value.rows[0]).toMatchObject({
        sessionId: 's1',
        observations: 2,
        duplicates: 0,
        afterTerminal: 0,
        missing: 2,
        deliveryLoss: 2,
        source: 'alice.ndjson',
        events: 11,
      });

      const detail = await app.invoke('sessions.get', { sessionId: 's1' });
      if (!detail.ok) throw new Error(detail.error.message);
      expect(detail.value.observations.map((o) => [o.source, o.connection, o.events, o.missing, o.deliveryLoss])).toEqual([
        ['alice.ndjson', 'c1', 11, 0, 0],
        ['bob.ndjson', 'c1', 9, 2, 2],
      ]);
      expect(detail.value.comparison?.observations.map((o) => o.lost)).toEqual([[], [{ from: 4, to: 5 }]]);
      // the default observation is the fullest one; the other is one `vantage` away
      expect(detail.value.text).toBe(Array.from({ length: 10 }, (_, i) => `t${i + 1} `).join(''));
      const bob = detail.value.observations[1]!.vantage;
      const bobDetail = await app.invoke('sessions.get', { sessionId: 's1', vantage: bob });
      if (!bobDetail.ok) throw new Error(bobDetail.error.message);
      expect(bobDetail.value).toMatchObject({ vantage: bob, gaps: [{ from: 4, to: 5 }] });
      expect(bobDetail.value.anomalies.map((a) => a.kind).sort()).toEqual(['delivery_loss', 'gap']);

      // each observation's timeline is its own stream: 11 and 9 frames, no duplicate markers
      const mine = await app.invoke('sessions.timeline', { sessionId: 's1' });
      const theirs = await app.invoke('sessions.timeline', { sessionId: 's1', vantage: bob });
      if (!mine.ok || !theirs.ok) throw new Error('timeline failed');
      expect([mine.value.frames, theirs.value.frames]).toEqual([11, 9]);
      expect(mine.value.markers.duplicate ?? []).toEqual([]);
      expect(theirs.value.markers.duplicate ?? []).toEqual([]);
      expect(theirs.value.gaps).toEqual([{ from: 4, to: 5 }]);
    } finally {
      app.close();
    }
  });

  it('an unknown vantage is not found, not silently another observation', async () => {
    const app = service();
    try {
      await app.invoke('journal.import', { fileName: 'a.ndjson', content: serializeJournal(recording('c1'), '2024-11-22T08:00:00Z') });
      const missing = await app.invoke('sessions.get', { sessionId: 's1', vantage: 'nobody' });
      expect(missing.ok).toBe(false);
    } finally {
      app.close();
    }
  });
});
