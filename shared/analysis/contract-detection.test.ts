import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeJournal } from '.';
import { builtinContract, compileProfile, parseContractProfile, type ContractProfile } from '../contract';
import { parseNdjsonJournal, type FrameRecord, type JournalRecord } from '../journal';
import { ContractDetector } from './contract-detection';

/**
 * Which contract a channel speaks, chosen from its first frames (issue 18, item 3). Frames are
 * the recorded fixture of a Laravel AI SDK retry, a seed-contract fixture, and frames written by
 * hand in each project's published shape (docs/contracts-research.md). What each channel must be
 * detected as follows from how its frames were built.
 */

const fixture = (name: string): JournalRecord[] => parseNdjsonJournal(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')).records;

let clock = 1_000;
const frame = (channel: string, event: string, data: unknown, connection = 'c1'): FrameRecord => ({ type: 'frame', at: (clock += 10), connection, channel, event, data });

/** Prism asBroadcast() frames on one channel (no run id, no type; finish_reason the enum's name). */
function prismRun(channel: string, finish: string): FrameRecord[] {
  return [
    frame(channel, 'stream_start', { id: 'EVT_01JA', timestamp: 1, model: 'm', provider: 'p', metadata: null }),
    frame(channel, 'text_delta', { id: 'EVT_01JB', timestamp: 1, delta: 'To', message_id: 'msg_1' }),
    frame(channel, 'text_delta', { id: 'EVT_01JC', timestamp: 1, delta: 'ken', message_id: 'msg_1' }),
    frame(channel, 'stream_end', { id: 'EVT_01JD', timestamp: 1, finish_reason: finish, usage: { prompt_tokens: 1, completion_tokens: 2 }, citations: null }),
  ];
}

/** The Laravel AI SDK's frames of one invocation. */
function laravelAiRun(channel: string, reason: string): FrameRecord[] {
  const base = (n: number, type: string) => ({ id: `019ade00-0000-7000-8000-00000000000${n}`, invocation_id: 'inv-1', type, timestamp: 1 });
  return [
    frame(channel, 'stream_start', { ...base(1, 'stream_start'), provider: 'openai', model: 'gpt', metadata: [] }),
    frame(channel, 'text_delta', { ...base(2, 'text_delta'), message_id: 'm', delta: 'Hi' }),
    frame(channel, 'stream_end', { ...base(3, 'stream_end'), reason, usage: {} }),
  ];
}

/** A relay of the Vercel UI message stream under one event name. */
function vercelRun(channel: string): FrameRecord[] {
  return [
    frame(channel, 'ai.chunk', { type: 'start', messageId: 'm1' }),
    frame(channel, 'ai.chunk', { type: 'text-delta', id: 't0', delta: 'Yo' }),
    frame(channel, 'ai.chunk', { type: 'error', errorText: 'boom' }),
  ];
}

/** The seed contract: chunk.delivered with session_id, sequence, state. */
function seedRun(sessionId: string): FrameRecord[] {
  const channel = `private-ai.${sessionId}`;
  return [
    frame(channel, 'chunk.delivered', { session_id: sessionId, chunk: 'a', sequence: 1, state: 'generating', termination_code: null }),
    frame(channel, 'chunk.delivered', { session_id: sessionId, chunk: '', sequence: 2, state: 'completed', termination_code: 'end_turn' }),
  ];
}

describe('a channel’s first frames choose its contract', () => {
  it('recorded frames of each contract: the Laravel AI SDK, the seed, Prism, the Vercel data stream — each with high confidence and a reason', () => {
    const laravelAi = analyzeJournal(fixture('laravel-ai-retry.ndjson'));
    expect(laravelAi.sessions.map((s) => s.contract.name)).toEqual(['laravel-ai']);
    expect(laravelAi.sessions[0]!.contract).toMatchObject({ confidence: 'high', reason: expect.stringContaining('invocation_id') });

    const seed = analyzeJournal(fixture('duplicate.ndjson'));
    expect(new Set(seed.sessions.map((s) => s.contract.name))).toEqual(new Set(['echoscope']));
    expect(seed.sessions[0]!.contract).toMatchObject({ confidence: 'high', reason: expect.stringContaining('chunk.delivered') });

    const prism = analyzeJournal(prismRun('chat.p1', 'Stop'));
    expect(prism.sessions[0]!.contract).toMatchObject({ name: 'prism', confidence: 'high' });
    expect(prism.sessions[0]!.status).toBe('completed');

    const vercel = analyzeJournal(vercelRun('chat.v1'));
    expect(vercel.sessions[0]!.contract).toMatchObject({ name: 'vercel-data-stream', confidence: 'high' });
    expect(vercel.sessions[0]!.status).toBe('errored');
  });

  it('a mixed fleet: one connection watching channels of four contracts gives each its own verdict', () => {
    const runs = [laravelAiRun('private-chat.a1', 'length'), prismRun('chat.p2', 'Stop'), vercelRun('chat.v2'), seedRun('s9')];
    // interleaved as one socket receives them
    const records: FrameRecord[] = [];
    for (let i = 0; i < 4; i++) for (const run of runs) if (run[i]) records.push({ ...run[i]!, at: (clock += 1) });
    const bySession = new Map(analyzeJournal(records).sessions.map((s) => [s.sessionId, s]));
    expect(bySession.get('a1')).toMatchObject({ contract: { name: 'laravel-ai' }, status: 'truncated', text: 'Hi', checks: { gaps: false, order: true, duplicates: true } });
    expect(bySession.get('p2')).toMatchObject({ contract: { name: 'prism' }, status: 'completed', text: 'Token' });
    expect(bySession.get('v2')).toMatchObject({
      contract: { name: 'vercel-data-stream' },
      status: 'errored',
      text: 'Yo',
      checks: { gaps: false, order: false, duplicates: false },
    });
    expect(bySession.get('s9')).toMatchObject({
      contract: { name: 'echoscope' },
      status: 'completed',
      terminationCode: 'end_turn',
      checks: { gaps: true, order: true, duplicates: true },
    });
    expect(bySession.size).toBe(4);
  });

  it('a channel whose frames fit no contract is listed as unrecognised with a sample, never silently dropped; Pusher’s own frames are not counted', () => {
    const records: JournalRecord[] = [
      frame('orders.7', 'pusher_internal:subscription_succeeded', {}),
      frame('orders.7', 'App\\Events\\OrderShipped', { order: { id: 7, total: 12.5 } }),
      frame('orders.7', 'App\\Events\\OrderShipped', { order: { id: 8 } }),
      frame('orders.7', 'App\\Events\\OrderPaid', 'not even an object'),
      ...seedRun('s1'),
    ];
    const verdict = analyzeJournal(records);
    expect(verdict.sessions.map((s) => s.sessionId)).toEqual(['s1']);
    expect(verdict.unrecognised).toEqual([
      {
        channel: 'orders.7',
        connection: 'c1',
        frames: 3,
        firstAt: records[1]!.at, // the first frame counted (Pusher’s own is not)
        events: ['App\\Events\\OrderShipped', 'App\\Events\\OrderPaid'],
        sample: { event: 'App\\Events\\OrderShipped', data: '{"order":{"id":7,"total":12.5}}' },
        contract: null,
      },
    ]);
  });

  it('a channel’s first frame chooses for good: a seed channel later sent a Laravel AI SDK frame stays the seed’s; an app event before the first chunk does not keep it unrecognised', () => {
    const [first, last] = seedRun('s2');
    const stray = frame('private-ai.s2', 'stream_start', { id: 'x', invocation_id: 'inv', type: 'stream_start' });
    const early = frame('private-ai.s3', 'App\\Events\\Typing', { who: 'me' });
    const [s3first, s3last] = seedRun('s3');
    const verdict = analyzeJournal([first!, stray, last!, early, s3first!, s3last!]);
    expect(verdict.sessions.map((s) => [s.sessionId, s.contract.name, s.status, s.events])).toEqual([
      ['s2', 'echoscope', 'completed', 2],
      ['s3', 'echoscope', 'completed', 2],
    ]);
    expect(verdict.unrecognised).toEqual([]);
    expect(verdict.summary.ignoredFrames).toBe(2);
  });

  it('a given contract reads every channel with it: a channel it reads nothing of is listed, with that contract’s name', () => {
    const verdict = analyzeJournal([...seedRun('s1'), ...laravelAiRun('private-chat.b1', 'stop')], { profile: builtinContract('laravel-ai')! });
    expect(verdict.sessions.map((s) => [s.sessionId, s.contract.name, s.contract.confidence])).toEqual([['b1', 'laravel-ai', 'given']]);
    expect(verdict.unrecognised).toMatchObject([{ channel: 'private-ai.s1', frames: 2, contract: 'laravel-ai' }]);
  });

  it('a frame that fits several contracts chooses the first with low confidence and names the others', () => {
    const mine = (parseContractProfile({ name: 'mine', stream: { events: { text: ['text_delta'], end: ['stream_end'] } } }) as { ok: true; profile: ContractProfile }).profile;
    const detector = new ContractDetector(null, [
      { name: 'prism', compiled: compileProfile(builtinContract('prism')!) },
      { name: 'mine', compiled: compileProfile(mine) },
    ]);
    const state = detector.state('chat.x', 0, 'c1');
    const chosen = detector.detect(state, 'chat.x', 'text_delta', { id: 'EVT_1', delta: 'a' });
    expect(chosen?.choice).toMatchObject({ name: 'prism', confidence: 'low', reason: expect.stringContaining('also mine') });
  });
});
