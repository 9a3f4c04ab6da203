import { VERCEL_RELAY_EVENT, type StreamContract, type TruthEvent } from '../../../shared/scenario';

/**
 * The wire frames of an event-stream contract, as the SDK broadcasts them (shapes and key order
 * from docs/contracts-research.md §1.2 for `laravel-ai`, §2.2 for `prism`): one event name per
 * kind of event, no sequence number, `timestamp` in integer Unix seconds (PHP's `time()`). The
 * seed's `chunk.delivered` stays in payload.ts.
 *
 * laravel-ai (`StreamEvent::broadcast`, event name = payload `type`), per attempt:
 * `stream_start` → `text_start` → `text_delta`… → `text_end` → `stream_end {reason, usage}`; a
 * failed job: `stream_failed {message, recoverable: false}` and no `stream_end`.
 * prism (`asBroadcast()`, no `type` in the payload, no attempt id): `stream_start` → `step_start`
 * → `text_start` → `text_delta`… → `text_complete` → `step_finish` → `stream_end {finish_reason}`;
 * an error: `error {error_type, message, recoverable: false}`.
 * vercel-data-stream (the AI SDK's UI message chunks, §3, relayed over Echo under one event name,
 * `ai.chunk`, with the chunk's `type` inside; no id per event, no timestamp): `{type: 'start',
 * messageId}` → `start-step` → `text-start {id}` → `text-delta {id, delta}`… (one text part: every
 * delta shares its `id`) → `text-end {id}` → `finish-step` → `finish {finishReason}`; a cancel:
 * `abort`; a failure: `error {errorText}` and no `finish`.
 */

/** One attempt of the job as a stream contract names it. */
export interface StreamAttempt {
  /** laravel/ai's `invocation_id` (UUIDv7, new per attempt); null for Prism and the Vercel stream, which have none. */
  invocationId: string | null;
  /** The message the attempt's text belongs to (`message_id`). */
  messageId: string;
  /** Tokens the attempt generates (its `stream_end` usage). */
  tokens: number;
  /** The Vercel stream's text part `id` (every delta of the attempt's one text part carries it). */
  textId?: string;
}

/** Frames that carry no text: published, never one of the session's events. */
export type StreamFrameKind = 'stream_start' | 'step_start' | 'text_start' | 'text_end' | 'step_finish';

const PROVIDER = 'anthropic';
const MODEL = 'claude-sonnet-4-5';
/** `BroadcastAgent::failed()`'s message (laravel/ai G3, docs/contracts-research.md §1.5). */
const FAILED_MESSAGE = 'The stream failed.';
const PRISM_ERROR_MESSAGE = 'Internal server error';
/** The AI SDK's default `onError` masks the error's message (`toUIMessageStream`). */
const VERCEL_ERROR_TEXT = 'An error occurred.';
/** The UI message chunk types of the frames without text. */
const VERCEL_FRAME_TYPES: Record<StreamFrameKind, string> = {
  stream_start: 'start',
  step_start: 'start-step',
  text_start: 'text-start',
  text_end: 'text-end',
  step_finish: 'finish-step',
};
/** A prompt's size: the same for every attempt (the job sends the same prompt). */
const PROMPT_TOKENS = 24;

const seconds = (nowMs: number): number => Math.floor(nowMs / 1000);

/** The event name a planned event goes out under. */
export function streamEventName(contract: StreamContract, event: TruthEvent): string {
  if (contract === 'vercel-data-stream') return VERCEL_RELAY_EVENT;
  if (event.state === 'generating') return 'text_delta';
  if (event.state === 'errored') return contract === 'prism' ? 'error' : 'stream_failed';
  return 'stream_end';
}

/** The event name of a frame without text. */
export function streamFrameName(contract: StreamContract, frame: StreamFrameKind): string {
  if (contract === 'vercel-data-stream') return VERCEL_RELAY_EVENT;
  return frame === 'text_end' && contract === 'prism' ? 'text_complete' : frame;
}

/** The payload of a frame without text, as a JSON string. */
export function encodeStreamFrame(contract: StreamContract, attempt: StreamAttempt, frame: StreamFrameKind, id: string, nowMs: number): string {
  if (contract === 'vercel-data-stream') {
    const type = VERCEL_FRAME_TYPES[frame];
    if (frame === 'stream_start') return JSON.stringify({ type, messageId: attempt.messageId });
    if (frame === 'text_start' || frame === 'text_end') return JSON.stringify({ type, id: attempt.textId });
    return JSON.stringify({ type });
  }
  const timestamp = seconds(nowMs);
  if (contract === 'prism') {
    switch (frame) {
      case 'stream_start':
        return JSON.stringify({ id, timestamp, model: MODEL, provider: PROVIDER, metadata: null });
      case 'text_start':
      case 'text_end':
        return JSON.stringify({ id, timestamp, message_id: attempt.messageId });
      case 'step_start':
      case 'step_finish':
        return JSON.stringify({ id, timestamp });
    }
  }
  const type = frame;
  const invocation_id = attempt.invocationId;
  if (frame === 'stream_start') return JSON.stringify({ id, invocation_id, type, provider: PROVIDER, model: MODEL, timestamp, metadata: [] });
  return JSON.stringify({ id, invocation_id, type, message_id: attempt.messageId, timestamp });
}

/**
 * The payload of a planned event (a text delta, an end or an error), as a JSON string. A
 * malformed one goes out as broken JSON; an oversized one has its delta padded to `padToBytes`.
 */
export function encodeStreamEvent(contract: StreamContract, attempt: StreamAttempt, event: TruthEvent, nowMs: number, padToBytes?: number): string {
  const id = event.id ?? '';
  if (event.state === 'generating' && event.delivery === 'sent') {
    // The hot path (every healthy token): the bytes JSON.stringify gives, without the object.
    const delta = JSON.stringify(event.chunk);
    if (contract === 'vercel-data-stream') return `{"type":"text-delta","id":${JSON.stringify(attempt.textId)},"delta":${delta}}`;
    return contract === 'prism'
      ? `{"id":${JSON.stringify(id)},"timestamp":${seconds(nowMs)},"delta":${delta},"message_id":${JSON.stringify(attempt.messageId)}}`
      : `{"id":${JSON.stringify(id)},"invocation_id":${JSON.stringify(attempt.invocationId)},"type":"text_delta","message_id":${JSON.stringify(attempt.messageId)},"delta":${delta},"timestamp":${seconds(nowMs)}}`;
  }
  const payload = streamPayload(contract, attempt, event, id, seconds(nowMs));
  if (event.delivery === 'oversize') {
    const base = JSON.stringify(payload).length;
    payload.delta = event.chunk + ' '.repeat(Math.max(0, (padToBytes ?? 12_000) - base));
  }
  const text = JSON.stringify(payload);
  // A serializer that died mid-write (the only malformed variant a stream can show): a valid prefix, no closing brace.
  if (event.delivery === 'malformed') return text.slice(0, Math.max(1, text.indexOf('"delta"') >= 0 ? text.indexOf('"delta"') + 10 : text.length - 2));
  return text;
}

function streamPayload(contract: StreamContract, attempt: StreamAttempt, event: TruthEvent, id: string, timestamp: number): Record<string, unknown> {
  if (contract === 'vercel-data-stream') {
    if (event.state === 'generating') return { type: 'text-delta', id: attempt.textId, delta: event.chunk };
    if (event.state === 'errored') return { type: 'error', errorText: VERCEL_ERROR_TEXT };
    // the abort chunk's `reason` is optional (research §3): the simulator sends none
    if (event.state === 'abandoned') return { type: 'abort' };
    return { type: 'finish', finishReason: event.terminationCode };
  }
  const prism = contract === 'prism';
  if (event.state === 'generating') {
    return prism
      ? { id, timestamp, delta: event.chunk, message_id: attempt.messageId }
      : { id, invocation_id: attempt.invocationId, type: 'text_delta', message_id: attempt.messageId, delta: event.chunk, timestamp };
  }
  if (event.state === 'errored') {
    return prism
      ? { id, timestamp, error_type: event.terminationCode, message: PRISM_ERROR_MESSAGE, recoverable: false, metadata: null }
      : { id, invocation_id: attempt.invocationId, type: 'stream_failed', message: FAILED_MESSAGE, recoverable: false, timestamp, metadata: [] };
  }
  if (prism) {
    const usage = { prompt_tokens: PROMPT_TOKENS, completion_tokens: attempt.tokens, cache_write_input_tokens: 0, cache_read_input_tokens: 0, thought_tokens: 0 };
    return { id, timestamp, finish_reason: event.terminationCode, usage, citations: [] };
  }
  // laravel/ai `Usage::toArray()` (key names from the index, not checked against a tag: docs/contracts-research.md §8.2).
  const usage = { prompt_tokens: PROMPT_TOKENS, completion_tokens: attempt.tokens, cache_write_input_tokens: 0, cache_read_input_tokens: 0, reasoning_tokens: 0 };
  return { id, invocation_id: attempt.invocationId, type: 'stream_end', reason: event.terminationCode, usage, timestamp };
}
