import { describe, expect, it } from 'vitest';
import { builtinContract } from '../../../shared/contract';
import { parseScenario, type FaultInput, type ScenarioContract } from '../../../shared/scenario';
import { VirtualClock } from '../../../test-support/virtual-clock';
import { GenerationStore } from '../generations';
import { EventScheduler } from './scheduler';
import { ScenarioRun } from './simulator';
import type { SimulatorTarget } from './target';

/**
 * The stream contracts' wire, as the mock publishes it, against the field lists of
 * docs/contracts-research.md (§1.2 laravel/ai, §2.2 Prism, §3 the Vercel UI message stream): names, keys in order, ids, attempts,
 * terminals per fault. Played in virtual time on a server double, so `timestamp` is known.
 */

interface Published {
  event: string;
  raw: string;
  data: Record<string, unknown>;
}

const START_MS = 1_764_670_000_000;

function play(contract: ScenarioContract, faults: FaultInput[], tokens = 4): Published[] {
  const published: Published[] = [];
  const target: SimulatorTarget = {
    generations: new GenerationStore(),
    publish: (r) => {
      const raw = String(r.data);
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        data = {};
      }
      published.push({ event: r.event, raw, data });
      return 1;
    },
    subscriberCount: () => 1,
    onSubscribed: () => () => undefined,
    closeConnections: () => 1,
    silencePings: () => 1,
  };
  const clock = new VirtualClock(START_MS);
  const scenario = parseScenario({ name: 'wire', seed: 5, contract, tokens, timing: { ttftMs: 5, interTokenMs: 3 }, orphanAfterMs: 500, sessions: [{ id: 's1', faults }] });
  const run = new ScenarioRun(target, scenario, { scheduler: new EventScheduler(clock) });
  clock.runUntil(() => run.progress().finished);
  return published;
}

const names = (frames: Published[]) => frames.map((f) => f.event);
const keys = (frame: Published) => Object.keys(frame.data);

/** docs/contracts-research.md §1.2 */
const LARAVEL_AI_KEYS: Record<string, string[]> = {
  stream_start: ['id', 'invocation_id', 'type', 'provider', 'model', 'timestamp', 'metadata'],
  text_start: ['id', 'invocation_id', 'type', 'message_id', 'timestamp'],
  text_delta: ['id', 'invocation_id', 'type', 'message_id', 'delta', 'timestamp'],
  text_end: ['id', 'invocation_id', 'type', 'message_id', 'timestamp'],
  stream_end: ['id', 'invocation_id', 'type', 'reason', 'usage', 'timestamp'],
  // the Error event: id, invocation_id, type, message, recoverable, timestamp, metadata
  stream_failed: ['id', 'invocation_id', 'type', 'message', 'recoverable', 'timestamp', 'metadata'],
};

/** docs/contracts-research.md §2.2 (stream_end without provider extras) */
const PRISM_KEYS: Record<string, string[]> = {
  stream_start: ['id', 'timestamp', 'model', 'provider', 'metadata'],
  step_start: ['id', 'timestamp'],
  text_start: ['id', 'timestamp', 'message_id'],
  text_delta: ['id', 'timestamp', 'delta', 'message_id'],
  text_complete: ['id', 'timestamp', 'message_id'],
  step_finish: ['id', 'timestamp'],
  stream_end: ['id', 'timestamp', 'finish_reason', 'usage', 'citations'],
  error: ['id', 'timestamp', 'error_type', 'message', 'recoverable', 'metadata'],
};

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PRISM_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;

describe('laravel-ai on the wire (StreamEvent::broadcast: event name = payload type)', () => {
  it('healthy: stream_start, text_start, one text_delta per token, text_end, stream_end stop — each with the SDK’s keys in order', () => {
    const frames = play('laravel-ai', [], 4);
    expect(names(frames)).toEqual(['stream_start', 'text_start', 'text_delta', 'text_delta', 'text_delta', 'text_delta', 'text_end', 'stream_end']);
    for (const frame of frames) {
      expect(keys(frame), frame.event).toEqual(LARAVEL_AI_KEYS[frame.event]);
      expect(frame.data.type).toBe(frame.event);
      expect(frame.data.id).toMatch(UUID7);
      expect(frame.data.invocation_id).toMatch(UUID7);
      // PHP time(): integer seconds of the send
      expect(Number.isInteger(frame.data.timestamp)).toBe(true);
      expect(frame.data.timestamp).toBe(Math.floor(START_MS / 1000));
    }
    const end = frames.at(-1)!.data;
    expect(end.reason).toBe('stop');
    expect(end.usage).toMatchObject({ completion_tokens: 4 });
    // one invocation, one message
    expect(new Set(frames.map((f) => f.data.invocation_id)).size).toBe(1);
    expect(new Set(frames.filter((f) => 'message_id' in f.data).map((f) => f.data.message_id)).size).toBe(1);
    // ids lower-case, time-ordered: strictly increasing in generation (here: publish) order
    const ids = frames.map((f) => String(f.data.id));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      frames
        .filter((f) => f.event === 'text_delta')
        .map((f) => f.data.delta)
        .join('').length,
    ).toBeGreaterThan(0);
  });

  it('crash + retry: the retry streams again from stream_start under a new invocation_id', () => {
    const frames = play('laravel-ai', [{ kind: 'crash', afterTokens: 2, retry: { tries: 2, backoffMs: 20 } }], 3);
    expect(names(frames)).toEqual([
      'stream_start',
      'text_start',
      'text_delta',
      'text_delta',
      'stream_start',
      'text_start',
      'text_delta',
      'text_delta',
      'text_delta',
      'text_end',
      'stream_end',
    ]);
    const first = frames[0]!.data.invocation_id;
    const second = frames[4]!.data.invocation_id;
    expect(second).not.toBe(first);
    expect(frames.slice(0, 4).every((f) => f.data.invocation_id === first)).toBe(true);
    expect(frames.slice(4).every((f) => f.data.invocation_id === second)).toBe(true);
    // the same text again, as new events (new ids)
    expect(frames[6]!.data.delta).toBe(frames[2]!.data.delta);
    expect(frames[6]!.data.id).not.toBe(frames[2]!.data.id);
  });

  it('crash on every try: the failed() hook’s stream_failed ends the last invocation, no stream_end', () => {
    const frames = play('laravel-ai', [{ kind: 'crash', afterTokens: 2, times: 2, retry: { tries: 2, backoffMs: 20 } }], 3);
    expect(names(frames).slice(-1)).toEqual(['stream_failed']);
    expect(names(frames)).not.toContain('stream_end');
    expect(frames.at(-1)!.data).toMatchObject({ type: 'stream_failed', message: 'The stream failed.', recoverable: false, invocation_id: frames[4]!.data.invocation_id });
  });

  it('truncation by reason: max_tokens → length, stop_sequence → stop (the SDK maps a stop sequence to a natural stop)', () => {
    expect(play('laravel-ai', [{ kind: 'truncate', afterTokens: 2 }]).at(-1)!.data).toMatchObject({ type: 'stream_end', reason: 'length', usage: { completion_tokens: 2 } });
    expect(play('laravel-ai', [{ kind: 'truncate', afterTokens: 2, code: 'stop_sequence' }]).at(-1)!.data).toMatchObject({ type: 'stream_end', reason: 'stop' });
  });

  it('cancel: stream_end cancelled', () => {
    expect(play('laravel-ai', [{ kind: 'abandon', afterTokens: 1 }]).at(-1)!.data).toMatchObject({ reason: 'cancelled' });
  });

  it('error: stream_failed after the text, no text_end and no stream_end', () => {
    const frames = play('laravel-ai', [{ kind: 'error', afterTokens: 2 }]);
    expect(names(frames)).toEqual(['stream_start', 'text_start', 'text_delta', 'text_delta', 'stream_failed']);
    expect(keys(frames.at(-1)!)).toEqual(LARAVEL_AI_KEYS.stream_failed);
    expect(frames.at(-1)!.data.recoverable).toBe(false);
  });

  it('silent death: nothing after the last delta', () => {
    expect(names(play('laravel-ai', [{ kind: 'silent-death', afterTokens: 2 }]))).toEqual(['stream_start', 'text_start', 'text_delta', 'text_delta']);
  });

  it('duplicate: the same event (same id, same bytes) again', () => {
    const frames = play('laravel-ai', [{ kind: 'duplicate', sequences: [2] }]);
    const deltas = frames.filter((f) => f.event === 'text_delta');
    expect(deltas).toHaveLength(5);
    expect(deltas[2]!.raw).toBe(deltas[1]!.raw);
  });

  it('reorder: the delta arrives after `window` later ones with the id it was made with (lower than theirs)', () => {
    const deltas = play('laravel-ai', [{ kind: 'reorder', sequences: [1], window: 2 }]).filter((f) => f.event === 'text_delta');
    const ids = deltas.map((f) => String(f.data.id));
    expect(ids[2]! < ids[0]!).toBe(true);
    expect(ids[2]! < ids[1]!).toBe(true);
    expect([ids[0]!, ids[1]!, ids[3]!]).toEqual([ids[0]!, ids[1]!, ids[3]!].sort());
  });

  it('oversize: a delta padded past 10,240 bytes, then the event as it should have been (same id)', () => {
    const deltas = play('laravel-ai', [{ kind: 'oversize', sequences: [2] }]).filter((f) => f.event === 'text_delta');
    expect(deltas).toHaveLength(5);
    expect(Buffer.byteLength(deltas[1]!.raw)).toBeGreaterThan(10_240);
    expect(deltas[2]!.data.id).toBe(deltas[1]!.data.id);
    expect(String(deltas[1]!.data.delta).trimEnd()).toBe(deltas[2]!.data.delta);
  });

  it('malformed (broken-json): a text_delta cut mid-write, then resent', () => {
    const deltas = play('laravel-ai', [{ kind: 'malformed', variant: 'broken-json', sequences: [2] }]).filter((f) => f.event === 'text_delta');
    expect(() => JSON.parse(deltas[1]!.raw) as unknown).toThrow();
    expect(deltas[1]!.raw.startsWith('{"id":')).toBe(true);
    expect(deltas[2]!.data.delta).toBeDefined();
  });

  it('the contract reads every name the simulator publishes (no frame the analyzer would not know)', () => {
    const stream = builtinContract('laravel-ai')!.stream!;
    const known = [...stream.events.start, ...stream.events.text, ...stream.events.end, ...stream.events.error, 'text_start', 'text_end'];
    const frames = [...play('laravel-ai', [{ kind: 'error', afterTokens: 1, retry: { backoffMs: 5 } }]), ...play('laravel-ai', [])];
    for (const name of new Set(names(frames))) expect(known).toContain(name);
  });
});

describe('prism on the wire (asBroadcast(): name = eventKey(), no type, no run id)', () => {
  it('healthy: stream_start, step_start, text_start, deltas, text_complete, step_finish, stream_end Stop — with Prism’s keys in order', () => {
    const frames = play('prism', [], 3);
    expect(names(frames)).toEqual(['stream_start', 'step_start', 'text_start', 'text_delta', 'text_delta', 'text_delta', 'text_complete', 'step_finish', 'stream_end']);
    for (const frame of frames) {
      expect(keys(frame), frame.event).toEqual(PRISM_KEYS[frame.event]);
      expect(frame.data.id).toMatch(PRISM_ID);
      expect(frame.data.timestamp).toBe(Math.floor(START_MS / 1000));
    }
    const end = frames.at(-1)!.data;
    expect(end.finish_reason).toBe('Stop');
    expect(Object.keys(end.usage as object)).toEqual(['prompt_tokens', 'completion_tokens', 'cache_write_input_tokens', 'cache_read_input_tokens', 'thought_tokens']);
    const ids = frames.map((f) => String(f.data.id));
    expect([...ids].sort()).toEqual(ids);
  });

  it('truncate → Length (the enum name); error → error {error_type, recoverable: false}, no stream_end', () => {
    expect(play('prism', [{ kind: 'truncate', afterTokens: 2 }]).at(-1)!.data.finish_reason).toBe('Length');
    const failed = play('prism', [{ kind: 'error', afterTokens: 1 }]);
    expect(names(failed)).toEqual(['stream_start', 'step_start', 'text_start', 'text_delta', 'error']);
    expect(failed.at(-1)!.data).toMatchObject({ error_type: 'api_error', recoverable: false });
    expect(keys(failed.at(-1)!)).toEqual(PRISM_KEYS.error);
  });

  it('crash + retry: a new stream_start, nothing linking the attempts but the channel', () => {
    const frames = play('prism', [{ kind: 'crash', afterTokens: 1, retry: { tries: 2, backoffMs: 20 } }], 2);
    expect(names(frames)).toEqual([
      'stream_start',
      'step_start',
      'text_start',
      'text_delta',
      'stream_start',
      'step_start',
      'text_start',
      'text_delta',
      'text_delta',
      'text_complete',
      'step_finish',
      'stream_end',
    ]);
    expect(frames[6]!.data.message_id).not.toBe(frames[2]!.data.message_id);
  });
});

/**
 * docs/contracts-research.md §3 (`uiMessageChunkSchema`): each chunk's `type` and its fields, the
 * optional ones the simulator does not send (`messageMetadata`, `providerMetadata`, abort's
 * `reason`) left out.
 */
const VERCEL_KEYS: Record<string, string[]> = {
  start: ['type', 'messageId'],
  'start-step': ['type'],
  'text-start': ['type', 'id'],
  'text-delta': ['type', 'id', 'delta'],
  'text-end': ['type', 'id'],
  'finish-step': ['type'],
  finish: ['type', 'finishReason'],
  abort: ['type'],
  error: ['type', 'errorText'],
};
/** The AI SDK's default generateId: 16 random alphanumerics. */
const VERCEL_ID = /^[0-9A-Za-z]{16}$/;
const types = (frames: Published[]) => frames.map((f) => f.data.type);

describe('vercel-data-stream on the wire (UI message chunks relayed under one Echo event, ai.chunk, type inside)', () => {
  it('healthy: start, start-step, text-start, one text-delta per token, text-end, finish-step, finish stop — each with the protocol’s fields', () => {
    const frames = play('vercel-data-stream', [], 3);
    expect(new Set(names(frames))).toEqual(new Set(['ai.chunk']));
    expect(types(frames)).toEqual(['start', 'start-step', 'text-start', 'text-delta', 'text-delta', 'text-delta', 'text-end', 'finish-step', 'finish']);
    for (const frame of frames) expect(keys(frame), String(frame.data.type)).toEqual(VERCEL_KEYS[String(frame.data.type)]);
    expect(frames[0]!.data.messageId).toMatch(VERCEL_ID);
    expect(frames.at(-1)!.data.finishReason).toBe('stop');
    // one text part: text-start, every delta and text-end share its id (no id per event)
    const part = frames.filter((f) => 'id' in f.data).map((f) => f.data.id);
    expect(part).toHaveLength(5);
    expect(new Set(part).size).toBe(1);
    expect(part[0]).toMatch(VERCEL_ID);
    expect(part[0]).not.toBe(frames[0]!.data.messageId);
    // no timestamp, no sequence: nothing but the fields above
    expect(frames.some((f) => 'timestamp' in f.data || 'sequence' in f.data)).toBe(false);
  });

  it('truncate → finish length; stop_sequence → finish stop', () => {
    expect(play('vercel-data-stream', [{ kind: 'truncate', afterTokens: 2 }]).at(-1)!.data).toEqual({ type: 'finish', finishReason: 'length' });
    expect(play('vercel-data-stream', [{ kind: 'truncate', afterTokens: 2, code: 'stop_sequence' }]).at(-1)!.data).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('abandon → abort after the text, no text-end and no finish', () => {
    const frames = play('vercel-data-stream', [{ kind: 'abandon', afterTokens: 2 }]);
    expect(types(frames)).toEqual(['start', 'start-step', 'text-start', 'text-delta', 'text-delta', 'abort']);
    expect(frames.at(-1)!.data).toEqual({ type: 'abort' });
  });

  it('error → error {errorText} after the text, no finish after it', () => {
    const frames = play('vercel-data-stream', [{ kind: 'error', afterTokens: 2 }]);
    expect(types(frames)).toEqual(['start', 'start-step', 'text-start', 'text-delta', 'text-delta', 'error']);
    expect(keys(frames.at(-1)!)).toEqual(VERCEL_KEYS.error);
    expect(typeof frames.at(-1)!.data.errorText).toBe('string');
  });

  it('crash + retry: a new start with a new messageId (and a new text part) streams the text again', () => {
    const frames = play('vercel-data-stream', [{ kind: 'crash', afterTokens: 2, retry: { tries: 2, backoffMs: 20 } }], 3);
    expect(types(frames)).toEqual([
      'start',
      'start-step',
      'text-start',
      'text-delta',
      'text-delta',
      'start',
      'start-step',
      'text-start',
      'text-delta',
      'text-delta',
      'text-delta',
      'text-end',
      'finish-step',
      'finish',
    ]);
    expect(frames[5]!.data.messageId).toMatch(VERCEL_ID);
    expect(frames[5]!.data.messageId).not.toBe(frames[0]!.data.messageId);
    expect(frames[7]!.data.id).not.toBe(frames[2]!.data.id);
    expect(frames[8]!.data.delta).toBe(frames[3]!.data.delta);
  });

  it('a crash on every try: the relay’s failed() hook sends error, no finish', () => {
    const frames = play('vercel-data-stream', [{ kind: 'crash', afterTokens: 2, times: 2, retry: { tries: 2, backoffMs: 20 } }], 3);
    expect(types(frames).slice(-1)).toEqual(['error']);
    expect(types(frames)).not.toContain('finish');
  });

  it('silent death: nothing after the last delta', () => {
    expect(types(play('vercel-data-stream', [{ kind: 'silent-death', afterTokens: 2 }]))).toEqual(['start', 'start-step', 'text-start', 'text-delta', 'text-delta']);
  });

  it('oversize: a delta padded past 10,240 bytes, then the delta as it should have been (same part id)', () => {
    const deltas = play('vercel-data-stream', [{ kind: 'oversize', sequences: [2] }]).filter((f) => f.data.type === 'text-delta');
    expect(deltas).toHaveLength(5);
    expect(Buffer.byteLength(deltas[1]!.raw)).toBeGreaterThan(10_240);
    expect(String(deltas[1]!.data.delta).trimEnd()).toBe(deltas[2]!.data.delta);
  });

  it('malformed (broken-json): a text-delta cut mid-write under the same event name, then resent', () => {
    const frames = play('vercel-data-stream', [{ kind: 'malformed', variant: 'broken-json', sequences: [2] }]);
    const broken = frames.filter((f) => Object.keys(f.data).length === 0);
    expect(broken).toHaveLength(1);
    expect(broken[0]!.event).toBe('ai.chunk');
    expect(() => JSON.parse(broken[0]!.raw) as unknown).toThrow();
    expect(broken[0]!.raw.startsWith('{"type":"text-delta","id":')).toBe(true);
    expect(frames.filter((f) => f.data.type === 'text-delta')).toHaveLength(4);
  });

  it('the contract reads every chunk type the simulator publishes, by its kindField', () => {
    const stream = builtinContract('vercel-data-stream')!.stream!;
    expect(stream.events.kindField).toBe('type');
    const known = [...stream.events.start, ...stream.events.text, ...stream.events.end, ...stream.events.abort, ...stream.events.error, ...stream.events.other];
    const frames = [
      ...play('vercel-data-stream', [{ kind: 'error', afterTokens: 1, retry: { backoffMs: 5 } }]),
      ...play('vercel-data-stream', [{ kind: 'abandon', afterTokens: 1 }]),
      ...play('vercel-data-stream', []),
    ];
    for (const type of new Set(types(frames))) expect(known).toContain(type);
    // the relay's event name is none of the contract's: the chunk's type decides
    expect(known).not.toContain('ai.chunk');
  });
});

describe('stream ids are deterministic from the scenario seed', () => {
  it('the same plan publishes the same bytes twice', () => {
    const faults: FaultInput[] = [
      { kind: 'crash', afterTokens: 2, retry: { tries: 2, backoffMs: 20 } },
      { kind: 'duplicate', sequences: [1] },
    ];
    expect(play('laravel-ai', faults)).toEqual(play('laravel-ai', faults));
    expect(play('prism', faults)).toEqual(play('prism', faults));
    expect(play('vercel-data-stream', [faults[0]!])).toEqual(play('vercel-data-stream', [faults[0]!]));
  });
});
