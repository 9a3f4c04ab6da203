/**
 * What the App service's journal hands the monitor at start-up: the newest whole sessions, as
 * many as fit the limit — not the oldest records of the window, and never half a session (it
 * would read as a late join). A real segmented journal on disk.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../shared/journal';
import { HostJournal } from './host-journal';
import { JournalService } from './journal-service';

const T0 = 1_732_262_400_000;

/** Session `id`: `n` tokens one ms apart from `start`. */
function session(id: string, start: number, n: number): JournalRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'frame' as const,
    at: start + i,
    connection: 'c1',
    channel: `private-ai.${id}`,
    event: 'chunk.delivered',
    data: { session_id: id, chunk: `t${i}`, sequence: i + 1, state: i === n - 1 ? 'completed' : 'generating', termination_code: i === n - 1 ? 'end_turn' : null },
  }));
}

describe('JournalService.recent', () => {
  it('gives the newest whole sessions that fit the limit, oldest first', async () => {
    const journal = await HostJournal.open({ directory: join(mkdtempSync(join(tmpdir(), 'echoscope-recent-')), 'journal'), onWarning: () => undefined });
    // Five sessions of 100 records, one after another; a limit of 250 fits the newest two whole.
    const sessions = ['s1', 's2', 's3', 's4', 's5'].map((id, k) => session(id, T0 + k * 1000, 100));
    await journal.append(sessions.flat());
    const service = new JournalService(journal, { location: 'test', clock: () => T0 + 10_000 });
    const recent = await service.recent(24 * 3_600_000, 250);
    expect(recent).toEqual([...sessions[3]!, ...sessions[4]!]);
    // Outside the window: only what is within it of the newest record.
    expect(await service.recent(900, 1000)).toEqual(sessions[4]);
    await service.close();
  });
});
