import { z } from 'zod';
import { TerminalStateSchema, type TerminalState } from './states';

/**
 * Event-stream contracts: streams that carry no sequence number, one event name per kind of
 * event — the Laravel AI SDK's `StreamEvent::broadcast` (`stream_start`, `text_delta`, …,
 * `stream_end`), Prism's `asBroadcast()`. What they are, read from the projects' source with
 * versions, is in docs/contracts-research.md; how EchoScope reads them is in docs/detection.md
 * ("Streams without sequence numbers").
 *
 * A contract is data: which event names start a run, carry text, end it or report an error;
 * which fields hold the event id, the attempt (run) id, the text, the end's reason and the
 * error's message; which reason words mean which terminal state.
 */

const EventName = z
  .string()
  .min(1)
  .max(200)
  .transform((name) => (name.startsWith('.') ? name.slice(1) : name));
const FieldName = z.string().min(1).max(100);

export const EventStreamSchema = z.strictObject({
  events: z.strictObject({
    /** A run begins (its time is the job's known start). A second one in the same attempt after text is a restart. */
    start: z.array(EventName).default([]),
    /** Events whose `fields.text` is streamed text. */
    text: z.array(EventName).min(1, 'an event-stream contract needs at least one text event'),
    /** Events that end a run; `fields.reason` says how (see `reasons`). */
    end: z.array(EventName).min(1, 'an event-stream contract needs at least one end event'),
    /** Events that end a run as errored. */
    error: z.array(EventName).default([]),
    /**
     * Any other event name whose payload has this field (and no text field) is an error event too:
     * the Laravel AI SDK names its error events after the provider's error type.
     */
    errorWhenField: FieldName.nullable().default(null),
    /**
     * Events after which a start event is the run's next step, not a restart: a tool loop's
     * `tool_call` / `tool_result` (the Laravel AI SDK may open each provider step with its own
     * `stream_start`, research §1.5). Not events of the session.
     */
    step: z.array(EventName).default([]),
    /** Events that end a run as abandoned (the Vercel protocol's `abort`); `fields.reason` is their code. */
    abort: z.array(EventName).default([]),
    /**
     * Names the contract also sends that play no role here (`text_start`, `reasoning_delta`, …):
     * read only by auto-detection, as evidence that a channel speaks this contract.
     */
    other: z.array(EventName).default([]),
    /**
     * When an event's name plays no role, the payload's field here names its kind: a relay that
     * broadcasts every chunk under one event name with the chunk's `type` inside (the Vercel AI
     * data stream relayed over Echo). Null: the event name alone decides.
     */
    kindField: FieldName.nullable().default(null),
  }),
  fields: z
    .strictObject({
      /** Unique per event: a second arrival of the same id is a redelivery (a duplicate). */
      id: FieldName.nullable().default('id'),
      /** The run (attempt) an event belongs to: a new value after text was streamed is a restart. */
      attempt: FieldName.nullable().default(null),
      /** An attempt id that comes with this field is a child run (a sub-agent), not a new attempt. */
      parentAttempt: FieldName.nullable().default(null),
      text: FieldName.default('delta'),
      reason: FieldName.nullable().default('reason'),
      /** What went wrong, as the errored run's termination code; null or absent → the error event's name (laravel/ai names it after the error type). */
      errorCode: FieldName.nullable().default(null),
      /** An error event whose field here is `true` does not end the run (Prism: Anthropic's `error` with `recoverable: true`, and the stream goes on). */
      recoverable: FieldName.nullable().default(null),
      /** What an error event says went wrong (`message`, `errorText`): the errored run's termination detail. */
      message: FieldName.nullable().default(null),
    })
    // every field has a default: a contract may leave the section out
    .prefault({}),
  /**
   * The `id` field sorts in generation order within an attempt (time-ordered ids: UUIDv7, ULID,
   * both monotonic within one process): an id below one already seen arrived out of order.
   * False for random ids (the Vercel protocol's) and whenever several processes stream one run.
   */
  orderedIds: z.boolean().default(false),
  /** Auto-detection: fields every frame of this contract carries, and fields none carries (docs/detection.md). */
  detect: z
    .strictObject({
      requires: z.array(FieldName).default([]),
      absent: z.array(FieldName).default([]),
    })
    .prefault({}),
  /** End reasons → terminal states. A reason not listed ends the run `completed`, with the word as its code. */
  reasons: z.record(z.string().min(1), TerminalStateSchema).default({}),
});

export type EventStreamInput = z.input<typeof EventStreamSchema>;
export type EventStream = z.output<typeof EventStreamSchema>;

/** What a frame of an event-stream contract is. */
export type StreamRole = 'start' | 'text' | 'end' | 'abort' | 'error' | 'other';

export interface CompiledStream {
  readonly stream: EventStream;
  readonly roles: ReadonlyMap<string, Exclude<StreamRole, 'other'>>;
  readonly reasons: ReadonlyMap<string, TerminalState>;
  /** Every name the contract sends, with a role or not (auto-detection's evidence). */
  readonly names: ReadonlySet<string>;
  /** `events.step`. */
  readonly steps: ReadonlySet<string>;
}

export function compileStream(stream: EventStream): CompiledStream {
  const roles = new Map<string, Exclude<StreamRole, 'other'>>();
  for (const role of ['start', 'text', 'end', 'abort', 'error'] as const) for (const name of stream.events[role]) if (!roles.has(name)) roles.set(name, role);
  return {
    stream,
    roles,
    reasons: new Map(Object.entries(stream.reasons)),
    names: new Set([...roles.keys(), ...stream.events.other, ...stream.events.step]),
    steps: new Set(stream.events.step),
  };
}

/** The kind of a frame: its event name, or — for a relay that sends every chunk under one name — the payload's `kindField`. */
export function streamKind(compiled: CompiledStream, event: string, payload: Record<string, unknown> | null): string {
  const field = compiled.stream.events.kindField;
  if (field === null || compiled.names.has(event) || payload === null) return event;
  const kind = payload[field];
  return typeof kind === 'string' ? kind : event;
}

/**
 * The role of a frame: by its event name, else an error by shape (`errorWhenField`), else other.
 * A recoverable error (the run goes on) is other: it ends nothing.
 */
export function streamRole(compiled: CompiledStream, event: string, payload: Record<string, unknown>): StreamRole {
  let role: StreamRole | undefined = compiled.roles.get(streamKind(compiled, event, payload));
  const { errorWhenField } = compiled.stream.events;
  if (role === undefined) role = errorWhenField !== null && errorWhenField in payload && !(compiled.stream.fields.text in payload) ? 'error' : 'other';
  const recoverable = compiled.stream.fields.recoverable;
  if (role === 'error' && recoverable !== null && payload[recoverable] === true) return 'other';
  return role;
}

/**
 * The Laravel AI SDK (`laravel/ai` v0.2.5 … v0.11.2): the event name is the payload's `type`; a
 * retried job streams under a new `invocation_id` (or, since G3 of `BroadcastAgent`, the same one
 * from a second `stream_start`); errors carry `message` + `recoverable` under the provider's error
 * type or `stream_failed`; `stream_end.reason` is Prism's `FinishReason` (v0.2.5: `content-filter`,
 * `tool-calls`, `other`) or the SDK's own (later: `content_filter`, `tool_calls`, `cancelled`).
 */
export const LARAVEL_AI_STREAM: EventStreamInput = {
  events: {
    start: ['stream_start'],
    text: ['text_delta'],
    end: ['stream_end'],
    error: ['error', 'stream_failed'],
    errorWhenField: 'recoverable',
    step: ['tool_call', 'tool_result'],
    other: ['text_start', 'text_end', 'reasoning_start', 'reasoning_delta', 'reasoning_end', 'citation', 'tool_approval_request'],
  },
  fields: {
    id: 'id',
    attempt: 'invocation_id',
    parentAttempt: 'parent_invocation_id',
    text: 'delta',
    reason: 'reason',
    errorCode: null,
    recoverable: 'recoverable',
    message: 'message',
  },
  orderedIds: true,
  // Every event the SDK broadcasts for a run carries its invocation_id (Prism's carry none).
  detect: { requires: ['invocation_id'] },
  reasons: {
    stop: 'completed',
    length: 'truncated',
    content_filter: 'truncated',
    'content-filter': 'truncated',
    tool_calls: 'truncated',
    'tool-calls': 'truncated',
    error: 'errored',
    cancelled: 'abandoned',
  },
};

/**
 * Prism (`prism-php/prism` v0.100.1) `asBroadcast()`: every event `ShouldBroadcastNow`, named by
 * its type; no run id (a retry is a new `stream_start` on the channel); `stream_end.finish_reason`
 * is the `FinishReason` enum's *name* (`Stop`, `Length`, `ContentFilter`, `ToolCalls`, `Error`,
 * `Other`, `Unknown`); `error` carries `error_type`, `message`, `recoverable`.
 */
export const PRISM_STREAM: EventStreamInput = {
  events: {
    start: ['stream_start'],
    text: ['text_delta'],
    end: ['stream_end'],
    error: ['error'],
    errorWhenField: null,
    other: [
      'step_start',
      'text_start',
      'text_complete',
      'thinking_start',
      'thinking_delta',
      'thinking_complete',
      'tool_call',
      'tool_call_delta',
      'tool_result',
      'artifact',
      'citation',
      'step_finish',
    ],
  },
  fields: { id: 'id', attempt: null, parentAttempt: null, text: 'delta', reason: 'finish_reason', errorCode: 'error_type', recoverable: 'recoverable', message: 'message' },
  orderedIds: true,
  // Prism's payloads carry no run id and no type (the event name is the only discriminator).
  detect: { absent: ['invocation_id', 'type'] },
  reasons: { Stop: 'completed', Length: 'truncated', ContentFilter: 'truncated', ToolCalls: 'truncated', Error: 'errored' },
};

/**
 * The Vercel AI SDK's UI message stream (`ai` 7.0.77; the same `finish`/`abort` shapes in 6.0.264),
 * as an app would relay it over Echo: one chunk per event, named by its `type` or sent under one
 * event name with the `type` inside (`kindField`). No first-party relay exists (research §3); this
 * is the protocol's own vocabulary. Ids are per text part (all deltas of a part share one) and
 * random: neither duplicates nor order can be checked; a new `start` after text is a restart.
 */
export const VERCEL_DATA_STREAM: EventStreamInput = {
  events: {
    start: ['start'],
    text: ['text-delta'],
    end: ['finish'],
    abort: ['abort'],
    error: ['error'],
    errorWhenField: null,
    kindField: 'type',
    other: [
      'start-step',
      'finish-step',
      'reset-step',
      'text-start',
      'text-end',
      'reasoning-start',
      'reasoning-delta',
      'reasoning-end',
      'tool-input-start',
      'tool-input-delta',
      'tool-input-available',
      'tool-input-error',
      'tool-output-available',
      'tool-output-error',
      'tool-output-denied',
      'tool-approval-request',
      'tool-approval-response',
      'source-url',
      'source-document',
      'file',
      'reasoning-file',
      'message-metadata',
    ],
  },
  fields: { id: null, attempt: null, parentAttempt: null, text: 'delta', reason: 'finishReason', errorCode: null, recoverable: null, message: 'errorText' },
  reasons: { stop: 'completed', length: 'truncated', 'content-filter': 'truncated', 'tool-calls': 'truncated', error: 'errored', other: 'completed' },
  orderedIds: false,
  detect: { requires: ['type'] },
};
