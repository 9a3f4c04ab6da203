import type { JournalRecord } from '../../../shared/journal';

/**
 * How the fault proxy reads one wire (issue 20, item 3): one codec per protocol, one fault
 * machinery (proxied-socket.ts) for both. A codec instance belongs to one client socket (Socket.IO
 * learns the socket id from one packet and says connected on a later one); it only reads messages
 * and builds broken ones — what goes out, when and how often is the machinery's.
 */
export interface WireCodec {
  /** A text message from the server. */
  fromServer(text: string): ServerMessage;
  /** A text message from the client: whether it is a heartbeat (ping-silence swallows it), and what it means for the journal. */
  fromClient(text: string, at: number): { heartbeat: boolean; records: JournalRecord[] };
  /** The journal records of a text message as the client got it. */
  delivered(text: string, at: number): JournalRecord[];
  /** The channel event with its data cut mid-JSON (the `malformed` fault). */
  malformed(event: ChannelEvent): string;
}

export interface ChannelEvent {
  channel: string;
  event: string;
  /** The codec's own reading of the message, for `malformed`. */
  body: unknown;
  /** The event's data as text, as the server sent it (the truth's digest is of it). */
  data: string;
}

export interface ServerMessage {
  /** Not this protocol at all: passed on as it came, counted in the status. */
  unreadable?: true;
  /** A ping or pong: ping-silence swallows it. */
  heartbeat?: true;
  /** The socket id the server gave this client, when this message says it. */
  socketId?: string;
  /** The channel the message is on, if any (held events count it as a later event of the channel). */
  channel?: string;
  /** A channel event the rules act on (never the protocol's own frames). */
  target?: ChannelEvent;
}

/** The data's JSON text cut in half: a client's JSON.parse of it fails. */
export function cutJson(data: unknown): string {
  const text = typeof data === 'string' ? data : (JSON.stringify(data ?? {}) ?? '{}');
  return text.slice(0, Math.max(1, Math.ceil(text.length / 2)));
}
