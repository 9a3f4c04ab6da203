import { describe, expect, it } from 'vitest';
import { serializeJournal, type JournalRecord } from '../../../shared/journal';
import { AppService } from '../app';

/**
 * The Fleet view's delivery loss by vantage over time (issue 20), through `fleet.summary`. The
 * journal is built here: which client lost which events of which session, and when each ended.
 */

const T0 = 1_732_262_400_000;
const BUCKET = 10_000;

/** Session `id`, ending in the bucket at `offset`: #1–#9 and the terminal #10 read by the tap, each client missing `lost[client]`. */
function session(id: string, offset: number, lost: Record<string, number[]>): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (let s = 1; s <= 10; s++) {
    const at = T0 + offset + s * 10;
    const data = { session_id: id, chunk: s === 10 ? '' : `t${s}`, sequence: s, state: s === 10 ? 'completed' : 'generating', termination_code: s === 10 ? 'end_turn' : null };
    const frame = { type: 'frame', channel: `private-ai.${id}`, event: 'chunk.delivered', data } as const;
    records.push({ ...frame, at, connection: 'p:tap', tap: 'laravel' });
    for (const [client, missing] of Object.entries(lost)) if (!missing.includes(s)) records.push({ ...frame, at: at + 2, connection: client });
  }
  return records;
}

describe('delivery loss by vantage over time', () => {
  it('per bucket and client vantage: what it lost of what it should have had; taps and single-vantage sessions are not listed', async () => {
    const app = new AppService({ transport: 'browser', version: 't', clock: () => T0 + 60_000, monitor: { tickMs: 60_000 } });
    try {
      const records = [
        { type: 'connection', at: T0, connection: 'p:tap', tap: 'laravel', state: 'connected' } as JournalRecord,
        // bucket 0: a lost #3–#5 of a; b lost nothing
        ...session('a', 0, { c1: [], c2: [3, 4, 5] }),
        // bucket 0 too: c1 lost #7 of b
        ...session('b', 1000, { c1: [7] }),
        // bucket 2: c1 lost #2 and #9 of c, c2 nothing
        ...session('c', 2 * BUCKET, { c1: [2, 9], c2: [] }),
        // only the tap saw d: no client to have lost anything
        ...session('d', 3 * BUCKET, {}),
      ].sort((x, y) => x.at - y.at);
      const imported = await app.invoke('journal.import', { fileName: 'fleet.ndjson', content: serializeJournal(records, '2024-11-22T08:00:00Z') });
      expect(imported.ok).toBe(true);
      const fleet = await app.invoke('fleet.summary', { bucketMs: BUCKET });
      if (!fleet.ok) throw new Error(fleet.error.message);
      const start = Math.floor(T0 / BUCKET) * BUCKET;
      expect(fleet.value.lossByVantage).toEqual([
        { start, vantage: 'fleet.ndjson · c1', sessions: 2, expected: 20, lost: 1 },
        { start, vantage: 'fleet.ndjson · c2', sessions: 1, expected: 10, lost: 3 },
        { start: start + 2 * BUCKET, vantage: 'fleet.ndjson · c1', sessions: 1, expected: 10, lost: 2 },
        { start: start + 2 * BUCKET, vantage: 'fleet.ndjson · c2', sessions: 1, expected: 10, lost: 0 },
      ]);
    } finally {
      app.close();
    }
  });
});
