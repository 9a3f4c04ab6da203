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
  if (type === 'frame') {
    if (typeof value.event !== 'string') return broken('frame record: "event" must be a string');
    if (value.channel !== undefined && typeof value.channel !== 'string') return broken('frame record: "channel" must be a string');
    return { ok: true, record: value as FrameRecord };
  }
  if (type === 'connection') {
    if (typeof value.state !== 'string' || !CONNECTION_STATES.has(value.state)) return broken(`connection record: unknown state ${JSON.stringify(value.state)}`);
    const problem = optional(value, 'socketId', 'string') ?? optional(value, 'code', 'integer') ?? optional(value, 'reason', 'string');
    if (problem) return broken(`connection record: ${problem}`);
    return { ok: true, record: value as ConnectionRecord };
  }
  if (typeof value.channel !== 'string' || value.channel.length === 0) return broken('subscription record: "channel" must be a non-empty string');
  if (typeof value.status !== 'string' || !SUBSCRIPTION_STATUSES.has(value.status)) return broken(`subscription record: unknown status ${JSON.stringify(value.status)}`);
  const problem = optional(value, 'code', 'integer') ?? optional(value, 'error', 'string');
  if (problem) return broken(`subscription record: ${problem}`);
  return { ok: true, record: value as SubscriptionRecord };
}

export function isHeaderRecord(value: unknown): value is HeaderRecord {
  return isObject(value) && value.type === 'header';
}
