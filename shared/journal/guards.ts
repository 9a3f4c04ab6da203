import { MAX_PAYLOAD_DEPTH, nestsDeeperThan, TOO_DEEP_PAYLOAD_TEXT } from '../contract/payload-size';
import type { ConnectionRecord, FrameRecord, HeaderRecord, JournalRecord, SubscriptionRecord } from './records';

/**
 * Hand-written checks equivalent to the zod schemas in records.ts, for readers that see a
 * record per line (the zod parse would dominate reading a million-line journal). Unknown
 * fields pass through; an unknown `type` is not an error (newer writers may add types).
 */

export type RecordCheck = { ok: true; record: JournalRecord } | { ok: false; unknownType: true } | { ok: false; unknownType: false; message: string };

const CONNECTION_STATES = new Set(['connecting', 'connected', 'unavailable', 'disconnected', 'failed']);
const SUBSCRIPTION_STATUSES = new Set(['subscribed', 'failed', 'unsubscribed']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field's value for a message: strings quoted and cut, anything else by its kind (never stringified whole). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function broken(message: string): RecordCheck {
  return { ok: false, unknownType: false, message };
}

function optional(value: Record<string, unknown>, key: string, type: 'string' | 'integer'): string | null {
  const field = value[key];
  if (field === undefined) return null;
  if (type === 'string' ? typeof field === 'string' : Number.isInteger(field)) return null;
  return `"${key}" must be ${type === 'string' ? 'a string' : 'an integer'}`;
}

export function checkRecord(value: unknown): RecordCheck {
  if (!isObject(value)) return broken('not a JSON object');
  const type = value.type;
  if (type !== 'frame' && type !== 'connection' && type !== 'subscription') {
    return typeof type === 'string' ? { ok: false, unknownType: true } : broken('no "type" field');
  }
  const at = value.at;
  if (typeof at !== 'number' || !Number.isFinite(at)) return broken(`${type} record: "at" must be a finite number`);
  const connection = value.connection;
  if (typeof connection !== 'string' || connection.length === 0) return broken(`${type} record: "connection" must be a non-empty string`);
  const source = value.source;
  if (source !== undefined && (typeof source !== 'string' || source.length === 0)) return broken(`${type} record: "source" must be a non-empty string (the imported file's name)`);
  const tap = value.tap;
  if (tap !== undefined && (typeof tap !== 'string' || tap.length === 0)) return broken(`${type} record: "tap" must be a non-empty string (the tap's format: laravel or reverb)`);
  if (type === 'frame') {
    if (typeof value.event !== 'string') return broken('frame record: "event" must be a string');
    if (value.channel !== undefined && typeof value.channel !== 'string') return broken('frame record: "channel" must be a string');
    // Nothing downstream could serialize such a payload again (RangeError): keep the frame, not the value.
    // (One walk for the usual frame: the payload is looked at alone only when the record is too deep.)
    if (nestsDeeperThan(value, MAX_PAYLOAD_DEPTH + 1)) {
      if (nestsDeeperThan(value.data)) value.data = TOO_DEEP_PAYLOAD_TEXT;
      if (nestsDeeperThan(value, MAX_PAYLOAD_DEPTH + 1)) return broken(`frame record: a field nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
    }
    return { ok: true, record: value as FrameRecord };
  }
  if (nestsDeeperThan(value, MAX_PAYLOAD_DEPTH)) return broken(`${type} record: a field nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  if (type === 'connection') {
    if (typeof value.state !== 'string' || !CONNECTION_STATES.has(value.state)) return broken(`connection record: unknown state ${shown(value.state)}`);
    const problem = optional(value, 'socketId', 'string') ?? optional(value, 'code', 'integer') ?? optional(value, 'reason', 'string');
    if (problem) return broken(`connection record: ${problem}`);
    return { ok: true, record: value as ConnectionRecord };
  }
  if (typeof value.channel !== 'string' || value.channel.length === 0) return broken('subscription record: "channel" must be a non-empty string');
  if (typeof value.status !== 'string' || !SUBSCRIPTION_STATUSES.has(value.status)) return broken(`subscription record: unknown status ${shown(value.status)}`);
  const problem = optional(value, 'code', 'integer') ?? optional(value, 'error', 'string');
  if (problem) return broken(`subscription record: ${problem}`);
  return { ok: true, record: value as SubscriptionRecord };
}

export function isHeaderRecord(value: unknown): value is HeaderRecord {
  return isObject(value) && value.type === 'header';
}
