import type { AppliedFault } from './plan';
import type { ProxyFaults } from './faults';

/**
 * The fault proxy's ground truth (issue 20, item 3): per proxied client socket, every channel
 * event the upstream server sent it, what the proxy delivered in its place and when, and the
 * moment faults it acted. A check scores EchoScope's verdicts on the client's observation
 * against it, as `check` scores them against the mock's truth. Times are epoch ms as the proxy
 * saw them (arrival from upstream, delivery to the client).
 */

export type ProxyDeliveryForm = 'original' | 'copy' | 'malformed';

export interface ProxyTruthDelivery {
  at: number;
  /** The frame's number among everything the proxy sent this client (1, 2, …): the order on the wire. */
  n: number;
  as: ProxyDeliveryForm;
}

export interface ProxyTruthEvent {
  channel: string;
  event: string;
  /** Position among the channel events the upstream sent this client on this channel (1, 2, …). */
  index: number;
  receivedAt: number;
  /**
   * `eventDigest` of the event's data as the server sent it: which published event this is, so a
   * client that came back on a new socket is placed where its events fall in the published stream.
   */
  digest?: string;
  /** In the order they went out; none when dropped (or still held when the socket closed). */
  deliveries: ProxyTruthDelivery[];
  faults: AppliedFault[];
  /** The rule set in force (index into `ProxyTruth.ruleSets`). */
  ruleSet: number;
}

export interface ProxyTruthMoment {
  kind: 'disconnect' | 'ping-silence';
  at: number;
  /** The event it followed. */
  channel: string;
  index: number;
  rule: number;
  ruleSet: number;
  code?: number;
  durationMs?: number;
}

export interface ProxyClientTruth {
  client: number;
  /** The journal's connection of this client's observation. */
  connection: string;
  socketId?: string;
  openedAt: number;
  closedAt?: number;
  /** Who closed the socket first. */
  closedBy?: 'client' | 'upstream' | 'proxy';
  closeCode?: number;
  events: ProxyTruthEvent[];
  moments: ProxyTruthMoment[];
}

/**
 * A short fingerprint of an event's data text (FNV-1a, 32 bits, hex): equal texts give equal
 * digests. Not a hash for security — it tells a stream's published events apart in order, where
 * a clash only costs a placement the check then says it could not make.
 */
export function eventDigest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The text an event's data is sent as: a string as it is, anything else as its JSON. */
export function eventDataText(data: unknown): string {
  return typeof data === 'string' ? data : (JSON.stringify(data ?? null) ?? 'null');
}

export interface ProxyTruth {
  version: 1;
  kind: 'echoscope-proxy-truth';
  upstream: string;
  /** Every rule set in force during the run, from when (the first from the start). */
  ruleSets: Array<{ from: number; faults: ProxyFaults }>;
  clients: ProxyClientTruth[];
  /** Events past the truth's budget were proxied but not recorded here. */
  truncated: boolean;
}
