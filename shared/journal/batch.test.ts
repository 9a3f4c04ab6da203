import { describe, expect, it } from 'vitest';
import {
  batchLine,
  batchLineBytes,
  blockLines,
  buildBlocks,
  groupFigures,
  journalSessionKey,
  parseNdjsonJournal,
  recordBatch,
  RecordBatchBuilder,
  serializeRecord,
  type JournalRecord,
} from '.';
import { journalFixture } from '../../test-support/journal-store-checks';

const fixture = journalFixture(600);

describe('record batches', () => {
  it('hold the records as NDJSON lines with their times and groups', () => {
    const batch = recordBatch(fixture);
    expect(batch.count).toBe(fixture.length);
    expect(parseNdjsonJournal(batch.text).records).toEqual(fixture);
    fixture.forEach((record, i) => {
      expect(batchLine(batch, i)).toBe(serializeRecord(record));
      expect(batch.ats[i]).toBe(record.at);
      const group = batch.groups[batch.groupOf[i]!]!;
      expect(group).toEqual({ connection: record.connection, channel: record.type === 'connection' ? '' : (record.channel ?? ''), sessionKey: journalSessionKey(record) ?? '' });
    });
    // One group per distinct (connection, channel, session key).
    expect(new Set(batch.groups.map((group) => JSON.stringify(group))).size).toBe(batch.groups.length);
  });

  it('take the caller’s line as given and start afresh after take()', () => {
    const builder = new RecordBatchBuilder();
    const record = fixture[0]!;
    builder.add(record, 'as given\n');
    expect(builder.take().text).toBe('as given\n');
    expect(builder.count).toBe(0);
    const empty = builder.take();
    expect(empty).toMatchObject({ count: 0, text: '', groups: [] });
  });

  it('count UTF-8 bytes per line and sum them per group', () => {
    const records: JournalRecord[] = [
      { type: 'frame', at: 3, connection: 'c', channel: 'private-ai.a', event: 'e', data: { session_id: 'a', chunk: 'ü€😀' } },
      { type: 'frame', at: 1, connection: 'c', channel: 'private-ai.a', event: 'e', data: { session_id: 'a', chunk: 'x' } },
      { type: 'connection', at: 2, connection: 'c', state: 'connected' },
    ];
    const batch = recordBatch(records);
    const bytes = batchLineBytes(batch);
    expect([...bytes]).toEqual(records.map((record) => Buffer.byteLength(serializeRecord(record))));
    expect(groupFigures(batch, bytes)).toEqual([
      { connection: 'c', channel: 'private-ai.a', sessionKey: 'a', count: 2, bytes: bytes[0]! + bytes[1]!, firstAt: 1, lastAt: 3 },
      { connection: 'c', channel: '', sessionKey: '', count: 1, bytes: bytes[2]!, firstAt: 2, lastAt: 2 },
    ]);
    expect(groupFigures(batch, bytes, 1, 2)).toEqual([{ connection: 'c', channel: 'private-ai.a', sessionKey: 'a', count: 1, bytes: bytes[1]!, firstAt: 1, lastAt: 1 }]);
  });
});

describe('blocks cut from a batch', () => {
  function expectFaithful(blocks: ReturnType<typeof buildBlocks>, records: readonly JournalRecord[], firstSeq: number) {
    let seq = firstSeq;
    for (const block of blocks) {
      expect(block.firstSeq).toBe(seq);
      const lines = blockLines(block);
      expect(lines).toHaveLength(block.count);
      lines.forEach((line, i) => {
        const record = records[seq - firstSeq + i]!;
        expect(`${line}\n`).toBe(serializeRecord(record));
        expect(block.ats[i]).toBe(record.at);
        const group = block.groups[block.groupOf[i]!]!;
        expect(group.connection).toBe(record.connection);
        expect(group.sessionKey).toBe(journalSessionKey(record) ?? '');
      });
      expect(block.groups.reduce((sum, group) => sum + group.count, 0)).toBe(block.count);
      expect(block.groups.reduce((sum, group) => sum + group.bytes, 0)).toBe(block.bytes);
      expect(block.bytes).toBe(Buffer.byteLength(block.text));
      expect(block.sessionKeys).toEqual([...new Set(block.groups.map((group) => group.sessionKey).filter(Boolean))]);
      seq += block.count;
    }
    expect(seq - firstSeq).toBe(records.length);
  }

  it('split by record count and by text size, each block self-contained', () => {
    const batch = recordBatch(fixture);
    const byCount = buildBlocks(batch, 100, { records: 64, chars: 1 << 20 });
    expect(byCount.map((block) => block.count)).toEqual([...Array(9).fill(64), 600 - 9 * 64]);
    expectFaithful(byCount, fixture, 100);
    const bySize = buildBlocks(batch, 0, { records: 10_000, chars: 2_000 });
    expect(bySize.length).toBeGreaterThan(5);
    for (const block of bySize) expect(block.text.length).toBeLessThanOrEqual(2_000);
    expectFaithful(bySize, fixture, 0);
  });

  it('give a record larger than the size limit a block of its own', () => {
    const big: JournalRecord = { type: 'frame', at: 9, connection: 'c', channel: 'private-ai.big', event: 'e', data: { chunk: 'x'.repeat(5_000) } };
    const records = [fixture[0]!, big, fixture[1]!];
    const blocks = buildBlocks(recordBatch(records), 0, { records: 100, chars: 1_000 });
    expect(blocks.map((block) => block.count)).toEqual([1, 1, 1]);
    expectFaithful(blocks, records, 0);
  });
});
