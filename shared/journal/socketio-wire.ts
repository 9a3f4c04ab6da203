import { nestsDeeperThan, TOO_DEEP_PAYLOAD_TEXT } from '../contract/payload-size';
import type { ConnectionRecord, FrameRecord, JournalRecord, SubscriptionRecord } from './records';
import type { WireDirection } from './wire-records';

/**
 * What one Socket.IO 2 WebSocket message means for the journal (laravel-echo-server; engine.io
 * protocol 3), read from its text as a client received or sent it — the fault proxy's Socket.IO
 * wire, as `wire-records.ts` is its Pusher one.
 *
 * A message is an engine.io packet: a type digit (`0` open `{"sid":…}`, `2` ping, `3` pong, `4`
 * message, `5` upgrade, …) and its data. A `4` carries a socket.io packet: a type digit (`0`
 * connect, `2` event, …), an optional `/namespace,` and ack id, then JSON. laravel-echo-server
 * emits a broadcast as the event `42["<event>","<channel>",<data>]`, and Echo subscribes with
 * `42["subscribe",{"channel":…,"auth":{"headers":…}}]` (there is no acknowledgement).
 */

const ENGINE_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;
const PACKET_TYPES = ['connect', 'disconnect', 'event', 'ack', 'error', 'binary_event', 'binary_ack'] as const;

export type SocketIoPacketType = (typeof PACKET_TYPES)[number];

export interface SocketIoPacket {
  type: SocketIoPacketType;
  nsp: string;
  /** The message's text before the packet's JSON (`42`, `42/admin,`, `4217`): kept when the JSON is rewritten. */
  head: string;
  /** The packet's JSON, parsed; undefined when it has none or it is not JSON. */
  body: unknown;
}

export type EngineIoMessage =
  | { ok: true; engine: 'open'; sid: string | undefined }
  | { ok: true; engine: 'close' | 'ping' | 'pong' | 'upgrade' | 'noop' }
  | { ok: true; engine: 'message'; packet: SocketIoPacket | null }
  | { ok: false; problem: string };

/** Reads a text message's engine.io packet and, for a `4`, its socket.io packet (null when that is not one). */
export function readEngineIoMessage(text: string): EngineIoMessage {
  const engine = ENGINE_TYPES[text.charCodeAt(0) - 48];
  if (engine === undefined) return { ok: false, problem: 'not an engine.io packet (no type digit)' };
  if (engine === 'open') {
    const open = parseJson(text.slice(1));
    const sid = isObject(open) && typeof open.sid === 'string' ? open.sid : undefined;
    return { ok: true, engine, sid };
  }
  if (engine !== 'message') return { ok: true, engine };
  return { ok: true, engine, packet: readPacket(text) };
}

function readPacket(text: string): SocketIoPacket | null {
  const type = PACKET_TYPES[text.charCodeAt(1) - 48];
  if (type === undefined) return null;
  let i = 2;
  if (type === 'binary_event' || type === 'binary_ack') {
    const dash = text.indexOf('-', i);
    if (dash < 0) return null;
    i = dash + 1;
  }
  let nsp = '/';
  if (text[i] === '/') {
    const comma = text.indexOf(',', i);
    const end = comma < 0 ? text.length : comma;
    nsp = text.slice(i, end);
    i = comma < 0 ? end : end + 1;
  }
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const json = text.slice(i);
  return { type, nsp, head: text.slice(0, i), body: json === '' ? undefined : parseJson(json) };
}

/** An EVENT packet as Echo's listeners get it: laravel-echo-server emits (event, channel, data); other emitters (event, data). */
export interface SocketIoEvent {
  event: string;
  channel: string | undefined;
  data: unknown;
  /** The packet's arguments after the event name, as sent. */
  args: unknown[];
}

export function socketIoEventOf(packet: SocketIoPacket | null): SocketIoEvent | undefined {
  if (packet === null || packet.type !== 'event' || !Array.isArray(packet.body)) return undefined;
  const [event, ...args] = packet.body as unknown[];
  if (typeof event !== 'string') return undefined;
  // The same reading as EchoScope's own Socket.IO connection (electron/core/hub/socketio-connection.ts).
  const channel = typeof args[0] === 'string' && args.length >= 2 ? args[0] : undefined;
  return { event, channel, data: channel === undefined ? args[0] : args[1], args };
}

/** laravel-echo-server's own events (subscription errors, presence): never a broadcast, never a fault's target. */
export function isSocketIoProtocolEvent(event: string): boolean {
  return event === 'subscription_error' || event.startsWith('presence:');
}

/**
 * The journal records of one client socket's Socket.IO messages. Stateful per socket: the socket
 * id comes in the engine.io open packet, the `connected` record with the socket.io connect that
 * follows it (when EchoScope's own connection says connected). A socket that began on HTTP
 * long-polling and upgraded (its URL has `sid`) is connected from the client's upgrade packet.
 */
export class SocketIoWireJournal {
  private socketId: string | undefined;

  constructor(
    private readonly connection: string,
    /** The engine.io session an upgrading WebSocket joins (`sid` in its URL), if any. */
    private readonly upgradeOf?: string,
  ) {}

  records(message: EngineIoMessage, direction: WireDirection, at: number): JournalRecord[] {
    if (!message.ok) return [];
    const connection = this.connection;
    if (direction === 'send') {
      if (message.engine === 'upgrade' && this.upgradeOf !== undefined) return [this.connected(at, this.upgradeOf)];
      if (message.engine !== 'message') return [];
      const sent = socketIoEventOf(message.packet);
      const target = sent === undefined ? undefined : (sent.args[0] as { channel?: unknown } | undefined);
      if (sent === undefined || (sent.event !== 'subscribe' && sent.event !== 'unsubscribe') || !isObject(target) || typeof target.channel !== 'string') return [];
      const record: SubscriptionRecord = { type: 'subscription', at, connection, channel: target.channel, status: sent.event === 'subscribe' ? 'subscribed' : 'unsubscribed' };
      return [record];
    }
    if (message.engine === 'open') {
      this.socketId = message.sid;
      return [];
    }
    if (message.engine !== 'message' || message.packet === null) return [];
    const packet = message.packet;
    if (packet.type === 'connect' && packet.nsp === '/') return [this.connected(at, this.socketId)];
    const received = socketIoEventOf(packet);
    if (received === undefined) return [];
    const data = nestsDeeperThan(received.data) ? TOO_DEEP_PAYLOAD_TEXT : received.data;
    const frame: FrameRecord =
      received.channel === undefined
        ? { type: 'frame', at, connection, event: received.event, data }
        : { type: 'frame', at, connection, channel: received.channel, event: received.event, data };
    if (received.event !== 'subscription_error' || received.channel === undefined) return [frame];
    const failed: SubscriptionRecord = { type: 'subscription', at, connection, channel: received.channel, status: 'failed' };
    if (Number.isInteger(received.args[1])) {
      failed.code = received.args[1] as number;
      failed.error = `the app's auth endpoint answered HTTP ${failed.code}`;
    }
    return [frame, failed];
  }

  private connected(at: number, socketId: string | undefined): ConnectionRecord {
    const record: ConnectionRecord = { type: 'connection', at, connection: this.connection, state: 'connected' };
    if (socketId !== undefined) record.socketId = socketId;
    return record;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
