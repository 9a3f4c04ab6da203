import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, channelSessionId, compileProfile, parseContractProfile, validatePayload } from '.';

const payload = (over: Record<string, unknown> = {}) => ({
  session_id: 's1',
  chunk: 'Hel',
  sequence: 1,
  state: 'generating',
  termination_code: null,
  ...over,
});

describe('default profile (DESIGN §4)', () => {
  it('has the documented roles', () => {
    expect(DEFAULT_PROFILE.event).toBe('chunk.delivered');
    expect(DEFAULT_PROFILE.channel).toBe('private-ai.{id}');
    expect(DEFAULT_PROFILE.fields).toEqual({
      sessionId: 'session_id',
      chunk: 'chunk',
      sequence: 'sequence',
      state: 'state',
      terminationCode: 'termination_code',
      emittedAt: 'emitted_at',
    });
  });

  it('normalizes a valid payload', () => {
    expect(validatePayload(DEFAULT_PROFILE, payload({ emitted_at: 1732262400000 }))).toEqual({
      ok: true,
      event: { sessionId: 's1', chunk: 'Hel', sequence: 1, state: 'generating', terminationCode: null, emittedAt: 1732262400000 },
    });
  });

  it('accepts finished as an alias of completed', () => {
    const result = validatePayload(DEFAULT_PROFILE, payload({ chunk: '', state: 'finished', termination_code: 'end_turn' }));
    expect(result).toMatchObject({ ok: true, event: { state: 'completed', terminationCode: 'end_turn' } });
  });

  it.each([
    ['a missing field', payload({ chunk: undefined }), 'chunk is missing, expected a string'],
    ['a mistyped field', payload({ termination_code: 3 }), 'termination_code is the number 3, expected a string or null'],
    ['sequence 0', payload({ sequence: 0 }), 'sequence is the number 0, expected an integer ≥ 1'],
    ['a fractional sequence', payload({ sequence: 1.5 }), 'sequence is the number 1.5, expected an integer ≥ 1'],
    ['an unknown state', payload({ state: 'done' }), 'state is the string "done", expected one of generating, completed, finished, truncated, errored, abandoned'],
    ['an empty session id', payload({ session_id: '' }), 'session_id is the string "", expected a non-empty string'],
    ['a bad emitted_at', payload({ emitted_at: 'now' }), 'emitted_at is the string "now", expected epoch milliseconds'],
    ['an array', [1, 2], 'payload is an array, not a JSON object'],
    ['a raw string', 'not json', 'payload is the string "not json", not a JSON object'],
  ])('reports %s as a violation', (_label, input, reason) => {
    const result = validatePayload(DEFAULT_PROFILE, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.violation).toMatchObject({ kind: 'violation', reason });
  });

  it('reports a payload over 10 KB (10,240 bytes, Pusher’s and soketi’s limit) as oversize, attributed to its session and sequence', () => {
    const result = validatePayload(DEFAULT_PROFILE, payload({ sequence: 7, chunk: 'é'.repeat(5200) }));
    expect(result).toMatchObject({ ok: false, violation: { kind: 'oversize', sessionId: 's1', sequence: 7 } });
    // 'é' is 2 bytes in UTF-8: 10,400 bytes for the chunk alone plus the JSON around it
    if (!result.ok) expect(result.violation.reason).toMatch(/^payload of 10\d{3} bytes exceeds 10240$/);
  });

  it('the limit is exact: 10,240 bytes of event data pass, 10,241 are oversize', () => {
    // Built to size: the JSON text of the payload is what a server counts (the event's `data` string).
    const sized = (bytes: number) => {
      const base = payload({ chunk: '' });
      return payload({ chunk: 'x'.repeat(bytes - new TextEncoder().encode(JSON.stringify(base)).length) });
    };
    expect(new TextEncoder().encode(JSON.stringify(sized(10_240))).length).toBe(10_240);
    expect(validatePayload(DEFAULT_PROFILE, sized(10_240)).ok).toBe(true);
    expect(validatePayload(DEFAULT_PROFILE, sized(10_241))).toMatchObject({ ok: false, violation: { kind: 'oversize', reason: 'payload of 10241 bytes exceeds 10240' } });
    // the real Laravel app's 10,097-byte event that soketi delivered is not a violation
    expect(validatePayload(DEFAULT_PROFILE, sized(10_097)).ok).toBe(true);
  });

  it('does not call a 9,000-byte payload oversize', () => {
    expect(validatePayload(DEFAULT_PROFILE, payload({ chunk: 'x'.repeat(9000) })).ok).toBe(true);
  });
});

describe('user profiles', () => {
  it('maps event, channel, fields and state vocabulary, defaulting the rest', () => {
    const parsed = parseContractProfile({
      name: 'acme',
      event: '.TokenStreamed',
      channel: 'presence-gen.{uuid}.tokens',
      fields: { chunk: 'delta', sequence: 'idx', state: 'status', sessionId: null },
      states: { running: 'generating', done: 'completed', cut: 'truncated' },
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.profile.event).toBe('TokenStreamed');
    const compiled = compileProfile(parsed.profile);
    expect(channelSessionId(compiled, 'presence-gen.abc-1.tokens')).toBe('abc-1');
    expect(channelSessionId(compiled, 'private-ai.abc')).toBeUndefined();
    const result = validatePayload(compiled, { delta: 'x', idx: 4, status: 'done', termination_code: 'stop' }, 'presence-gen.abc-1.tokens');
    expect(result).toEqual({ ok: true, event: { sessionId: 'abc-1', chunk: 'x', sequence: 4, state: 'completed', terminationCode: 'stop' } });
    // the default words are gone once a vocabulary is given
    expect(validatePayload(compiled, { delta: 'x', idx: 4, status: 'completed', termination_code: null }, 'presence-gen.a.tokens').ok).toBe(false);
  });

  it.each([
    [{ channel: 'private-ai' }, 'channel: the channel pattern needs exactly one placeholder'],
    [{ channel: 'a.{x}.{y}' }, 'channel: the channel pattern needs exactly one placeholder'],
    [{ fields: { chunk: '' } }, 'fields.chunk: a field name cannot be empty'],
    [{ fields: { chunk: 'sequence' } }, 'fields.sequence: "sequence" is already the chunk field'],
    [{ fields: { sequense: 'seq' } }, 'fields: Unrecognized key: "sequense"'],
    [{ states: { done: 'completed' } }, 'states: the state vocabulary maps no word to "generating"'],
    [{ states: { go: 'generating' } }, 'states: the state vocabulary maps no word to a terminal state'],
    [{ states: { go: 'generating', done: 'finished' } }, 'states.done: '],
    [{ event: '' }, 'event: the event name is empty'],
    [{ maxPayloadBytes: -1 }, 'maxPayloadBytes: '],
  ])('rejects %j naming the wrong field', (input, message) => {
    const parsed = parseContractProfile(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });
});
