import { readWireFrame, wireRecords } from '../../../shared/journal';
import { eventDataText, isProtocolEvent } from '../../../shared/proxy';
import { cutJson, type ServerMessage, type WireCodec } from './wire-codec';

/**
 * The Pusher protocol's wire for the fault proxy: a message is JSON `{event, channel?, data?}`
 * with `data` a JSON string; `pusher:*` / `pusher_internal:*` frames are the protocol's own.
 */
export function pusherCodec(connection: string): WireCodec {
  const isHeartbeat = (event: string) => event === 'pusher:ping' || event === 'pusher:pong';
  return {
    fromServer(text) {
      const frame = readWireFrame(text);
      if (!frame.ok) return { unreadable: true };
      const message: ServerMessage = {};
      if (isHeartbeat(frame.event)) message.heartbeat = true;
      if (frame.event === 'pusher:connection_established') {
        const socketId = socketIdOf(frame.data);
        if (socketId !== undefined) message.socketId = socketId;
      }
      if (frame.channel !== undefined) {
        message.channel = frame.channel;
        if (!isProtocolEvent(frame.event)) message.target = { channel: frame.channel, event: frame.event, body: frame.data, data: eventDataText(frame.data) };
      }
      return message;
    },
    fromClient(text, at) {
      const frame = readWireFrame(text);
      if (!frame.ok) return { heartbeat: false, records: [] };
      return { heartbeat: isHeartbeat(frame.event), records: wireRecords(frame, 'send', at, connection) };
    },
    delivered(text, at) {
      const frame = readWireFrame(text);
      return frame.ok ? wireRecords(frame, 'receive', at, connection) : [];
    },
    malformed({ channel, event, body }) {
      return JSON.stringify({ event, channel, data: cutJson(body) });
    },
  };
}

function socketIdOf(data: unknown): string | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { socket_id?: unknown }).socket_id === 'string'
      ? (parsed as { socket_id: string }).socket_id
      : undefined;
  } catch {
    return undefined;
  }
}
