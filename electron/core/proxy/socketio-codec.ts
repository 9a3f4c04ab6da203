import { isSocketIoProtocolEvent, readEngineIoMessage, socketIoEventOf, SocketIoWireJournal, type SocketIoEvent, type SocketIoPacket } from '../../../shared/journal';
import { eventDataText } from '../../../shared/proxy';
import { cutJson, type ServerMessage, type WireCodec } from './wire-codec';

/**
 * Socket.IO 2's wire for the fault proxy (laravel-echo-server, engine.io protocol 3 over a
 * WebSocket): engine.io ping `2` and pong `3` are the heartbeats; a broadcast is the event packet
 * `42["<event>","<channel>",<data>]`; laravel-echo-server's `subscription_error` and `presence:*`
 * events are its own, never a fault's target.
 */
export function socketIoCodec(connection: string, url: string): WireCodec {
  const journal = new SocketIoWireJournal(connection, upgradeSid(url));
  return {
    fromServer(text) {
      const message = readEngineIoMessage(text);
      if (!message.ok) return { unreadable: true };
      if (message.engine === 'ping' || message.engine === 'pong') return { heartbeat: true };
      if (message.engine === 'open') return message.sid === undefined ? {} : { socketId: message.sid };
      if (message.engine !== 'message') return {};
      const packet = message.packet;
      const event = socketIoEventOf(packet);
      if (packet === null || event === undefined || event.channel === undefined) return {};
      const read: ServerMessage = { channel: event.channel };
      if (!isSocketIoProtocolEvent(event.event))
        read.target = { channel: event.channel, event: event.event, body: { packet, event } satisfies Body, data: eventDataText(event.data) };
      return read;
    },
    fromClient(text, at) {
      const message = readEngineIoMessage(text);
      return { heartbeat: message.ok && (message.engine === 'ping' || message.engine === 'pong'), records: journal.records(message, 'send', at) };
    },
    delivered(text, at) {
      return journal.records(readEngineIoMessage(text), 'receive', at);
    },
    /**
     * The packet stays a valid event of the same channel, its data replaced by the first half of
     * the data's JSON text: the listener gets a string that is not JSON, as from a server that
     * double-encoded and cut a payload. (A packet cut mid-JSON would not reach any listener:
     * socket.io-client turns it into a parser error and drops it, which is a `drop`.)
     */
    malformed({ body }) {
      const { packet, event } = body as Body;
      return `${packet.head}${JSON.stringify([event.event, event.channel, cutJson(event.data), ...event.args.slice(2)])}`;
    },
  };
}

interface Body {
  packet: SocketIoPacket;
  event: SocketIoEvent;
}

/** A WebSocket that upgrades a long-polling session names it in its query (`sid=`). */
function upgradeSid(url: string): string | undefined {
  const query = url.indexOf('?');
  if (query < 0) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get('sid') ?? undefined;
}
