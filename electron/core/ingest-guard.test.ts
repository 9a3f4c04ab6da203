import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../shared/journal';
import { IngestGuard } from './ingest-guard';

const frame = (at: number): JournalRecord => ({ type: 'frame', at, connection: 'c1', channel: 'private-ai.s1', event: 'chunk.delivered', data: {} });

describe('IngestGuard', () => {
  it('skips a record that makes the analyzer throw, reports a few, then only counts', () => {
    const warnings: string[] = [];
    const guard = new IngestGuard((message) => warnings.push(message));
    const fed: number[] = [];
    const ingest = (record: JournalRecord): string => {
      if (record.at % 2 === 1) throw new RangeError('Maximum call stack size exceeded');
      fed.push(record.at);
      return 's1';
    };
    const keys = Array.from({ length: 40 }, (_, i) => guard.feed(ingest, frame(i)));
    expect(fed).toHaveLength(20);
    expect(keys.filter((k) => k === undefined)).toHaveLength(20);
    expect(guard.failures).toBe(20);
    expect(warnings).toHaveLength(11);
    expect(warnings[0]).toMatch(/private-ai\.s1 at 1 .*Maximum call stack/);
  });
});
