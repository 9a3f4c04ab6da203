import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, jsonByteSize, MAX_PAYLOAD_DEPTH, TOO_DEEP, validatePayload } from '.';

const utf8 = (value: unknown): number => new TextEncoder().encode(JSON.stringify(value)).length;

/** `levels` arrays inside one another, built from text as the network delivers it. */
const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

describe('payload size without recursion', () => {
  it.each([
    ['a flat token', { session_id: 's1', chunk: 'Hel', sequence: 1, state: 'generating', termination_code: null }],
    ['escapes and non-ASCII', { text: 'q"b\\\n\t\u0001 é € 😀 \ud800 lone', n: -1.5e-7, t: true, f: false, inf: Infinity }],
    ['arrays and skipped members', { list: [1, 'two', null, undefined, [], {}], gone: undefined, deep: { a: { b: [{ c: 'd' }] } } }],
    ['empty containers', { a: [], b: {} }],
  ])('matches JSON.stringify as UTF-8 for %s', (_name, value) => {
    expect(jsonByteSize(value)).toBe(utf8(value));
  });

  it('reports nesting beyond the bound as TOO_DEEP, at any depth, without a RangeError', () => {
    expect(jsonByteSize(nested(MAX_PAYLOAD_DEPTH))).toBe(utf8(nested(MAX_PAYLOAD_DEPTH)));
    expect(jsonByteSize(nested(MAX_PAYLOAD_DEPTH + 1))).toBe(TOO_DEEP);
    const hostile = nested(200_000); // JSON.stringify of this throws RangeError
    expect(() => JSON.stringify(hostile)).toThrow(RangeError);
    expect(jsonByteSize(hostile)).toBe(TOO_DEEP);
  });

  it('makes a payload nested 4,500 levels a violation of its session, never a throw', () => {
    const payload = {
      session_id: 's1',
      chunk: 'x',
      sequence: 3,
      state: 'generating',
      termination_code: null,
      nest: JSON.parse(`${'{"a":'.repeat(4500)}1${'}'.repeat(4500)}`) as unknown,
    };
    const result = validatePayload(DEFAULT_PROFILE, payload);
    expect(result).toMatchObject({ ok: false, violation: { kind: 'violation', sessionId: 's1', sequence: 3, reason: `payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels` } });
  });
});
