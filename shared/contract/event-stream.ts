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
  }),
  fields: z.strictObject({
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
  }),
  /** End reasons → terminal states. A reason not listed ends the run `completed`, with the word as its code. */
  reasons: z.record(z.string().min(1), TerminalStateSchema).default({}),
});

export type EventStreamInput = z.input<typeof EventStreamSchema>;
export type EventStream = z.output<typeof EventStreamSchema>;

/** What a frame of an event-stream contract is. */
export type StreamRole = 'start' | 'text' | 'end' | 'error' | 'other';

export interface CompiledStream {
  readonly stream: EventStream;
  readonly roles: ReadonlyMap<string, Exclude<StreamRole, 'other'>>;
  readonly reasons: ReadonlyMap<string, TerminalState>;
}

export function compileStream(stream: EventStream): CompiledStream {
  const roles = new Map<string, Exclude<StreamRole, 'other'>>();
  for (const role of ['start', 'text', 'end', 'error'] as const) for (const name of stream.events[role]) if (!roles.has(name)) roles.set(name, role);
  return { stream, roles, reasons: new Map(Object.entries(stream.reasons)) };
}

/**
 * The role of a frame: by its event name, else an error by shape (`errorWhenField`), else other.
 * A recoverable error (the run goes on) is other: it ends nothing.
 */
export function streamRole(compiled: CompiledStream, event: string, payload: Record<string, unknown>): StreamRole {
  let role: StreamRole | undefined = compiled.roles.get(event);
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
  events: { start: ['stream_start'], text: ['text_delta'], end: ['stream_end'], error: ['error', 'stream_failed'], errorWhenField: 'recoverable' },
  fields: { id: 'id', attempt: 'invocation_id', parentAttempt: 'parent_invocation_id', text: 'delta', reason: 'reason', errorCode: null, recoverable: 'recoverable' },
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
  events: { start: ['stream_start'], text: ['text_delta'], end: ['stream_end'], error: ['error'], errorWhenField: null },
  fields: { id: 'id', attempt: null, parentAttempt: null, text: 'delta', reason: 'finish_reason', errorCode: 'error_type', recoverable: 'recoverable' },
  reasons: { Stop: 'completed', Length: 'truncated', ContentFilter: 'truncated', ToolCalls: 'truncated', Error: 'errored' },
};
