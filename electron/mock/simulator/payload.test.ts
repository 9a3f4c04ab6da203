import { describe, expect, it } from 'vitest';
import type { TruthEvent } from '../../../shared/scenario';
import { encodeEvent } from './payload';

/** The healthy-token fast path writes JSON by hand; it must stay byte-identical to JSON.stringify. */
describe('encodeEvent', () => {
  const base: TruthEvent = { t: 0, attempt: 1, sequence: 7, state: 'generating', chunk: ' héllo "x"\n\\ ✓', terminationCode: null, delivery: 'sent' };
  const reference = (sessionId: string, event: TruthEvent, at: number): string =>
    JSON.stringify({
      session_id: sessionId,
      chunk: event.chunk,
      sequence: event.sequence,
      state: event.state,
      termination_code: event.terminationCode,
      emitted_at: Math.round(at * 1000) / 1000,
    });

  it.each([
    ['a generating token', base, 1_763_785_000_123 + 0.4567],
    ['a terminal event', { ...base, state: 'completed', chunk: '', terminationCode: 'end_turn', sequence: 61 } as TruthEvent, 1_763_785_000_000],
    ['a dropped event', { ...base, delivery: 'dropped' } as TruthEvent, 0.0005],
  ])('%s', (_, event, at) => {
    const text = encodeEvent('sess-"1"', event, at);
    expect(text).toBe(reference('sess-"1"', event, at));
    expect(JSON.parse(text)).toMatchObject({ session_id: 'sess-"1"', sequence: event.sequence });
  });
});
