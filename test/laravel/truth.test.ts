/**
 * The Laravel suite's truth (truth.ts) is written from docs/detection.md and docs/connections.md,
 * not from EchoScope's code: here it is checked against those documents' worked examples, so a
 * disagreement between a plan's truth and EchoScope's verdict points at one of the two, not at the harness.
 * Pure: no PHP needed.
 */
import { describe, expect, it } from 'vitest';
import type { Broadcast } from './stack';
import { expectedMismatches, expectedVerdict } from './truth';

const T0 = 1_700_000_000_000;
/** `seq:chunk@ms`, `!state` for a terminal (chunk ''), as in detection.md. */
function stream(spec: string): Broadcast[] {
  return spec.split(' ').map((item) => {
    const m = /^(\d+)(?::([^@!]*))?(?:!(\w+))?@(\d+)$/.exec(item);
    if (!m) throw new Error(`bad item ${item}`);
    const [, seq, chunk, state, at] = m;
    return {
      channel: 'private-ai.s1',
      at: T0 + Number(at),
      pid: 1,
      event: 'chunk.delivered',
      data: {
        session_id: 's1',
        sequence: Number(seq),
        chunk: state ? '' : (chunk ?? `t${seq}`),
        state: state ?? 'generating',
        termination_code: state === 'errored' ? 'exception' : state ? 'end_turn' : null,
      },
    };
  });
}

describe('the truth follows the documented rules', () => {
  it('duplicate: 1:A 2:B 2:B 3!completed', () => {
    expect(expectedVerdict(stream('1:A@100 2:B@110 2:B@120 3!completed@130'))).toMatchObject({ duplicates: 1, conflicts: 0, text: 'AB', naiveText: 'ABB', status: 'completed' });
  });

  it('conflict: 1:A 2:B 2:X 3!completed', () => {
    expect(expectedVerdict(stream('1:A@100 2:B@110 2:X@120 3!completed@130'))).toMatchObject({ duplicates: 1, conflicts: 1, text: 'AB' });
  });

  it('replay: 1 2 3 1 2 3 4!completed', () => {
    expect(expectedVerdict(stream('1:A@100 2:B@110 3:C@120 1:A@5000 2:B@5010 3:C@5020 4!completed@5030'))).toMatchObject({ replays: 1, attempts: 2, duplicates: 3, outOfOrder: 0 });
  });

  it('out of order: 1 2 4 3 6 5 7!', () => {
    expect(expectedVerdict(stream('1:A@100 2:B@110 4:D@120 3:C@130 6:F@140 5:E@150 7!completed@160'))).toMatchObject({
      outOfOrder: 2,
      missing: 0,
      gaps: [],
      text: 'ABCDEF',
      naiveText: 'ABDCFE',
    });
  });

  it('gap: 1 2 5 6!', () => {
    expect(expectedVerdict(stream('1:A@100 2:B@110 5:E@120 6!completed@130'))).toMatchObject({ missing: 2, gaps: [{ from: 3, to: 4 }] });
  });

  it('after terminal and terminal conflict: 1 2!completed 3!errored', () => {
    expect(expectedVerdict(stream('1:A@100 2!completed@110 3!errored@120'))).toMatchObject({
      status: 'errored',
      terminalStates: ['completed', 'errored'],
      terminationCode: 'exception',
      afterTerminal: 1,
    });
  });

  it('errored, then a retry: the errored sequence is a conflict and the correct text keeps its empty chunk', () => {
    expect(expectedVerdict(stream('1:A@100 2:B@110 3!errored@120 1:A@5000 2:B@5010 3:C@5020 4:D@5030 5!completed@5040'))).toMatchObject({
      status: 'completed',
      terminalStates: ['errored', 'completed'],
      afterTerminal: 5,
      replays: 1,
      duplicates: 3,
      conflicts: 1,
      text: 'ABD',
    });
  });

  it('a reorder at the start is not a restart: 2 1 3 … 11!', () => {
    const spec = ['2@300', '1@305', ...Array.from({ length: 8 }, (_, i) => `${i + 3}@${310 + i * 10}`), '11!completed@400'].join(' ');
    expect(expectedVerdict(stream(spec))).toMatchObject({ replays: 0, outOfOrder: 1 });
  });

  it('a crash after one token, then a retry, is a duplicate #1, not a replay', () => {
    expect(expectedVerdict(stream('1@100 1@5000 2@5010 3!completed@5020'))).toMatchObject({ replays: 0, duplicates: 1 });
  });

  it('stalls and the status without a terminal', () => {
    const s1 = stream('1@100 2@110 3@10110 4!completed@10120');
    expect(expectedVerdict(s1, { stallAfterMs: 8000, orphanAfterMs: 300_000, nowMs: T0 + 20_000 })).toMatchObject({ stalls: 1, status: 'completed' });
    const s2 = stream('1@100');
    expect(expectedVerdict(s2, { stallAfterMs: 8000, orphanAfterMs: 300_000, nowMs: T0 + 10_120 })).toMatchObject({ stalls: 1, status: 'stalled' });
    expect(expectedVerdict(s2, { stallAfterMs: 8000, orphanAfterMs: 300_000, nowMs: T0 + 400_000 })).toMatchObject({ stalls: 1, status: 'orphaned' });
    expect(expectedVerdict(s2, { stallAfterMs: 8000, orphanAfterMs: 300_000, nowMs: T0 + 1000 })).toMatchObject({ stalls: 0, status: 'streaming' });
  });

  it('a late joiner is not blamed for the head: no gap before its first sequence', () => {
    expect(expectedVerdict(stream('31@1010 32@1020 33!completed@1030'), undefined, 31)).toMatchObject({ missing: 0, gaps: [] });
  });

  it('reconciliation: connections.md and detection.md examples', () => {
    const errored = expectedVerdict(stream('1:a@0 2:b@10 3:c@20 4!errored@30'));
    // failed ≙ errored, last_seq one behind the terminal, same text: agrees
    expect(expectedMismatches({ progress: 'failed', last_seq: 3, accumulated_text: 'abc', final_text: null }, errored)).toEqual([]);
    // the failed() hook's orphaned: the client saw it end
    expect(expectedMismatches({ progress: 'orphaned', last_seq: 3, accumulated_text: 'abc', final_text: null }, errored)).toEqual([
      { field: 'progress', expected: 'orphaned', received: 'errored' },
    ]);
    // saved before the broadcast finished
    const completed = expectedVerdict(stream('1:a@0 2:b@10 3!completed@20'));
    expect(expectedMismatches({ progress: 'active', last_seq: 1, accumulated_text: 'a', final_text: null }, completed).map((m) => m.field)).toEqual([
      'last_seq',
      'text',
      'progress',
    ]);
    // an open stream may be ahead of the record's checkpoint
    const open = expectedVerdict(stream('1:a@0 2:b@10 3:c@20'));
    expect(expectedMismatches({ progress: 'orphaned', last_seq: 2, accumulated_text: 'ab', final_text: null }, open)).toEqual([]);
  });
});
