import { nestsDeeperThan, TOO_DEEP_PAYLOAD_TEXT } from '../contract/payload-size';
import type { ConnectionRecord, FrameRecord, JournalRecord, SubscriptionRecord } from './records';

/**
 * What one Pusher WebSocket message means for the journal, read from its text the way a client
 * received or sent it: the HAR reader (a browser's saved messages) and the fault proxy (every
 * message it passes) both use it, so a message is journaled the same whichever saw it.
 *
 * A Pusher frame is JSON `{event, channel?, data?}` whose `data` is itself a JSON string
 * (double-encoded); it is decoded into the record's `data`, or kept as the raw string when it is
 * not JSON (DESIGN §6).
 */

export type WireDirection = 'receive' | 'send';

/** A message's envelope: its event, channel and still-encoded data; or why it is not a Pusher frame. */
export type WireFrame = { ok: true; event: string; channel: string | undefined; data: unknown } | { ok: false; problem: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a message's envelope (its `data` left as sent). */
export function readWireFrame(text: string): WireFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not a Pusher frame (not JSON)' };
  }
  if (!isObject(frame) || typeof frame.event !== 'string') return { ok: false, problem: 'not a Pusher frame (no event)' };
  return { ok: true, event: frame.event, channel: typeof frame.channel === 'string' ? frame.channel : undefined, data: frame.data };
}

/** A frame's `data` as the journal keeps it: decoded when it is JSON text, else as it came. */
export function decodeWireData(data: unknown): unknown {
  if (typeof data !== 'string') return nestsDeeperThan(data) ? TOO_DEEP_PAYLOAD_TEXT : data;
  try {
    const decoded: unknown = JSON.parse(data);
    // A payload nobody could serialize again (RangeError) stays the text it came as.
    return nestsDeeperThan(decoded) ? data : decoded;
  } catch {
    return data;
  }
}

/**
 * The journal records of one message seen from `connection` at `at`. Received: the frame, with
 * the connection or subscription record its protocol event means before it. Sent: only an
 * unsubscribe changes what the client will receive, so only it is recorded.
 */
export function wireRecords(frame: Extract<WireFrame, { ok: true }>, direction: WireDirection, at: number, connection: string): JournalRecord[] {
  const data = decodeWireData(frame.data);
  if (direction === 'send') {
    const channel = isObject(data) && typeof data.channel === 'string' ? data.channel : undefined;
    if (frame.event !== 'pusher:unsubscribe' || channel === undefined) return [];
    const record: SubscriptionRecord = { type: 'subscription', at, connection, channel, status: 'unsubscribed' };
    return [record];
  }
  const records: JournalRecord[] = [];
  const channel = frame.channel;
  if (frame.event === 'pusher:connection_established') {
    const record: ConnectionRecord = { type: 'connection', at, connection, state: 'connected' };
    if (isObject(data) && typeof data.socket_id === 'string') record.socketId = data.socket_id;
    records.push(record);
  } else if (frame.event === 'pusher_internal:subscription_succeeded' && channel !== undefined) {
    const record: SubscriptionRecord = { type: 'subscription', at, connection, channel, status: 'subscribed' };
    records.push(record);
  } else if (frame.event === 'pusher:subscription_error' && channel !== undefined) {
    const record: SubscriptionRecord = { type: 'subscription', at, connection, channel, status: 'failed' };
    if (isObject(data) && Number.isInteger(data.status)) record.code = data.status as number;
    if (isObject(data) && typeof data.error === 'string') record.error = data.error;
    records.push(record);
  }
  const record: FrameRecord = frame.data === undefined ? { type: 'frame', at, connection, event: frame.event } : { type: 'frame', at, connection, event: frame.event, data };
  if (channel !== undefined) record.channel = channel;
  records.push(record);
  return records;
}
