import { compileProfile, channelSessionId, type CompiledProfile, type ContractProfile } from './profile';
import { jsonByteSize, MAX_PAYLOAD_DEPTH, TOO_DEEP } from './payload-size';
import type { ContractState } from './states';

/** A payload normalized onto the roles of DESIGN §4, whatever the app calls its fields. */
export interface ContractEvent {
  sessionId: string;
  chunk: string;
  sequence: number;
  state: ContractState;
  terminationCode: string | null;
  /** Server send time (epoch ms) when the payload carries one. */
  emittedAt?: number;
}

export type ViolationKind = 'violation' | 'oversize';

export interface ContractViolation {
  kind: ViolationKind;
  reason: string;
  /** What could still be read, so the violation is attributed to its session. */
  sessionId?: string;
  sequence?: number;
}

export type PayloadVerdict = { ok: true; event: ContractEvent } | { ok: false; violation: ContractViolation };

/** Reusable, mutable event the analyzer decodes into so the hot path allocates nothing per event. */
export interface ContractEventScratch {
  sessionId: string;
  chunk: string;
  sequence: number;
  state: ContractState;
  terminationCode: string | null;
  /** NaN when absent. */
  emittedAt: number;
  /**
   * The attempt the event belongs to when the contract says (an event stream's run id or start
   * events: 1, 2, …); 0 when it does not, and restarts are told from the sequence (DESIGN §5).
   */
  attempt: number;
  /** What went wrong, in the contract's words (an event stream's error `message`); null when it says nothing. */
  detail: string | null;
  /** The contract's order says this event is late (time-ordered ids of an event stream), whatever its position. */
  late: boolean;
}

export function createEventScratch(): ContractEventScratch {
  return { sessionId: '', chunk: '', sequence: 0, state: 'generating', terminationCode: null, emittedAt: Number.NaN, attempt: 0, detail: null, late: false };
}

/**
 * Validates one payload against a profile. `channel` supplies the session id when the
 * profile has no session id field.
 */
export function validatePayload(profile: ContractProfile | CompiledProfile, payload: unknown, channel?: string): PayloadVerdict {
  const compiled = 'channelPrefix' in profile ? profile : compileProfile(profile);
  const scratch = createEventScratch();
  const violation = decodePayload(compiled, payload, channel, scratch);
  if (violation) return { ok: false, violation };
  const event: ContractEvent = {
    sessionId: scratch.sessionId,
    chunk: scratch.chunk,
    sequence: scratch.sequence,
    state: scratch.state,
    terminationCode: scratch.terminationCode,
  };
  if (!Number.isNaN(scratch.emittedAt)) event.emittedAt = scratch.emittedAt;
  return { ok: true, event };
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return `a ${typeof value}`;
}

/**
 * The hot-path decoder: fills `out` and returns null, or returns the violation. Hand-written
 * rather than zod because it runs once per token (see bench/analyzer.bench.ts); the contract
 * tests check it against the schema semantics of DESIGN §4.
 */
export function decodePayload(compiled: CompiledProfile, payload: unknown, channel: string | undefined, out: ContractEventScratch): ContractViolation | null {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    if (typeof payload === 'string' && utf8Length(payload) > compiled.maxPayloadBytes) {
      return { kind: 'oversize', reason: `payload of ${utf8Length(payload)} bytes exceeds ${compiled.maxPayloadBytes}` };
    }
    return { kind: 'violation', reason: `payload is ${describe(payload)}, not a JSON object` };
  }
  const record = payload as Record<string, unknown>;
  const fields = compiled.fields;

  // Read what identifies the event first, so even a broken one is attributed to its session.
  let sessionId: string | undefined;
  let sessionProblem: string | null = null;
  if (fields.sessionId === null) {
    sessionId = channel === undefined ? undefined : channelSessionId(compiled, channel);
    if (sessionId === undefined) sessionProblem = 'the channel does not carry a session id';
  } else {
    const raw = record[fields.sessionId];
    if (typeof raw === 'string' && raw.length > 0) sessionId = raw;
    else sessionProblem = `${fields.sessionId} is ${describe(raw)}, expected a non-empty string`;
  }
  const rawSequence = record[fields.sequence];
  const sequenceOk = typeof rawSequence === 'number' && Number.isSafeInteger(rawSequence) && rawSequence >= 1;

  const bytes = payloadSizeBound(record, compiled.maxPayloadBytes);
  if (bytes === TOO_DEEP) {
    return attribute({ kind: 'violation', reason: `payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels` }, sessionId, sequenceOk ? rawSequence : undefined);
  }
  if (bytes > compiled.maxPayloadBytes) {
    return attribute({ kind: 'oversize', reason: `payload of ${bytes} bytes exceeds ${compiled.maxPayloadBytes}` }, sessionId, sequenceOk ? rawSequence : undefined);
  }
  if (sessionProblem !== null) return attribute({ kind: 'violation', reason: sessionProblem }, undefined, sequenceOk ? rawSequence : undefined);
  if (!sequenceOk) {
    return attribute({ kind: 'violation', reason: `${fields.sequence} is ${describe(rawSequence)}, expected an integer ≥ 1` }, sessionId, undefined);
  }
  const sequence = rawSequence;
  const chunk = record[fields.chunk];
  if (typeof chunk !== 'string') {
    return attribute({ kind: 'violation', reason: `${fields.chunk} is ${describe(chunk)}, expected a string` }, sessionId, sequence);
  }
  const rawState = record[fields.state];
  const state = typeof rawState === 'string' ? compiled.states.get(rawState) : undefined;
  if (state === undefined) {
    const known = [...compiled.states.keys()].join(', ');
    return attribute({ kind: 'violation', reason: `${fields.state} is ${describe(rawState)}, expected one of ${known}` }, sessionId, sequence);
  }
  let terminationCode: string | null = null;
  if (fields.terminationCode !== null) {
    const raw = record[fields.terminationCode];
    if (raw !== null && typeof raw !== 'string') {
      return attribute({ kind: 'violation', reason: `${fields.terminationCode} is ${describe(raw)}, expected a string or null` }, sessionId, sequence);
    }
    terminationCode = raw;
  }
  let emittedAt = Number.NaN;
  if (fields.emittedAt !== null) {
    const raw = record[fields.emittedAt];
    if (raw !== undefined && raw !== null) {
      if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0) {
        return attribute({ kind: 'violation', reason: `${fields.emittedAt} is ${describe(raw)}, expected epoch milliseconds` }, sessionId, sequence);
      }
      emittedAt = raw;
    }
  }
  out.sessionId = sessionId as string;
  out.chunk = chunk;
  out.sequence = sequence;
  out.state = state;
  out.terminationCode = terminationCode;
  out.emittedAt = emittedAt;
  out.attempt = 0;
  out.detail = null;
  out.late = false;
  return null;
}

function attribute(violation: ContractViolation, sessionId: string | undefined, sequence: number | undefined): ContractViolation {
  if (sessionId !== undefined) violation.sessionId = sessionId;
  if (sequence !== undefined) violation.sequence = sequence;
  return violation;
}

/**
 * Size of the payload as UTF-8 JSON, computed exactly only when a cheap upper bound (6 bytes
 * per UTF-16 unit, the worst JSON escape) says it could exceed `limit`, or when it holds
 * nested values; otherwise returns the bound. Keeps the common small token from being
 * re-measured on every event. TOO_DEEP when it nests beyond MAX_PAYLOAD_DEPTH (measured
 * without recursion: see payload-size.ts).
 */
export function payloadSizeBound(record: Record<string, unknown>, limit: number): number {
  let bound = 2;
  for (const key in record) {
    const value = record[key];
    bound += key.length * 6 + 4;
    if (typeof value === 'string') bound += value.length * 6 + 2;
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) bound += 24;
    else return jsonByteSize(record);
    if (bound > limit) return jsonByteSize(record);
  }
  return bound;
}

/** UTF-8 byte length without TextEncoder (not in shared's ES-only lib). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
