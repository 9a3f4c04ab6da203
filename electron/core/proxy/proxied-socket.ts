import { WebSocket, type RawData } from 'ws';
import type { JournalRecord } from '../../../shared/journal';
import { ClientFaultPlan, eventDigest, type FrameDecision, type ProxyClientTruth, type ProxyFaultKind, type ProxyFaults, type ProxyTruthEvent } from '../../../shared/proxy';
import type { Clock } from '../clock';
import type { ChannelEvent, WireCodec } from './wire-codec';

/**
 * One client socket and its upstream twin: the fault machinery both wires share (issue 20, item
 * 3). What the client sends goes up untouched; what the server sends comes down through the rules
 * — dropped, copied, held back, delayed, broken, followed by a close or a ping silence — and is
 * journaled as the client got it, everything done to it written into the ground truth. The codec
 * says what a message is; this decides what happens to it and when.
 */

/** What the sockets need of their proxy. */
export interface SocketHost {
  readonly applied: Record<ProxyFaultKind, number>;
  record(record: JournalRecord): void;
  /** False once the ground truth's budget of events is spent. */
  keepTruthEvent(): boolean;
  unreadable(): void;
  closed(socket: ProxiedSocket): void;
  log(line: string): void;
}

/** A client's frame larger than this closes its socket (1009): a browser page cannot make the proxy hold more. */
export const MAX_CLIENT_MESSAGE = 1024 * 1024;
/** What a server may send in one message (Pusher limits event data to 10 KB; soketi and Reverb allow more). */
const MAX_UPSTREAM_MESSAGE = 16 * 1024 * 1024;
/** Client messages kept while the upstream socket is still opening. */
const MAX_PENDING = 256;
/** Request headers the upstream sees as the client sent them (laravel-echo-server picks its auth host by Referer and passes Cookie on to it). */
const FORWARDED_HEADERS = ['origin', 'cookie', 'referer', 'user-agent'] as const;

type OutItem =
  | { kind: 'frame'; bytes: RawData | string; binary: boolean; notBefore: number; truth: ProxyTruthEvent | null; as: 'original' | 'copy' | 'malformed' }
  | { kind: 'close'; code: number; reason: string; notBefore: number }
  | { kind: 'silence'; durationMs: number; notBefore: number };

type FrameItem = Extract<OutItem, { kind: 'frame' }>;

interface Held {
  item: FrameItem;
  remaining: number;
  timer: NodeJS.Timeout;
}

export class ProxiedSocket {
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
    private readonly proxy: SocketHost,
    private readonly client: WebSocket,
    target: string,
    headers: Record<string, string | string[] | undefined>,
    private readonly codec: WireCodec,
    private plan: ClientFaultPlan,
    private ruleSet: number,
    private readonly truth: ProxyClientTruth,
    private readonly clock: Clock,
  ) {
    this.proxy.record({ type: 'connection', at: this.clock(), connection: truth.connection, state: 'connecting' });
    const forwarded: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = headers[name];
      if (typeof value === 'string' && name !== 'origin') forwarded[name] = value;
    }
    const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
    this.upstream = new WebSocket(target, { maxPayload: MAX_UPSTREAM_MESSAGE, perMessageDeflate: false, headers: forwarded, ...(origin === undefined ? {} : { origin }) });
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
      const now = this.clock();
      const read = this.codec.fromClient(data.toString(), now);
      if (read.heartbeat && now < this.silentUntil) return;
      for (const record of read.records) this.proxy.record(record);
    }
    if (this.upstream.readyState === WebSocket.OPEN) this.upstream.send(data, { binary });
    else if (this.upstream.readyState === WebSocket.CONNECTING && this.pending.length < MAX_PENDING) this.pending.push({ data, binary });
  }

  private fromUpstream(data: RawData, binary: boolean): void {
    if (this.done) return;
    const now = this.clock();
    const passOn: FrameItem = { kind: 'frame', bytes: data, binary, notBefore: now, truth: null, as: 'original' };
    if (binary) return this.enqueue(passOn);
    const message = this.codec.fromServer(data.toString());
    if (message.unreadable) {
      this.proxy.unreadable();
      return this.enqueue(passOn);
    }
    if (message.heartbeat && now < this.silentUntil) return;
    if (message.socketId !== undefined) this.truth.socketId = message.socketId;
    const target = message.target;
    if (target === undefined) {
      this.enqueue(passOn);
      if (message.channel !== undefined) this.countTowardsHeld(message.channel);
      return;
    }
    const decision = this.plan.decide(target.channel, target.event);
    if (decision !== null) for (const fault of decision.faults) this.proxy.applied[fault.kind]++;
    const index = (this.indexes.get(target.channel) ?? 0) + 1;
    this.indexes.set(target.channel, index);
    if (this.proxy.keepTruthEvent()) {
      passOn.truth = {
        channel: target.channel,
        event: target.event,
        index,
        receivedAt: now,
        digest: eventDigest(target.data),
        deliveries: [],
        faults: decision?.faults ?? [],
        ruleSet: this.ruleSet,
      };
      this.truth.events.push(passOn.truth);
    }
    if (decision === null) {
      this.enqueue(passOn);
      this.countTowardsHeld(target.channel);
      return;
    }
    this.apply(decision, passOn, target, index);
  }

  private apply(decision: FrameDecision, original: FrameItem, target: ChannelEvent, index: number): void {
    const channel = target.channel;
    const notBefore = original.notBefore + decision.delayMs;
    const items: OutItem[] = [];
    if (!decision.drop) {
      if (decision.malformed !== null) {
        items.push({ ...original, bytes: this.codec.malformed(target), binary: false, notBefore, as: 'malformed' });
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
      if (item.binary) continue;
      for (const record of this.codec.delivered(item.bytes.toString(), now)) this.proxy.record(record);
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
