import Pusher from 'pusher-js';

/**
 * Everything EchoScope relies on inside pusher-js that is not its public API — in one place
 * (issue 19, item 8). pusher-js is pinned to this exact version in package.json, and
 * `pusher-js-internals.test.ts` is the contract: against a real server it checks each reliance
 * below on the installed pusher-js (the internal objects exist and behave as used here, and a
 * channel event decoded here is the very object pusher-js's own decoding builds). An upgrade
 * that changes any of it fails that test before it changes a verdict. docs/connections.md says why
 * this adapter rather than a client of our own.
 *
 * What is relied on:
 * - `Pusher.instances`: pusher-js keeps every client it made (to connect them when it becomes
 *   ready) and never lets go — `forgetClient` takes a stopped one out;
 * - a Channel's `failThrough` (called for events with no callback) — `silenceUnboundEvents`;
 * - `connection.connection.transport.emit` and `connection.connection.emit` (pusher-js
 *   Dispatchers) and `Protocol.decodeMessage`'s result — `interceptMessages`;
 * - `Pusher.log` / `Pusher.logToConsole` on the export and its parent class — whether pusher-js
 *   logs, in which case it is left to decode for itself.
 */
export const PINNED_PUSHER_JS = '8.6.0';

/** A decoded message as pusher-js 8's `Protocol.decodeMessage` builds it. */
interface PusherEvent {
  event: string;
  channel: unknown;
  data: unknown;
  user_id?: unknown;
}

/**
 * Whether pusher-js logs the messages it decodes: console logging or a `log` hook on its core
 * class, which its logger reads (the default export is a subclass, PusherWithEncryption, so a
 * setting made on the export is looked at too). `log` is typed as always set; it is not.
 */
export function pusherJsLogs(): boolean {
  const core = Object.getPrototypeOf(Pusher) as { logToConsole?: unknown; log?: unknown } | null;
  const exported = Pusher as { logToConsole?: unknown; log?: unknown };
  return Boolean(exported.logToConsole || exported.log || core?.logToConsole || core?.log);
}

/**
 * A channel event's wire text decoded exactly as pusher-js 8's `Protocol.decodeMessage` does
 * (the text is JSON; its `data`, when a string, is parsed as JSON too and kept as the string
 * when that fails; `user_id` copied when set); `undefined` for anything else — a protocol
 * message (`pusher:…`, `pusher_internal:…`), text that is not a JSON object with an event
 * name — which pusher-js then decodes (and reports) itself.
 */
export function decodeChannelEvent(text: string): PusherEvent | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null) return undefined;
  const fields = message as Record<string, unknown>;
  const event = fields.event;
  if (typeof event !== 'string' || event.startsWith('pusher')) return undefined;
  let data = fields.data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      // Not JSON: pusher-js delivers the string itself.
    }
  }
  const decoded: PusherEvent = { event, channel: fields.channel, data };
  if (fields.user_id) decoded.user_id = fields.user_id;
  return decoded;
}

/**
 * What pusher-js 8's `connection.connection` (the Connection of one transport) and its
 * `transport` offer: both are pusher-js Dispatchers (internal to pusher-js; read defensively).
 */
interface PusherDispatcher {
  emit(name: string, data?: unknown): unknown;
}
interface PusherTransportConnection extends PusherDispatcher {
  transport?: PusherDispatcher | null;
}

let adapterDecodes = 0;

/** Channel events decoded here rather than by pusher-js, so far (the contract test checks which path ran). */
export function decodedByAdapter(): number {
  return adapterDecodes;
}

/** Transports whose messages are intercepted already. */
const intercepted = new WeakSet<object>();

/**
 * Reads each message of a pusher-js client's current transport before pusher-js does
 * (call it on every 'connected': a reconnect brings a new transport), for two reasons:
 * - `onText` gets the message's **wire text** (or `undefined` when it has none) just before
 *   the message is handled; the hub keeps it for the journal (shared/journal/captured.ts), so a
 *   frame crosses to the journal's thread as one string instead of a structured clone;
 * - a **channel event** is decoded here and handed straight to pusher-js's Connection as the
 *   decoded message ({@link decodeChannelEvent}: the same object pusher-js builds), skipping
 *   only pusher-js's own handler of it, which decodes the same way and then `JSON.stringify`s
 *   the event for its debug logger even with logging off (~3 µs per frame in the ingest
 *   bench, more than the rest of what the hub adds on this thread). Everything after (activity
 *   check, channel dispatch, Echo, the hub's 'message' listener) runs as before. With pusher-js
 *   logging on (`logToConsole`, a `log` hook) and for protocol messages, pusher-js handles the
 *   message itself.
 * Both paths emit synchronously, so the text given is always that of the message the client's
 * 'message' listeners receive next. Messages from before this (the handshake) and transports
 * that cannot be intercepted go without text.
 */
export function interceptMessages(pusher: Pusher, onText: (text: string | undefined) => void): void {
  const inner = (pusher.connection as unknown as { connection?: PusherTransportConnection | null }).connection;
  const transport = inner?.transport;
  if (!inner || !transport || typeof transport.emit !== 'function' || typeof inner.emit !== 'function' || intercepted.has(transport)) return;
  intercepted.add(transport);
  const emit = transport.emit;
  transport.emit = (name: string, data?: unknown) => {
    if (name !== 'message') return emit.call(transport, name, data);
    const raw = (data as { data?: unknown } | undefined)?.data;
    const text = typeof raw === 'string' ? raw : undefined;
    onText(text);
    const decoded = text === undefined || pusherJsLogs() ? undefined : decodeChannelEvent(text);
    if (decoded === undefined) return emit.call(transport, name, data);
    adapterDecodes++;
    inner.emit('message', decoded);
    return transport;
  };
}

/** Takes a stopped client out of `Pusher.instances`, so its channels and listeners can be collected. */
export function forgetClient(pusher: Pusher): void {
  const index = Pusher.instances.indexOf(pusher);
  if (index >= 0) Pusher.instances.splice(index, 1);
}

/**
 * A channel whose events are all read from the connection has no per-event callbacks; pusher-js
 * then reports "No callbacks on … for …" through its debug logger, which stringifies its
 * arguments for every event even with logging off. Its `failThrough` is made a no-op.
 */
export function silenceUnboundEvents(pusher: Pusher, channel: string): void {
  const raw = pusher.channel(channel) as (ReturnType<Pusher['channel']> & { failThrough?: unknown }) | undefined;
  if (raw) raw.failThrough = () => undefined;
}
