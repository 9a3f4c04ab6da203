import { describe, expect, it } from 'vitest';
import { builtinContract } from '../contract';
import { numberStreamPositions, parseScenarioDocument, streamTerminal, type JobEndCode, type ScenarioIssue, type TruthEvent } from './index';

/** `contract` in a scenario: what a stream without sequence numbers can play, refused with why and what is allowed. */

function issues(document: Record<string, unknown>): ScenarioIssue[] {
  const result = parseScenarioDocument({ name: 'c', tokens: 10, ...document });
  return result.ok ? [] : result.issues;
}

const on = (contract: string, faults: unknown[], extra: Record<string, unknown> = {}) => issues({ contract, sessions: [{ id: 's1', faults }], ...extra });

describe('scenario contract', () => {
  it('defaults to the seed contract; laravel-ai and prism are accepted; another name is refused', () => {
    const parsed = parseScenarioDocument({ name: 'c', sessions: [{ id: 's1' }] });
    expect(parsed.ok && parsed.scenarios[0]!.contract).toBe('echoscope');
    expect(on('laravel-ai', [])).toEqual([]);
    expect(on('prism', [])).toEqual([]);
    expect(on('vercel', [])[0]!.path).toBe('contract');
  });

  it('refuses drop on a stream: nothing counts its events', () => {
    const [issue] = on('laravel-ai', [{ kind: 'drop', sequences: [3] }]);
    expect(issue).toEqual({ path: 'sessions[0].faults[0]', message: expect.stringContaining('carries no sequence number, so a dropped event leaves no trace') });
    expect(on('echoscope', [{ kind: 'drop', sequences: [3] }])).toEqual([]);
  });

  it('refuses malformed variants of the seed’s sequence and state fields, listing what a stream allows', () => {
    for (const variant of ['string-sequence', 'missing-state', 'unknown-state']) {
      const [issue] = on('prism', [{ kind: 'malformed', variant, sequences: [2] }]);
      expect(issue!.path).toBe('sessions[0].faults[0].variant');
      expect(issue!.message).toContain(`malformed variant ${variant}`);
      expect(issue!.message).toContain('allowed for prism: broken-json');
    }
    expect(on('laravel-ai', [{ kind: 'malformed', variant: 'broken-json', sequences: [2] }])).toEqual([]);
  });

  it('refuses what the SDKs cannot broadcast: an idempotent resume, truncate state completed; for Prism a cancel and a failed() hook', () => {
    expect(on('laravel-ai', [{ kind: 'crash', afterTokens: 3, retry: { idempotent: true } }])[0]!.path).toBe('sessions[0].faults[0].retry.idempotent');
    expect(on('laravel-ai', [{ kind: 'truncate', afterTokens: 3, state: 'completed' }])[0]!.message).toContain('code: stop_sequence');
    expect(on('prism', [{ kind: 'abandon', afterTokens: 3 }])[0]!.message).toContain('no cancelled word');
    expect(on('laravel-ai', [{ kind: 'abandon', afterTokens: 3 }])).toEqual([]);
    expect(on('prism', [{ kind: 'crash', afterTokens: 3, times: 2, retry: { tries: 2 } }])[0]!.path).toBe('sessions[0].faults[0].times');
    expect(on('laravel-ai', [{ kind: 'crash', afterTokens: 3, times: 2, retry: { tries: 2 } }])).toEqual([]);
  });

  it('refuses session ids with a dot and a channel prefix without one: the session is the channel’s suffix after its last dot', () => {
    expect(issues({ contract: 'laravel-ai', sessions: [{ id: 'a.b' }] })[0]).toEqual({ path: 'sessions[0].id', message: expect.stringContaining('session id "a.b" has a dot') });
    expect(issues({ contract: 'laravel-ai', sessions: [{ idPattern: 'x.{n}', count: 2 }] })[0]!.path).toBe('sessions[0].idPattern');
    expect(issues({ contract: 'laravel-ai', channelPrefix: 'chat-', sessions: [{ id: 'a' }] })[0]!.path).toBe('channelPrefix');
    expect(issues({ sessions: [{ id: 'a.b' }] })).toEqual([]);
  });

  it('refuses expecting missing or gaps of a stream, with the reason', () => {
    const found = issues({ contract: 'laravel-ai', sessions: [{ id: 'a' }], expect: [{ counts: { missing: 0, gaps: 0, duplicates: 0 } }, { anomalies: { present: ['gap'] } }] });
    expect(found.map((i) => i.path)).toEqual(['expect[0].counts.missing', 'expect[0].counts.gaps', 'expect[1].anomalies.present']);
    expect(found[0]!.message).toContain('missing events cannot be known');
  });
});

describe('stream terminals', () => {
  it('each job ending maps to a word the contract reads as the same state (the analyzer’s reason table agrees)', () => {
    const codes: JobEndCode[] = ['end_turn', 'max_tokens', 'stop_sequence', 'client_cancelled', 'exception'];
    for (const contract of ['laravel-ai', 'prism'] as const) {
      const stream = builtinContract(contract)!.stream!;
      for (const code of codes) {
        if (contract === 'prism' && code === 'client_cancelled') continue; // refused by the schema
        const wire = streamTerminal(contract, code);
        if (wire.role === 'end') expect([contract, code, stream.reasons[wire.code] ?? 'completed']).toEqual([contract, code, wire.state]);
        else expect(wire.state).toBe('errored');
      }
    }
    expect(streamTerminal('laravel-ai', 'stop_sequence')).toEqual({ role: 'end', code: 'stop', state: 'completed' });
    expect(streamTerminal('prism', 'max_tokens')).toEqual({ role: 'end', code: 'Length', state: 'truncated' });
  });
});

describe('stream positions in the ground truth', () => {
  const event = (attempt: number, id: string, patch: Partial<TruthEvent> = {}): TruthEvent => ({
    t: 0,
    attempt,
    sequence: 99,
    id,
    state: 'generating',
    chunk: id,
    terminationCode: null,
    delivery: 'sent',
    ...patch,
  });

  it('numbers events by first arrival per attempt; a redelivery keeps its place, a broken payload takes its resend’s', () => {
    const events = [
      event(1, 'a'),
      event(1, 'b', { delivery: 'malformed' }),
      event(1, 'b'),
      event(1, 'c'),
      event(1, 'a'),
      event(1, 'd', { delivery: 'oversize' }),
      event(2, 'e'),
      event(2, 'f', { state: 'completed', chunk: '' }),
    ];
    numberStreamPositions(events);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 2, 3, 1, 0, 1, 2]);
  });

  it('an attempt that sent only its error is ended: the retry (Prism: its new stream_start) starts again at 1', () => {
    const events = [event(1, 'x', { state: 'errored', chunk: '' }), event(2, 'y'), event(2, 'z')];
    numberStreamPositions(events);
    expect(events.map((e) => e.sequence)).toEqual([1, 1, 2]);
  });
});
