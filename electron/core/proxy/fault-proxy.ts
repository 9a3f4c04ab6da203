import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import type { JournalRecord } from '../../../shared/journal';
import {
  ClientFaultPlan,
  PROXY_FAULT_KINDS,
  ProxyFaultsSchema,
  type ProxyFaultKind,
  type ProxyClientTruth,
  type ProxyFaults,
  type ProxyProtocol,
  type ProxyTruth,
} from '../../../shared/proxy';
import { preciseNow, type Clock } from '../clock';
import { passPollingOn } from './polling-pass';
import { answerControl, PROXY_CONTROL_PATH } from './proxy-control';
import { MAX_CLIENT_MESSAGE, ProxiedSocket, type SocketHost } from './proxied-socket';
import { pusherCodec } from './pusher-codec';
import { socketIoCodec } from './socketio-codec';
import type { WireCodec } from './wire-codec';

/**
 * `echoscope proxy` (issue 20, item 3): a fault proxy between the user's clients and a real
 * server — the Pusher protocol (Reverb, soketi, Pusher, or our mock) or Socket.IO 2
 * (laravel-echo-server). Each client socket gets its own upstream socket to the same path and
 * query; what the client sends goes up untouched (auth, client events, pings), what the server
 * sends comes down through the fault rules. Untouched messages are passed on as the bytes they
 * came as, so with no faults the proxied stream is the direct one. Every message the client gets
 * is journaled from that client's vantage (`proxy:N`), and everything done to it goes into the
 * ground truth. The wire is read by a codec per protocol; the faults are one machinery
 * (proxied-socket.ts).
 */

export interface FaultProxyOptions {
  /** `ws://host:port` or `wss://host:port` of the real server (a path prefix is kept). */
  upstream: string;
  /** The server's wire (default `pusher`). */
  protocol?: ProxyProtocol;
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
  protocol: ProxyProtocol;
  connectionPrefix: string;
  startedAt: number;
  clients: number;
  open: number;
  /** Messages from upstream that were not the protocol's (not Pusher JSON, not engine.io): passed on, not journaled. */
  unreadable: number;
  faults: ProxyFaults;
  /** Faults applied so far, per kind (over every rule set). */
  applied: Record<ProxyFaultKind, number>;
}

export class FaultProxy implements SocketHost {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE, perMessageDeflate: false, clientTracking: false });
  private readonly clients = new Set<ProxiedSocket>();
  private readonly truths: ProxyClientTruth[] = [];
  private readonly ruleSets: Array<{ from: number; faults: ProxyFaults }>;
  private readonly clock: Clock;
  private accepted = 0;
  private truthEvents = 0;
  private truncated = false;
  private readonly startedAt: number;
  readonly connectionPrefix: string;
  readonly protocol: ProxyProtocol;
  private pollingSeen = false;
  readonly applied = Object.fromEntries(PROXY_FAULT_KINDS.map((kind) => [kind, 0])) as Record<ProxyFaultKind, number>;
  private unreadableCount = 0;

  private constructor(
    private readonly server: Server,
    readonly upstream: string,
    readonly url: string,
    private readonly options: FaultProxyOptions,
  ) {
    this.protocol = options.protocol ?? 'pusher';
    this.clock = options.clock ?? preciseNow;
    this.startedAt = this.clock();
    this.connectionPrefix = options.connectionPrefix ?? 'proxy';
    this.ruleSets = [{ from: this.startedAt, faults: options.faults ?? ProxyFaultsSchema.parse({}) }];
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
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
    const proxy = new FaultProxy(server, upstream, `ws://${host.includes(':') ? `[${host}]` : host}:${port}`, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => proxy.answer(request, response));
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
      protocol: this.protocol,
      connectionPrefix: this.connectionPrefix,
      startedAt: this.startedAt,
      clients: this.accepted,
      open: this.clients.size,
      unreadable: this.unreadableCount,
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
  unreadable(): void {
    this.unreadableCount++;
  }

  /** @internal */
  closed(client: ProxiedSocket): void {
    this.clients.delete(client);
  }

  /** @internal */
  log(line: string): void {
    this.options.log?.(line);
  }

  /**
   * HTTP on the listening port: the proxy's control, and for Socket.IO the long-polling requests,
   * passed on to the server untouched (unobserved: the rules act on WebSocket messages only).
   */
  private answer(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0]!;
    if (this.protocol !== 'socketio' || path === PROXY_CONTROL_PATH || path.startsWith(`${PROXY_CONTROL_PATH}/`)) return answerControl(request, response, this);
    if (!this.pollingSeen && /[?&]transport=polling\b/.test(request.url ?? '')) {
      this.pollingSeen = true;
      this.log(
        "a client uses HTTP long-polling: passed on to the server unobserved until it upgrades to a WebSocket (set transports: ['websocket'] in Echo's options to journal and fault its whole stream)",
      );
    }
    passPollingOn(request, response, this.upstream);
  }

  private upgrade(request: IncomingMessage, socket: IncomingMessage['socket'], head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const number = ++this.accepted;
      const truth: ProxyClientTruth = { client: number, connection: `${this.connectionPrefix}:${number}`, openedAt: this.clock(), events: [], moments: [] };
      this.truths.push(truth);
      const set = this.ruleSets.length - 1;
      const url = request.url ?? '/';
      const codec = codecFor(this.protocol, truth.connection, url);
      const client = new ProxiedSocket(this, ws, `${this.upstream}${url}`, request.headers, codec, new ClientFaultPlan(this.faults, number), set, truth, this.clock);
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

/** A new codec for one client socket that connected with `url` (its path and query). */
function codecFor(protocol: ProxyProtocol, connection: string, url: string): WireCodec {
  return protocol === 'socketio' ? socketIoCodec(connection, url) : pusherCodec(connection);
}
