import { describe, expect, it } from 'vitest';
import { serializeJournal, type JournalRecord } from '../../../shared/journal';
import { JournalImport } from './journal-import';

const records: JournalRecord[] = [
  { type: 'connection', at: 1, connection: 'c1', state: 'connected' },
  { type: 'frame', at: 2, connection: 'c1', channel: 'private-ai.s1', event: 'chunk.delivered', data: { session_id: 's1', chunk: 'ünï 𝄞 cödé', sequence: 1 } },
  { type: 'frame', at: 3, connection: 'c1', channel: 'private-ai.s1', event: 'chunk.delivered', data: 'raw €' },
];

function sink() {
  const taken: JournalRecord[][] = [];
  return { taken, take: async (batch: JournalRecord[]) => void taken.push(batch) };
}

describe('JournalImport', () => {
  it('reads chunks cut anywhere, inside a UTF-8 character included, as the same records', async () => {
    const bytes = new TextEncoder().encode(serializeJournal(records, '2025-01-01T00:00:00Z'));
    const into = sink();
    const importer = new JournalImport(into);
    for (let i = 0; i < bytes.length; i += 3) await importer.push(bytes.subarray(i, i + 3));
    const outcome = await importer.end();
    expect(outcome).toEqual({ format: 'ndjson', records: 3, issues: [], issueCount: 0 });
    expect(into.taken.flat()).toEqual(records);
    expect(importer.bytes).toBe(bytes.length);
  });

  it('refuses a line that never ends instead of holding it', async () => {
    const importer = new JournalImport(sink(), { maxLineChars: 1000 });
    await importer.push(serializeJournal(records.slice(0, 1), '2025-01-01T00:00:00Z'));
    await expect(importer.push('{"type":"frame","data":"' + 'x'.repeat(70_000))).rejects.toThrow('line 3 is longer than');
  });

  it('refuses a HAR over its limit as it arrives, and text that is neither format at the end', async () => {
    const har = new JournalImport(sink(), { maxHarBytes: 100_000 });
    await expect(har.push(`{\n  "log": {"entries": [${'{},'.repeat(40_000)}`)).rejects.toThrow('larger than');
    const neither = new JournalImport(sink());
    await neither.push('hello\nworld\n');
    await expect(neither.end()).rejects.toThrow('neither an EchoScope NDJSON journal nor a HAR file');
  });
});
