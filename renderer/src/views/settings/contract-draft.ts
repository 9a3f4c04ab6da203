import type { ContractIssue } from '../../../../shared/api';
import { BUILTIN_CONTRACTS, builtinContract, DEFAULT_PROFILE, type BuiltinContractName } from '../../../../shared/contract/profile';
import { CONTRACT_STATES, TERMINAL_STATES, type ContractState, type TerminalState } from '../../../../shared/contract/states';

/**
 * The Settings contract form's state: what the user typed, field by field, as text (a list of
 * event names is one comma-separated line; an empty optional field is "none"). It becomes a
 * contract profile (the JSON `monitor.profile` and `analyze --contract FILE` take) with
 * `profileOfDraft`, and a profile becomes a draft with `draftOfProfile`, so the form and
 * "Edit as JSON" show one profile. Validation is the host's: nothing here judges a value.
 */

export type ContractKind = 'sequenced' | 'stream';

export interface WordRow<S extends string> {
  /** Stable key for React while words are edited. */
  key: number;
  word: string;
  state: S;
}

export const SEQUENCED_FIELDS = ['sessionId', 'chunk', 'sequence', 'state', 'terminationCode', 'emittedAt'] as const;
export type SequencedField = (typeof SEQUENCED_FIELDS)[number];
/** Fields a sequenced payload may not have (the profile says `null`). */
export const OPTIONAL_SEQUENCED: ReadonlySet<SequencedField> = new Set(['sessionId', 'terminationCode', 'emittedAt']);

export const STREAM_ROLES = ['start', 'text', 'end', 'error', 'abort', 'step', 'other'] as const;
export type StreamRoleName = (typeof STREAM_ROLES)[number];
export const STREAM_FIELDS = ['id', 'attempt', 'parentAttempt', 'text', 'reason', 'errorCode', 'recoverable', 'message'] as const;
export type StreamField = (typeof STREAM_FIELDS)[number];
/** Every stream field but the text may be absent (`null`). */
export const OPTIONAL_STREAM: ReadonlySet<StreamField> = new Set(STREAM_FIELDS.filter((field) => field !== 'text'));

export interface ContractDraft {
  kind: ContractKind;
  name: string;
  maxPayloadBytes: string;
  /** Read by a sequenced contract only. */
  event: string;
  channel: string;
  fields: Record<SequencedField, string>;
  states: WordRow<ContractState>[];
  /** Read by an event-stream contract only. */
  events: Record<StreamRoleName, string>;
  errorWhenField: string;
  kindField: string;
  streamFields: Record<StreamField, string>;
  reasons: WordRow<TerminalState>[];
  orderedIds: boolean;
  detectRequires: string;
  detectAbsent: string;
  /**
   * Keys of the profile this form has no control for (a newer schema's), per section: sent back
   * as they were, so the form never drops what it does not know; the host judges them.
   */
  extra: Record<'profile' | 'fields' | 'stream' | 'events' | 'streamFields', Json>;
}

let nextKey = 1;
export function wordRow<S extends string>(word: string, state: S): WordRow<S> {
  return { key: nextKey++, word, state };
}

const STREAM_FIELD_DEFAULTS: Record<StreamField, string | null> = {
  id: 'id',
  attempt: null,
  parentAttempt: null,
  text: 'delta',
  reason: 'reason',
  errorCode: null,
  recoverable: null,
  message: null,
};

type Json = Record<string, unknown>;

/** The keys each section of a profile has a control for (everything else is `extra`). */
const KNOWN = {
  profile: ['name', 'event', 'channel', 'fields', 'states', 'maxPayloadBytes', 'stream'],
  fields: SEQUENCED_FIELDS,
  stream: ['events', 'fields', 'reasons', 'orderedIds', 'detect'],
  events: [...STREAM_ROLES, 'errorWhenField', 'kindField'],
  streamFields: STREAM_FIELDS,
} as const satisfies Record<keyof ContractDraft['extra'], readonly string[]>;

function extraOf(section: keyof ContractDraft['extra'], value: Json): Json {
  const known: readonly string[] = KNOWN[section];
  return Object.fromEntries(Object.entries(value).filter(([key]) => !known.includes(key)));
}

function objectOf(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function textOf(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  return fallback;
}

function listOf(value: unknown): string {
  return Array.isArray(value) ? value.filter((name): name is string => typeof name === 'string').join(', ') : '';
}

function isContractState(value: unknown): value is ContractState {
  return typeof value === 'string' && (CONTRACT_STATES as readonly string[]).includes(value);
}

function isTerminalState(value: unknown): value is TerminalState {
  return typeof value === 'string' && (TERMINAL_STATES as readonly string[]).includes(value);
}

/**
 * A draft of any profile, full or partial (every key of a profile is optional): what the profile
 * leaves out is the default contract's. Values of the wrong type fall back too (the JSON editor
 * keeps what was typed; the host names the problem).
 */
export function draftOfProfile(input: unknown): ContractDraft {
  const profile = objectOf(input);
  const fields = objectOf(profile.fields);
  const stream = profile.stream !== undefined && profile.stream !== null ? objectOf(profile.stream) : null;
  const events = objectOf(stream?.events);
  const streamFields = objectOf(stream?.fields);
  const detect = objectOf(stream?.detect);
  const states = profile.states === undefined ? DEFAULT_PROFILE.states : objectOf(profile.states);
  return {
    kind: stream === null ? 'sequenced' : 'stream',
    name: typeof profile.name === 'string' ? profile.name : DEFAULT_PROFILE.name,
    maxPayloadBytes: typeof profile.maxPayloadBytes === 'number' ? String(profile.maxPayloadBytes) : String(DEFAULT_PROFILE.maxPayloadBytes),
    event: textOf(profile.event, DEFAULT_PROFILE.event),
    channel: textOf(profile.channel, DEFAULT_PROFILE.channel),
    fields: Object.fromEntries(SEQUENCED_FIELDS.map((field) => [field, textOf(fields[field], DEFAULT_PROFILE.fields[field] ?? '')])) as Record<SequencedField, string>,
    states: Object.entries(states).map(([word, state]) => wordRow(word, isContractState(state) ? state : 'generating')),
    events: Object.fromEntries(STREAM_ROLES.map((role) => [role, listOf(events[role])])) as Record<StreamRoleName, string>,
    errorWhenField: textOf(events.errorWhenField, ''),
    kindField: textOf(events.kindField, ''),
    streamFields: Object.fromEntries(STREAM_FIELDS.map((field) => [field, textOf(streamFields[field], STREAM_FIELD_DEFAULTS[field] ?? '')])) as Record<StreamField, string>,
    reasons: Object.entries(objectOf(stream?.reasons)).map(([word, state]) => wordRow(word, isTerminalState(state) ? state : 'completed')),
    orderedIds: stream?.orderedIds === true,
    detectRequires: listOf(detect.requires),
    detectAbsent: listOf(detect.absent),
    extra: {
      profile: extraOf('profile', profile),
      fields: extraOf('fields', fields),
      stream: extraOf('stream', stream ?? {}),
      events: extraOf('events', events),
      streamFields: extraOf('streamFields', streamFields),
    },
  };
}

/** A built-in contract as a draft (its parsed profile: every default written out). */
export function draftOfBuiltin(name: BuiltinContractName): ContractDraft {
  return draftOfProfile(builtinContract(name));
}

function names(line: string): string[] {
  return line
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/** Empty text is "none" for a field the payload may lack. */
function optional(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** A number as typed; what is not a number is sent as typed, for the host to name. */
function numberOf(text: string): number | string {
  const trimmed = text.trim();
  const value = Number(trimmed);
  return trimmed !== '' && Number.isFinite(value) ? value : trimmed;
}

/** The profile a draft stands for: a sequenced one with DESIGN §4's keys, or an event stream's `stream` section. */
export function profileOfDraft(draft: ContractDraft): Json {
  const base: Json = { ...draft.extra.profile };
  if (draft.name.trim() !== '') base.name = draft.name.trim();
  base.maxPayloadBytes = numberOf(draft.maxPayloadBytes);
  if (draft.kind === 'sequenced') {
    return {
      ...base,
      event: draft.event.trim(),
      channel: draft.channel.trim(),
      fields: {
        ...draft.extra.fields,
        ...Object.fromEntries(SEQUENCED_FIELDS.map((field) => [field, OPTIONAL_SEQUENCED.has(field) ? optional(draft.fields[field]) : draft.fields[field].trim()])),
      },
      states: Object.fromEntries(draft.states.map((row) => [row.word.trim(), row.state])),
    };
  }
  const events: Json = { ...draft.extra.events, ...Object.fromEntries(STREAM_ROLES.map((role) => [role, names(draft.events[role])])) };
  events.errorWhenField = optional(draft.errorWhenField);
  events.kindField = optional(draft.kindField);
  return {
    ...base,
    stream: {
      ...draft.extra.stream,
      events,
      fields: {
        ...draft.extra.streamFields,
        ...Object.fromEntries(STREAM_FIELDS.map((field) => [field, OPTIONAL_STREAM.has(field) ? optional(draft.streamFields[field]) : draft.streamFields[field].trim()])),
      },
      reasons: Object.fromEntries(draft.reasons.map((row) => [row.word.trim(), row.state])),
      orderedIds: draft.orderedIds,
      detect: { requires: names(draft.detectRequires), absent: names(draft.detectAbsent) },
    },
  };
}

/** The issues a form control shows: those naming its path or a part of it (`states` shows `states.done`). */
export function issuesAt(issues: readonly ContractIssue[], path: string): ContractIssue[] {
  return issues.filter((issue) => issue.path === path || issue.path.startsWith(`${path}.`));
}

/** Which built-in a profile is, when it is one exactly (what `monitor.profile` answered). */
export function builtinNameOf(profile: unknown): BuiltinContractName | null {
  const text = JSON.stringify(profile);
  for (const name of Object.keys(BUILTIN_CONTRACTS) as BuiltinContractName[]) if (JSON.stringify(builtinContract(name)) === text) return name;
  return null;
}
