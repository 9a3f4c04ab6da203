import { describe, expect, it } from 'vitest';
import { compareWithRecord, followRecord, recordVersion, type FollowedRecord } from './reconcile';

const common = 'The quick brown fox jumps over the lazy dog. '.repeat(4);

describe('compareWithRecord: a text mismatch shows where the texts first differ', () => {
  it('excerpts both texts around the first differing character, not the same leading text', () => {
    const record = `${common}It was a sunny day.`;
    const received = `${common}It was a rainy day.`;
    const [mismatch] = compareWithRecord({ status: 'completed', maxSequence: 10, text: received, terminal: true }, { final_text: record });
    const at = common.length + 'It was a '.length;
    expect(mismatch).toMatchObject({ field: 'text', at });
    expect(mismatch!.expected).not.toEqual(mismatch!.received);
    expect(mismatch!.expected).toMatch(/^….*It was a sunny day\.$/);
    expect(mismatch!.received).toMatch(/^….*It was a rainy day\.$/);
    expect(mismatch!.detail).toContain(`first differ at character ${at}`);
    expect(mismatch!.detail).toContain('sunny');
    expect(mismatch!.detail).toContain('rainy');
  });

  it('says which text stops where the other goes on', () => {
    const [mismatch] = compareWithRecord({ status: 'completed', maxSequence: 3, text: `${common}`, terminal: true }, { final_text: `${common}and more` });
    expect(mismatch!.at).toBe(common.length);
    expect(mismatch!.detail).toMatch(/client's text stops at character \d+ where the record goes on with "and more"/);
  });
});

describe('compareWithRecord: a client that joined late', () => {
  // Built: the record's text is tokens 1..10; the client subscribed while token 4 was being sent and received 4..10.
  const tokens = ['Once ', 'upon ', 'a ', 'time ', 'there ', 'was ', 'a ', 'small ', 'red ', 'fox.'];
  const record = { final_text: tokens.join(''), last_seq: 10, progress: 'completed' };
  const tail = tokens.slice(3).join('');

  it('the tail it saw matches: no text mismatch at character 0', () => {
    expect(compareWithRecord({ status: 'completed', maxSequence: 10, text: tail, terminal: true, joinedAt: 4 }, record)).toEqual([]);
    // the same text from a client that saw the whole stream is a mismatch: the head is missing
    expect(compareWithRecord({ status: 'completed', maxSequence: 10, text: tail, terminal: true }, record).map((m) => m.field)).toEqual(['text']);
  });

  it('a tail that differs from the record is a mismatch at the record’s character where they part', () => {
    const wrong = tail.replace('small', 'large');
    const [mismatch] = compareWithRecord({ status: 'completed', maxSequence: 10, text: wrong, terminal: true, joinedAt: 4 }, record);
    expect(mismatch).toMatchObject({ field: 'text', at: record.final_text.indexOf('small') });
    expect(mismatch!.detail).toContain('joined late (at sequence 4)');
    expect(mismatch!.detail).toContain('small');
    expect(mismatch!.detail).toContain('large');
  });
});

describe('followRecord: history and resolved mismatches', () => {
  const check = (checkedAt: number, fields: string[], version: string, error?: string): FollowedRecord & { url: string } => ({
    checkedAt,
    url: 'http://app/api/generations/s',
    ok: fields.length === 0 && error === undefined,
    recordVersion: version,
    ...(error ? { error } : {}),
    mismatches: fields.map((field) => ({ field, expected: 1, received: 2, detail: `${field} differs` })),
  });

  it('keeps every check and shows a mismatch a later check no longer finds as resolved', () => {
    let state = followRecord(null, check(1, ['progress'], 'a'));
    state = followRecord(state, check(2, ['progress'], 'a'));
    state = followRecord(state, check(3, [], 'b'));
    expect(state.ok).toBe(true);
    expect(state.history!.map((h) => [h.checkedAt, h.recordVersion, h.mismatches.length])).toEqual([
      [1, 'a', 1],
      [2, 'a', 1],
      [3, 'b', 0],
    ]);
    expect(state.resolved).toEqual([{ field: 'progress', detail: 'progress differs', firstSeenAt: 1, resolvedAt: 3, recordVersion: 'b' }]);
  });

  it('a check that cannot read the record resolves nothing: the last known mismatches stand', () => {
    let state = followRecord(null, check(1, ['text'], 'a'));
    state = followRecord(state, check(2, [], 'x', 'generation record unreachable'));
    expect(state).toMatchObject({ ok: false, error: 'generation record unreachable', resolved: [] });
    expect(state.mismatches.map((m) => m.field)).toEqual(['text']);
  });

  it('record versions are stable across key order and change with any field', () => {
    expect(recordVersion({ a: 1, b: 'x' })).toBe(recordVersion({ b: 'x', a: 1 }));
    expect(recordVersion({ a: 1, b: 'x' })).not.toBe(recordVersion({ a: 1, b: 'y' }));
  });
});
