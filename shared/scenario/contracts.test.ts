import { describe, expect, it } from 'vitest';
import { checksOf } from '../analysis/contract-detection';
import { builtinContract, compileProfile } from '../contract';
import {
  expectedAnomalies,
  numberStreamPositions,
  parseScenarioDocument,
  STREAM_CHECKS,
  streamTerminal,
  type JobEndCode,
  type ScenarioIssue,
  type SessionTruth,
  type TruthEvent,
} from './index';

/** `contract` in a scenario: what a stream without sequence numbers can play, refused with why and what is allowed. */

function issues(document: Record<string, unknown>): ScenarioIssue[] {
  const result = parseScenarioDocument({ name: 'c', tokens: 10, ...document });
  return result.ok ? [] : result.issues;
}

const on = (contract: string, faults: unknown[], extra: Record<string, unknown> = {}) => issues({ contract, sessions: [{ id: 's1', faults }], ...extra });

describe('scenario contract', () => {
  it('defaults to the seed contract; laravel-ai, prism and vercel-data-stream are accepted; another name is refused', () => {
    const parsed = parseScenarioDocument({ name: 'c', sessions: [{ id: 's1' }] });
    expect(parsed.ok && parsed.scenarios[0]!.contract).toBe('echoscope');
    expect(on('laravel-ai', [])).toEqual([]);
    expect(on('prism', [])).toEqual([]);
    expect(on('vercel-data-stream', [])).toEqual([]);
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

  it('vercel-data-stream: refuses duplicate and reorder (no id per event, random ids) with the reason; what every stream refuses applies', () => {
    const [duplicate] = on('vercel-data-stream', [{ kind: 'duplicate', sequences: [2] }]);
    expect(duplicate).toEqual({ path: 'sessions[0].faults[0]', message: expect.stringContaining('no id per event') });
    expect(duplicate!.message).toContain('checks.duplicates: false');
    const [reorder] = on('vercel-data-stream', [{ kind: 'reorder', sequences: [2] }]);
    expect(reorder).toEqual({ path: 'sessions[0].faults[0]', message: expect.stringContaining('ids are random, not time-ordered') });
    expect(reorder!.message).toContain('checks.order: false');
    // the other stream contracts can show both
    expect(on('laravel-ai', [{ kind: 'duplicate', sequences: [2] }])).toEqual([]);
    expect(on('prism', [{ kind: 'reorder', sequences: [2] }])).toEqual([]);
    // what a stream refuses, refused here too, in the protocol's words
    expect(on('vercel-data-stream', [{ kind: 'drop', sequences: [3] }])[0]!.message).toContain('carries no sequence number');
    expect(on('vercel-data-stream', [{ kind: 'malformed', variant: 'missing-state', sequences: [2] }])[0]!.message).toContain('allowed for vercel-data-stream: broken-json');
    const [idempotent] = on('vercel-data-stream', [{ kind: 'crash', afterTokens: 3, retry: { idempotent: true } }]);
    expect(idempotent).toEqual({ path: 'sessions[0].faults[0].retry.idempotent', message: expect.stringContaining('re-streams from start with a new messageId') });
    expect(on('vercel-data-stream', [{ kind: 'truncate', afterTokens: 3, state: 'completed' }])[0]!.message).toContain("vercel-data-stream's finish has a reason and no state");
    // accepted: what the protocol has words for
    for (const fault of [
      { kind: 'abandon', afterTokens: 3 },
      { kind: 'error', afterTokens: 3, retry: { backoffMs: 10 } },
      { kind: 'crash', afterTokens: 3, times: 2, retry: { tries: 2 } },
      { kind: 'silent-death', afterTokens: 3 },
      { kind: 'oversize', sequences: [2] },
      { kind: 'malformed', variant: 'broken-json', sequences: [2] },
    ]) {
      expect([fault.kind, on('vercel-data-stream', [fault])]).toEqual([fault.kind, []]);
    }
  });

  it('vercel-data-stream: refuses expecting what its verdict cannot check (gaps, order)', () => {
    const found = issues({
      contract: 'vercel-data-stream',
      sessions: [{ id: 'a' }],
      expect: [{ counts: { gaps: 0, outOfOrder: 0, duplicates: 0 } }, { anomalies: { present: ['out_of_order'] } }],
    });
    expect(found.map((i) => i.path)).toEqual(['expect[0].counts.gaps', 'expect[0].counts.outOfOrder', 'expect[1].anomalies.present']);
    expect(found[1]!.message).toContain('checks.order: false');
    // laravel-ai's time-ordered ids let it check order
    expect(issues({ contract: 'laravel-ai', sessions: [{ id: 'a' }], expect: [{ counts: { outOfOrder: 0 } }] })).toEqual([]);
  });

  it('each stream contract’s checks are the analyzer’s for its built-in profile', () => {
    for (const contract of ['laravel-ai', 'prism', 'vercel-data-stream'] as const) {
      expect([contract, { gaps: false, ...STREAM_CHECKS[contract] }]).toEqual([contract, checksOf(compileProfile(builtinContract(contract)!))]);
    }
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
    for (const contract of ['laravel-ai', 'prism', 'vercel-data-stream'] as const) {
      const stream = builtinContract(contract)!.stream!;
      for (const code of codes) {
        if (contract === 'prism' && code === 'client_cancelled') continue; // refused by the schema
        const wire = streamTerminal(contract, code);
        if (wire.role === 'end') expect([contract, code, stream.reasons[wire.code] ?? 'completed']).toEqual([contract, code, wire.state]);
        else if (wire.role === 'abort') expect([contract, code, wire.state]).toEqual([contract, code, 'abandoned']);
        else expect(wire.state).toBe('errored');
      }
    }
    // Vercel: the error and abort chunks' codes are their kinds, as the analyzer reads them (no errorCode field, abort's reason unread)
    expect(streamTerminal('vercel-data-stream', 'client_cancelled')).toEqual({ role: 'abort', code: 'abort', state: 'abandoned' });
    expect(streamTerminal('vercel-data-stream', 'exception')).toEqual({ role: 'error', code: 'error', state: 'errored' });
    expect(streamTerminal('vercel-data-stream', 'max_tokens')).toEqual({ role: 'end', code: 'length', state: 'truncated' });
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

  it('events without an id (the Vercel stream) are each new; a broken one takes its resend’s position; a new attempt starts at 1', () => {
    const events = [
      event(1, 'a'),
      event(1, 'b', { delivery: 'oversize' }),
      event(1, 'b'),
      event(1, 'c'),
      event(1, 'c'),
      event(2, 'a'),
      event(2, 'e', { state: 'completed', chunk: '' }),
    ];
    for (const e of events) delete e.id;
    numberStreamPositions(events);
    // the same text twice is two events (nothing says it is a redelivery)
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 2, 3, 4, 1, 2]);
  });
});

describe('expected anomalies on a contract that cannot check redeliveries', () => {
  const text = (attempt: number, sequence: number, chunk: string, t: number): TruthEvent => ({
    t,
    attempt,
    sequence,
    state: 'generating',
    chunk,
    terminationCode: null,
    delivery: 'sent',
  });
  const session = (events: TruthEvent[]): SessionTruth => ({
    sessionId: 's',
    channel: 'private-ai.s',
    group: 0,
    attempts: 2,
    outcome: 'completed',
    finalText: null,
    terminationCode: null,
    events,
    faults: [],
  });
  const settings = { stallAfterMs: 1000, contract: 'vercel-data-stream' as const, checks: { gaps: false, order: false, duplicates: false } };

  it('a position arriving again within its attempt is not expected as a duplicate; a restart’s re-sent positions are (the start event says so)', () => {
    // attempt 1: 1 "a", 2 "b", 2 "x" (a second arrival at 2 within the attempt) · attempt 2 (a new start): 1 "a", 2 "b", 3 "c", stop
    const events = [
      text(1, 1, 'a', 0),
      text(1, 2, 'b', 1),
      text(1, 2, 'x', 2),
      text(2, 1, 'a', 3),
      text(2, 2, 'b', 4),
      text(2, 3, 'c', 5),
      { ...text(2, 4, '', 6), state: 'completed' as const, terminationCode: 'stop' },
    ];
    const counts = expectedAnomalies(session(events), settings);
    // re-sent 1 and 2 after the restart; the in-attempt 2 "x" (and its conflict) not expected
    expect([counts.replay, counts.duplicate, counts.conflict]).toEqual([1, 2, 0]);
    // with redeliveries checkable, it is one more duplicate, and a conflict
    const all = expectedAnomalies(session(events), { ...settings, checks: { gaps: false, order: false, duplicates: true } });
    expect([all.replay, all.duplicate, all.conflict]).toEqual([1, 3, 1]);
  });
});
