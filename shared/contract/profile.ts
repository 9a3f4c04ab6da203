import { z } from 'zod';
import { channelSuffix } from '../journal/session-key';
import { ContractStateSchema, type ContractState } from './states';
import { compileStream, EventStreamSchema, LARAVEL_AI_STREAM, PRISM_STREAM, VERCEL_DATA_STREAM, type CompiledStream } from './event-stream';

/**
 * A contract profile maps another app's broadcast onto the roles of DESIGN §4: which event
 * carries tokens, which channels carry sessions, what the payload fields are called and
 * which words mean which state. Every key is optional in the input and falls back to the
 * default profile, so `{ "fields": { "chunk": "delta" } }` is a complete profile.
 */

export const CHANNEL_PLACEHOLDER = /\{[A-Za-z_][A-Za-z0-9_]*\}/g;

/**
 * Pusher and soketi refuse event data over 10 KB = 10,240 bytes (the mock too: its
 * `maxMessageSize`); DESIGN §5 calls a larger event `oversize`. Reverb's default is 10,000
 * (`max_message_size`): a contract for Reverb says so with `maxPayloadBytes`.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 10 * 1024;

const FieldName = z.string().min(1, 'a field name cannot be empty').max(100);
const StateSchema = ContractStateSchema;

const DEFAULT_STATES: Record<string, ContractState> = {
  generating: 'generating',
  completed: 'completed',
  finished: 'completed',
  truncated: 'truncated',
  errored: 'errored',
  abandoned: 'abandoned',
};

export const ContractFieldsSchema = z.strictObject({
  /** `null`: the app sends no session id, sessions are keyed by the channel suffix. */
  sessionId: FieldName.nullable().default('session_id'),
  chunk: FieldName.default('chunk'),
  sequence: FieldName.default('sequence'),
  state: FieldName.default('state'),
  /** `null`: the app sends no termination code. */
  terminationCode: FieldName.nullable().default('termination_code'),
  /** `null`: never read a server send time. When named, the field stays optional per event. */
  emittedAt: FieldName.nullable().default('emitted_at'),
});

export const ContractProfileSchema = z
  .strictObject({
    name: z.string().min(1).max(100).default('default'),
    /** Broadcast name; a leading dot (Echo's "do not namespace" marker) is dropped. */
    event: z
      .string()
      .min(1, 'the event name is empty')
      .transform((name) => (name.startsWith('.') ? name.slice(1) : name))
      .refine((name) => name.length > 0, 'the event name is only a dot')
      .default('chunk.delivered'),
    /** Channel name with exactly one `{placeholder}` standing for the session id. */
    channel: z
      .string()
      .min(1, 'the channel pattern is empty')
      .refine((pattern) => (pattern.match(CHANNEL_PLACEHOLDER) ?? []).length === 1, {
        message: 'the channel pattern needs exactly one placeholder such as {id}, e.g. "private-ai.{id}"',
      })
      .default('private-ai.{id}'),
    fields: ContractFieldsSchema.default(ContractFieldsSchema.parse({})),
    /** The app's state words → canonical states. Replaces the default vocabulary when given. */
    states: z
      .record(z.string().min(1, 'a state word cannot be empty'), StateSchema)
      .refine((states) => Object.values(states).includes('generating'), {
        message: 'the state vocabulary maps no word to "generating"',
      })
      .refine((states) => Object.values(states).some((state) => state !== 'generating'), {
        message: 'the state vocabulary maps no word to a terminal state (completed, truncated, errored, abandoned)',
      })
      .default(DEFAULT_STATES),
    maxPayloadBytes: z.number().int().positive().default(DEFAULT_MAX_PAYLOAD_BYTES),
    /**
     * A stream without sequence numbers (the Laravel AI SDK's, Prism's): its event names and fields.
     * When set, `event`, `channel`, `fields` and `states` are not read: sessions are keyed by the
     * channel's suffix after its last dot, as the journal keys them.
     */
    stream: EventStreamSchema.nullable().default(null),
  })
  .superRefine((profile, ctx) => {
    // Two roles read from one field cannot both be right: name the second one.
    const seen = new Map<string, string>();
    for (const [role, field] of Object.entries(profile.fields)) {
      if (field === null) continue;
      const other = seen.get(field);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['fields', role], message: `"${field}" is already the ${other} field` });
      }
      seen.set(field, role);
    }
  });

export type ContractProfileInput = z.input<typeof ContractProfileSchema>;
export type ContractProfile = z.output<typeof ContractProfileSchema>;
export type ContractFields = ContractProfile['fields'];

export const DEFAULT_PROFILE: ContractProfile = ContractProfileSchema.parse({});

export type ProfileParseResult = { ok: true; profile: ContractProfile } | { ok: false; error: string };

/** Validates a user profile; the error names the offending field, e.g. `fields.sequence: …`. */
export function parseContractProfile(input: unknown): ProfileParseResult {
  const result = ContractProfileSchema.safeParse(input);
  if (result.success) return { ok: true, profile: result.data };
  const error = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'profile'}: ${issue.message}`).join('; ');
  return { ok: false, error: `invalid contract profile: ${error}` };
}

/** A profile prepared for the hot path: plain strings and a Map, no zod per event. */
export interface CompiledProfile {
  readonly profile: ContractProfile;
  readonly event: string;
  readonly channelPrefix: string;
  readonly channelSuffix: string;
  readonly fields: ContractFields;
  readonly states: ReadonlyMap<string, ContractState>;
  readonly maxPayloadBytes: number;
  /** The event-stream reading of the profile, or null for a sequenced one (DESIGN §4). */
  readonly stream: CompiledStream | null;
}

export function compileProfile(profile: ContractProfile = DEFAULT_PROFILE): CompiledProfile {
  const placeholder = profile.channel.match(CHANNEL_PLACEHOLDER)?.[0] ?? '{id}';
  const at = profile.channel.indexOf(placeholder);
  return {
    profile,
    event: profile.event,
    channelPrefix: profile.channel.slice(0, at),
    channelSuffix: profile.channel.slice(at + placeholder.length),
    fields: profile.fields,
    states: new Map(Object.entries(profile.states)),
    maxPayloadBytes: profile.maxPayloadBytes,
    stream: profile.stream === null ? null : compileStream(profile.stream),
  };
}

/** The contracts EchoScope knows by name: the seed's (sequenced, the default) and the event streams of the Laravel AI SDK and Prism. */
export const BUILTIN_CONTRACTS = {
  echoscope: {},
  'laravel-ai': { name: 'laravel-ai', stream: LARAVEL_AI_STREAM },
  prism: { name: 'prism', stream: PRISM_STREAM },
  'vercel-data-stream': { name: 'vercel-data-stream', stream: VERCEL_DATA_STREAM },
} as const satisfies Record<string, ContractProfileInput>;
export type BuiltinContractName = keyof typeof BUILTIN_CONTRACTS;

/** A built-in contract by name, parsed; undefined for an unknown name. */
export function builtinContract(name: string): ContractProfile | undefined {
  if (!Object.hasOwn(BUILTIN_CONTRACTS, name)) return undefined;
  return ContractProfileSchema.parse(BUILTIN_CONTRACTS[name as BuiltinContractName]);
}

/** The session id a channel name carries, or undefined when the channel is not the profile's. */
export function channelSessionId(compiled: CompiledProfile, channel: string): string | undefined {
  const { channelPrefix: prefix, channelSuffix: suffix } = compiled;
  if (channel.length <= prefix.length + suffix.length) return undefined;
  if (!channel.startsWith(prefix) || !channel.endsWith(suffix)) return undefined;
  return channel.slice(prefix.length, channel.length - suffix.length);
}

/** Same test as channelSessionId without allocating the suffix string (hot path). */
export function channelMatches(compiled: CompiledProfile, channel: string): boolean {
  const { channelPrefix: prefix, channelSuffix: suffix } = compiled;
  return channel.length > prefix.length + suffix.length && channel.startsWith(prefix) && channel.endsWith(suffix);
}

/**
 * The session a record belongs to as a contract keys it — the one rule the analyzer uses — for
 * finding a session's records in the journal: a sequenced contract's frame by its session id
 * field (else the channel's placeholder), an event stream's by the channel's suffix; a
 * subscription by its channel the same way. Undefined for a connection record or a frame
 * without a channel and without a usable id.
 */
export function contractSessionKey(compiled: CompiledProfile, record: { type: string; channel?: string | undefined; data?: unknown }): string | undefined {
  const channel = record.channel;
  if (record.type !== 'frame' && record.type !== 'subscription') return undefined;
  if (compiled.stream !== null) return channel === undefined ? undefined : channelSuffix(channel);
  const field = compiled.fields.sessionId;
  if (record.type === 'frame' && field !== null) {
    const data = record.data;
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
      const id = (data as Record<string, unknown>)[field];
      // as decodePayload reads it: a string id, else the frame is the channel's session's (a violation of it)
      if (typeof id === 'string' && id.length > 0) return id;
    }
  }
  return channel === undefined ? undefined : (channelSessionId(compiled, channel) ?? channelSuffix(channel));
}
