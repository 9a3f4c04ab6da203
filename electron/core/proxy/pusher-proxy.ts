import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { readWireFrame, wireRecords, type JournalRecord } from '../../../shared/journal';
import {
  ClientFaultPlan,
  PROXY_FAULT_KINDS,
  ProxyFaultsSchema,
  type ProxyFaultKind,
  type FrameDecision,
  type ProxyClientTruth,
  type ProxyFaults,
  type ProxyTruth,
  type ProxyTruthEvent,
} from '../../../shared/proxy';
import { preciseNow, type Clock } from '../clock';
import { answerControl } from './proxy-control';

/**
 * `echoscope proxy` (issue 20, item 3): a Pusher-protocol proxy between the user's clients and
 * a real server (Reverb, soketi, Pusher, or our mock). Each client socket gets its own upstream
 * socket to the same path and query; what the client sends goes up untouched (auth signatures,
 * client events, pings), what the server sends comes down through the fault rules. Untouched
 * frames are passed on as the bytes they came as, so with no faults the proxied stream is the
 * direct one. Every frame the client gets is journaled from that client's vantage (`proxy:N`),
 * and everything done to it goes into the ground truth.
 */

export interface PusherProxyOptions {
  /** `ws://host:port` or `wss://host:port` of the real server (a path prefix is kept). */
  upstream: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  faults?: ProxyFaults;
  /** Every journal record of every proxied client, in delivery order. */
  record?: (record: JournalRecord) => void;
  log?: (line: string) => void;
  clock?: Clock;
  /** Most channel events kept in the ground truth over the run (then `truncated`). */
  truthBudget?: number;
  /** Client sockets are journaled as `{prefix}:1`, `{prefix}:2`, … (default `proxy`). */
  connectionPrefix?: string;
}

export interface ProxyStatus {
  url: string;
  upstream: string;
  connectionPrefix: string;
  startedAt: number;
  clients: number;
  open: number;
  /** Frames from upstream that were not Pusher JSON: passed on, not journaled. */
  unreadable: number;
  faults: ProxyFaults;
  /** Faults applied so far, per kind (over every rule set). */
  applied: Record<ProxyFaultKind, number>;
}

/** A client's frame larger than this closes its socket (1009): a browser page cannot make the proxy hold more. */
const MAX_CLIENT_MESSAGE = 1024 * 1024;
/** What a server may send in one message (Pusher limits event data to 10 KB; soketi and Reverb allow more). */
const MAX_UPSTREAM_MESSAGE = 16 * 1024 * 1024;
/** Client messages kept while the upstream socket is still opening. */
const MAX_PENDING = 256;

export class PusherProxy {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE, perMessageDeflate: false, clientTracking: false });
  private readonly clients = new Set<ProxiedClient>();
  private readonly truths: ProxyClientTruth[] = [];
  private readonly ruleSets: Array<{ from: number; faults: ProxyFaults }>;
  private readonly clock: Clock;
  private accepted = 0;
  private truthEvents = 0;
  private truncated = false;
  private readonly startedAt: number;
  readonly connectionPrefix: string;
  readonly applied = Object.fromEntries(PROXY_FAULT_KINDS.map((kind) => [kind, 0])) as Record<ProxyFaultKind, number>;
  unreadable = 0;

  private constructor(
    private readonly server: Server,
    readonly upstream: string,
    readonly url: string,
    private readonly options: PusherProxyOptions,
  ) {
    this.clock = options.clock ?? preciseNow;
    this.startedAt = this.clock();
    this.connectionPrefix = options.connectionPrefix ?? 'proxy';
    this.ruleSets = [{ from: this.startedAt, faults: options.faults ?? ProxyFaultsSchema.parse({}) }];
  }

  static async start(options: PusherProxyOptions): Promise<PusherProxy> {
    const upstream = upstreamBase(options.upstream);
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
    const proxy = new PusherProxy(server, upstream, `ws://${host.includes(':') ? `[${host}]` : host}:${port}`, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => answerControl(request, response, proxy));
    server.on('upgrade', (request: IncomingMessage, socket: IncomingMessage['socket'], head: Buffer) => proxy.upgrade(request, socket, head));
    server.on('clientError', (_error, socket) => socket.destroy());
    return proxy;
  }

  /** The rule set in force. */
  get faults(): ProxyFaults {
    return this.ruleSets[this.ruleSets.length - 1]!.faults;
  }

  /** Replaces the rules: sockets open now and later count positions afresh under the new set. */
  setFaults(faults: ProxyFaults): void {
    this.ruleSets.push({ from: this.clock(), faults });
    const set = this.ruleSets.length - 1;
    for (const client of this.clients) client.useFaults(faults, set);
  }

  status(): ProxyStatus {
    return {
      url: this.url,
      upstream: this.upstream,
      connectionPrefix: this.connectionPrefix,
      startedAt: this.startedAt,
      clients: this.accepted,
      open: this.clients.size,
      unreadable: this.unreadable,
      faults: this.faults,
      applied: { ...this.applied },
    };
  }

  truth(): ProxyTruth {
    return { version: 1, kind: 'echoscope-proxy-truth', upstream: this.upstream, ruleSets: this.ruleSets, clients: this.truths, truncated: this.truncated };
  }

  /** Closes every proxied socket (1001, going away) and the listener. */
  async close(): Promise<void> {
    for (const client of this.clients) client.shutdown();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
  }

  /** @internal the journal and the truth, for the sockets. */
  record(record: JournalRecord): void {
    this.options.record?.(record);
  }

  /** @internal */
  keepTruthEvent(): boolean {
    if (this.truthEvents >= (this.options.truthBudget ?? 1_000_000)) {
      this.truncated = true;
      return false;
    }
    this.truthEvents++;
    return true;
  }

  /** @internal */
  closed(client: ProxiedClient): void {
    this.clients.delete(client);
  }

  /** @internal */
  log(line: string): void {
    this.options.log?.(line);
  }

  private upgrade(request: IncomingMessage, socket: IncomingMessage['socket'], head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const number = ++this.accepted;
      const truth: ProxyClientTruth = { client: number, connection: `${this.connectionPrefix}:${number}`, openedAt: this.clock(), events: [], moments: [] };
      this.truths.push(truth);
      const set = this.ruleSets.length - 1;
      const client = new ProxiedClient(this, ws, `${this.upstream}${request.url ?? '/'}`, request.headers.origin, new ClientFaultPlan(this.faults, number), set, truth, this.clock);
      this.clients.add(client);
    });
  }
}

/** `ws://host:port[/prefix]` without a trailing slash; anything else is refused in words. */
export function upstreamBase(upstream: string): string {
  let url: URL;
  try {
    url = new URL(upstream);
  } catch {
    throw new Error(`--upstream ${upstream}: not a URL (give ws://host:port or wss://host:port)`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`--upstream ${upstream}: the server's WebSocket URL starts with ws:// or wss://`);
  if (url.search !== '' || url.hash !== '') throw new Error(`--upstream ${upstream}: give the server's address only (the client's path and query are passed on)`);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

type OutItem =
  | { kind: 'frame'; bytes: RawData | string; binary: boolean; text: string | null; notBefore: number; truth: ProxyTruthEvent | null; as: 'original' | 'copy' | 'malformed' }
  | { kind: 'close'; code: number; reason: string; notBefore: number }
  | { kind: 'silence'; durationMs: number; notBefore: number };

interface Held {
  item: Extract<OutItem, { kind: 'frame' }>;
  remaining: number;
  timer: NodeJS.Timeout;
}

/** One client socket and its upstream twin. */
class ProxiedClient {
  private upstream: WebSocket;
  private readonly pending: Array<{ data: RawData; binary: boolean }> = [];
  private readonly outbox: OutItem[] = [];
  private readonly held = new Map<string, Held[]>();
  private readonly indexes = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | null = null;
  private silentUntil = 0;
  private sent = 0;
  private done = false;

  constructor(
    private readonly proxy: PusherProxy,
    private readonly client: WebSocket,
    target: string,
    origin: string | undefined,
    private plan: ClientFaultPlan,
    private ruleSet: number,
    private readonly truth: ProxyClientTruth,
    private readonly clock: Clock,
  ) {
    this.proxy.record({ type: 'connection', at: this.clock(), connection: truth.connection, state: 'connecting' });
    this.upstream = new WebSocket(target, { maxPayload: MAX_UPSTREAM_MESSAGE, perMessageDeflate: false, ...(origin === undefined ? {} : { origin }) });
    this.upstream.on('open', () => {
      for (const { data, binary } of this.pending.splice(0)) this.upstream.send(data, { binary });
    });
    this.upstream.on('message', (data, binary) => this.fromUpstream(data, binary));
    this.upstream.on('error', (error) => {
      if (this.done) return;
      this.proxy.log(`${truth.connection}: upstream ${target.split('?')[0]}: ${error.message}`);
      this.finish('upstream', 1011, `upstream unreachable: ${error.message}`.slice(0, 120));
    });
    this.upstream.on('close', (code, reason) => this.finish('upstream', code, reason.toString('utf8')));
    client.on('message', (data, binary) => this.fromClient(data, binary));
    client.on('close', (code, reason) => this.finish('client', code, reason.toString('utf8')));
    client.on('error', () => this.finish('client', 1006, 'client socket error'));
  }

  useFaults(faults: ProxyFaults, set: number): void {
    this.plan = new ClientFaultPlan(faults, this.truth.client);
    this.ruleSet = set;
  }

  shutdown(): void {
    this.finish('proxy', 1001, 'proxy shutting down');
  }

  private fromClient(data: RawData, binary: boolean): void {
    if (this.done) return;
    if (!binary) {
      const frame = readWireFrame(data.toString());
      if (frame.ok) {
        if ((frame.event === 'pusher:ping' || frame.event === 'pusher:pong') && this.clock() < this.silentUntil) return;
        for (const record of wireRecords(frame, 'send', this.clock(), this.truth.connection)) this.proxy.record(record);
      }
    }
    if (this.upstream.readyState === WebSocket.OPEN) this.upstream.send(data, { binary });
    else if (this.upstream.readyState === WebSocket.CONNECTING && this.pending.length < MAX_PENDING) this.pending.push({ data, binary });
  }

  private fromUpstream(data: RawData, binary: boolean): void {
    if (this.done) return;
    const now = this.clock();
    if (binary) return this.enqueue({ kind: 'frame', bytes: data, binary, text: null, notBefore: now, truth: null, as: 'original' });
    const text = data.toString();
    const frame = readWireFrame(text);
    if (!frame.ok) {
      this.proxy.unreadable++;
      return this.enqueue({ kind: 'frame', bytes: data, binary, text: null, notBefore: now, truth: null, as: 'original' });
    }
    if ((frame.event === 'pusher:ping' || frame.event === 'pusher:pong') && now < this.silentUntil) return;
    if (frame.event === 'pusher:connection_established') {
      const socketId = socketIdOf(frame.data);
      if (socketId !== undefined) this.truth.socketId = socketId;
    }
    const channel = frame.channel;
    const decision = channel === undefined ? null : this.plan.decide(channel, frame.event);
    if (decision !== null) for (const fault of decision.faults) this.proxy.applied[fault.kind]++;
    let truth: ProxyTruthEvent | null = null;
    if (channel !== undefined && !frame.event.startsWith('pusher')) {
      const index = (this.indexes.get(channel) ?? 0) + 1;
      this.indexes.set(channel, index);
      if (this.proxy.keepTruthEvent()) {
        truth = { channel, event: frame.event, index, receivedAt: now, deliveries: [], faults: decision?.faults ?? [], ruleSet: this.ruleSet };
        this.truth.events.push(truth);
      }
    }
    const original = { kind: 'frame', bytes: data, binary, text, notBefore: now, truth, as: 'original' } as const;
    if (decision === null) {
      this.enqueue(original);
      if (channel !== undefined) this.countTowardsHeld(channel);
      return;
    }
    this.apply(decision, original, frame.event, channel!, frame.data, truth?.index ?? 0);
  }

  private apply(decision: FrameDecision, original: Extract<OutItem, { kind: 'frame' }>, event: string, channel: string, data: unknown, index: number): void {
    const notBefore = original.notBefore + decision.delayMs;
    const items: OutItem[] = [];
    if (!decision.drop) {
      if (decision.malformed !== null) {
        items.push({ ...original, bytes: malformedFrame(event, channel, data), text: null, notBefore, as: 'malformed' });
        if (decision.malformed.resend) items.push({ ...original, notBefore });
      } else if (decision.reorder === null) {
        items.push({ ...original, notBefore });
        for (let copy = 0; copy < decision.copies; copy++) items.push({ ...original, notBefore, as: 'copy' });
      }
    }
    const moment = (kind: 'disconnect' | 'ping-silence') => decision.faults.find((f) => f.kind === kind);
    const disconnect = moment('disconnect');
    const silence = moment('ping-silence');
    if (silence !== undefined) {
      items.push({ kind: 'silence', durationMs: decision.pingSilenceMs, notBefore });
      this.truth.moments.push({ kind: 'ping-silence', at: notBefore, channel, index, rule: silence.rule, ruleSet: this.ruleSet, durationMs: decision.pingSilenceMs });
    }
    if (disconnect !== undefined && decision.disconnect !== null) {
      items.push({ kind: 'close', code: decision.disconnect.code, reason: decision.disconnect.reason, notBefore });
      this.truth.moments.push({ kind: 'disconnect', at: notBefore, channel, index, rule: disconnect.rule, ruleSet: this.ruleSet, code: decision.disconnect.code });
    }
    if (decision.delayMs > 0 && items.length === 0) items.push({ kind: 'silence', durationMs: 0, notBefore });
    for (const item of items) this.enqueue(item);
    if (!decision.drop && decision.malformed === null && decision.reorder !== null) {
      const held: Held = { item: { ...original, notBefore }, remaining: decision.reorder.window, timer: setTimeout(() => this.release(channel, held), decision.reorder.maxHoldMs) };
      this.countTowardsHeld(channel);
      const list = this.held.get(channel) ?? [];
      list.push(held);
      this.held.set(channel, list);
      return;
    }
    if (!decision.drop) this.countTowardsHeld(channel);
  }

  /** A later event of the channel went out: held events whose window is full follow it. */
  private countTowardsHeld(channel: string): void {
    const list = this.held.get(channel);
    if (list === undefined) return;
    for (const held of [...list]) {
      if (--held.remaining <= 0) this.release(channel, held);
    }
  }

  private release(channel: string, held: Held): void {
    const list = this.held.get(channel);
    if (list === undefined || !list.includes(held)) return;
    clearTimeout(held.timer);
    list.splice(list.indexOf(held), 1);
    if (list.length === 0) this.held.delete(channel);
    this.enqueue({ ...held.item, notBefore: this.clock() });
  }

  private enqueue(item: OutItem): void {
    this.outbox.push(item);
    this.flush();
  }

  /** Sends what is due, in order: a delayed item holds everything behind it, as a slow link would. */
  private flush(): void {
    if (this.flushTimer !== null) return;
    while (this.outbox.length > 0 && !this.done) {
      const item = this.outbox[0]!;
      const now = this.clock();
      if (item.notBefore > now) {
        this.flushTimer = setTimeout(
          () => {
            this.flushTimer = null;
            this.flush();
          },
          Math.ceil(item.notBefore - now),
        );
        return;
      }
      this.outbox.shift();
      if (item.kind === 'close') {
        this.finish('proxy', item.code, item.reason);
        return;
      }
      if (item.kind === 'silence') {
        if (item.durationMs > 0) this.silentUntil = Math.max(this.silentUntil, now + item.durationMs);
        continue;
      }
      if (this.client.readyState !== WebSocket.OPEN) continue;
      this.client.send(item.bytes, { binary: item.binary });
      this.sent++;
      item.truth?.deliveries.push({ at: now, n: this.sent, as: item.as });
      const text = item.text ?? (item.binary ? null : item.bytes.toString());
      if (text === null) continue;
      const frame = readWireFrame(text);
      if (frame.ok) for (const record of wireRecords(frame, 'receive', now, this.truth.connection)) this.proxy.record(record);
    }
  }

  private finish(by: 'client' | 'upstream' | 'proxy', code: number, reason: string): void {
    if (this.done) return;
    this.done = true;
    const at = this.clock();
    this.truth.closedAt = at;
    this.truth.closedBy = by;
    this.truth.closeCode = code;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    for (const list of this.held.values()) for (const held of list) clearTimeout(held.timer);
    this.held.clear();
    this.outbox.length = 0;
    const record: JournalRecord = { type: 'connection', at, connection: this.truth.connection, state: 'disconnected', code, reason: reason || closedBy(by) };
    this.proxy.record(record);
    const sendable = sendableCode(code);
    if (by !== 'client') closeSocket(this.client, sendable, reason);
    if (by !== 'upstream') closeSocket(this.upstream, by === 'client' ? sendable : 1000, by === 'client' ? reason : 'proxied client gone');
    this.proxy.closed(this);
  }
}

function closedBy(by: 'client' | 'upstream' | 'proxy'): string {
  return by === 'client' ? 'closed by the client' : by === 'upstream' ? 'closed by the server' : 'closed by the proxy';
}

/** A code that may be sent in a close frame (RFC 6455 §7.4): others (1005, 1006, 1015) are reported, not sent. */
function sendableCode(code: number): number | undefined {
  if (code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)) return code;
  return undefined;
}

function closeSocket(ws: WebSocket, code: number | undefined, reason: string): void {
  if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return;
  if (ws.readyState === WebSocket.CONNECTING) return ws.terminate();
  if (code === undefined) return ws.terminate();
  ws.close(code, Buffer.byteLength(reason) > 123 ? reason.slice(0, 60) : reason);
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

/** The event with its data cut mid-JSON: a client's JSON.parse of the data fails. */
function malformedFrame(event: string, channel: string, data: unknown): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data ?? {});
  return JSON.stringify({ event, channel, data: text.slice(0, Math.max(1, Math.ceil(text.length / 2))) });
}
