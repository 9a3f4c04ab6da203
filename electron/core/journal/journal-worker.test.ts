import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../shared/journal';
import { JournalService } from './journal-service';
import { startJournalWorker } from './journal-worker-host';

const frame = (i: number): JournalRecord => ({
  type: 'frame',
  at: 1_700_000_000_000 + i,
  connection: 'c',
  channel: `private-ai.s${i % 3}`,
  event: 'chunk.delivered',
  data: { session_id: `s${i % 3}`, chunk: 'x', sequence: Math.floor(i / 3) + 1, state: 'generating', termination_code: null },
});

describe('the journal in its worker thread', () => {
  it('acknowledges batches, answers queries, and re-loads its directory after a restart', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'echoscope-worker-')), 'journal');
    const file = join(directory, '00000001.ndjson');
    const first = await startJournalWorker(directory, () => undefined);
    const service = new JournalService(first.journal, { location: directory, clock: () => 1_700_000_100_000 });
    let acked = 0;
    service.writer.onAck(({ count }) => (acked += count));
    // Every other frame as the hub hands it over: with its wire text, decoded in the worker.
    const wire = (record: JournalRecord) =>
      record.type === 'frame' ? JSON.stringify({ event: record.event, channel: record.channel, data: JSON.stringify(record.data) }) : undefined;
    const records = Array.from({ length: 3000 }, (_, i) => frame(i));
    records.forEach((record, i) => service.append(record, i % 2 === 0 ? wire(record) : undefined));
    await service.writer.flush();
    expect(acked).toBe(3000);
    expect((await service.sessionEvents({ sessionId: 's1', channels: [], profile: null }, 5000)).length).toBe(1000);
    await service.close();
    await first.close();
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"frame"'));
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(records);

    const warnings: string[] = [];
    const second = await startJournalWorker(directory, (message) => warnings.push(message));
    expect(await second.journal.count()).toBe(3000);
    expect(warnings).toEqual([]);
    await second.close();
  }, 30_000);
});
