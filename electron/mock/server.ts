import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppRuntime, type Fleet } from './app-runtime';
import { CORS_HEADERS, handleBroadcastingAuth } from './broadcasting-auth';
import { resolveConfig, type MockApp, type MockServerOptions } from './config';
import { Connection } from './connection';
import { GenerationStore } from './generations';
import { handlePusherApi, isPusherApiPath } from './http-api';
import { sendError, sendJson, sendText } from './http-io';
import { renderPrometheus, renderScalingPrometheus, type AppCounters } from './metrics';
import { ScalingLink, type ScalingNotice, type ScalingStatus } from './scaling';
import { readScaling, scalingMessage, serializeApplication, terminateMessage } from './scaling-format';
import { decodePathSegment, splitRequestTarget } from './request-path';
import { CLOSE, CLOSE_REASON, PROTOCOL_VERSION, closeReason, encodeError } from './protocol';

/** A server-side publish, as the HTTP API would do it, without the HTTP round trip. */
export interface PublishRequest {
  /** Default: the first app. */
  appId?: string;
  channel?: string;
  channels?: string[];
  event: string;
  /** Strings are sent as-is; anything else is JSON-encoded (as Laravel does). */
  data: unknown;
  /** Do not deliver to this socket (Pusher's `socket_id` exclusion). */
  socketId?: string;
}

export interface ConnectionSummary {
  appId: string;
  socketId: string;
  channels: string[];
  userId: string | null;
}

export interface CloseConnectionsFilter {
  appId?: string;
  socketId?: string;
  /** Signed-in or presence user id. */
  userId?: string;
  /** Connections subscribed to this channel. */
  channel?: string;
}

export interface SubscribedEvent {
  appId: string;
  channel: string;
  socketId: string;
}

export interface MockServer {
  host: string;
  port: number;
  /** `http://host:port` — the HTTP API, `/broadcasting/auth`, `/metrics`. */
  httpUrl: string;
  /** `ws://host:port` — clients connect to `${wsUrl}/app/{key}?protocol=7`. */
  wsUrl: string;
  apps: MockApp[];
  /** Generation records served at `GET /api/generations/{sessionId}`. */
  generations: GenerationStore;
  /** Per-app counters (connections, subscriptions, messages in/out, …). */
  counters(): AppCounters[];
  /** Prometheus text, as `GET /metrics` serves it. */
  metricsText(): string;
  /**
   * Publishes an event in-process; returns the number of frames delivered (0 with scaling: the
   * node delivers when the message comes back from Redis, as every other node does).
   */
  publish(request: PublishRequest): number;
  /** Live connections, optionally of one app. */
  connections(appId?: string): ConnectionSummary[];
  /** Closes matching connections with a protocol close code (e.g. 4200 to make clients reconnect). Returns how many. */
  closeConnections(filter: CloseConnectionsFilter, code: number, reason?: string): number;
  /** Subscribers of a channel right now (0 when vacant). */
  subscriberCount(channel: string, appId?: string): number;
  /**
   * Lists channels as occupied in the HTTP API although nobody subscribed yet — what a publisher
   * about to stream on them announces (`replay` while it waits, so `watch --discover` finds them).
   * Returns the function that withdraws them.
   */
  announceChannels(channels: readonly string[], appId?: string): () => void;
  /** Called whenever a connection joins a channel; returns the unsubscribe function. */
  onSubscribed(listener: (event: SubscribedEvent) => void): () => void;
  /**
   * Fault injection: matching connections stop answering `pusher:ping` and stop sending their own
   * pings for `durationMs`, so a client's pong timeout fires as on a dead path. Returns how many.
   */
  silencePings(filter: CloseConnectionsFilter, durationMs: number): number;
  /** With `scaling`: the link to the scaling channel (state, published, not published, received); null without. */
  scaling(): ScalingStatus | null;
  /** With `scaling`: told when Redis is lost, when a broadcast could not be published, and when Redis is back. Returns the unsubscribe function. */
  onScalingNotice(listener: (notice: ScalingNotice, status: ScalingStatus) => void): () => void;
  close(): Promise<void>;
}

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const config = resolveConfig(options);
  const runtimes = new Map<string, AppRuntime>();
  const byKey = new Map<string, AppRuntime>();
  for (const app of config.apps) {
    const runtime = new AppRuntime(app, config);
    runtimes.set(app.id, runtime);
    byKey.set(app.key, runtime);
  }
  const defaultApp = runtimes.get(config.apps[0]!.id)!;
  const generations = new GenerationStore();
  // Joined to the fleet before listening: a node that cannot reach its Redis serves nobody.
  const link = config.scaling === undefined ? null : await ScalingLink.open(config.scaling, receiveFromFleet, config.now);
  if (link) {
    const fleet = fleetOver(link, config.activityTimeoutSec, config.limits);
    for (const runtime of runtimes.values()) runtime.fleet = fleet;
  }
  const live = new Set<Connection>();
  const sockets = new Set<WebSocket>();

  // Bounded work per client: requests that stall mid-headers or mid-body are cut, and beyond
  // `maxConcurrentHttpRequests` in flight a request is refused unread.
  let inFlight = 0;
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    if (inFlight >= config.limits.maxConcurrentHttpRequests) {
      return sendError(res, 503, `Too many requests in flight (limit ${config.limits.maxConcurrentHttpRequests}); retry shortly`, { connection: 'close', 'retry-after': '1' });
    }
    inFlight += 1;
    res.once('close', () => (inFlight -= 1));
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, error instanceof Error ? error.message : String(error));
      else res.destroy();
    });
  });
  // Large enough to answer an oversize frame with a protocol error; beyond it ws closes with 1009.
  const hardFrameLimit = Math.max(config.limits.maxMessageSize * 4, 4 * 1024 * 1024);
  const wss = new WebSocketServer({ noServer: true, maxPayload: hardFrameLimit, perMessageDeflate: false, clientTracking: false });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { rawPath, query } = splitRequestTarget(req.url);
    if (isPusherApiPath(rawPath)) return handlePusherApi(req, res, rawPath, query, { config, runtimes, byKey });
    if (rawPath.startsWith('/broadcasting/') || rawPath.startsWith('/api/')) {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS_HEADERS);
        res.end();
        return;
      }
    }
    if (rawPath === '/broadcasting/auth' || rawPath === '/broadcasting/user-auth') {
      return handleBroadcastingAuth(req, res, rawPath, query, { config, runtimes, defaultApp });
    }
    const generation = /^\/api\/generations\/([^/]+)$/.exec(rawPath);
    if (generation) {
      const sessionId = decodePathSegment(generation[1]!);
      if (sessionId === null) return sendError(res, 400, 'Malformed percent-encoding in the session id of the path', CORS_HEADERS);
      const record = generations.get(sessionId);
      if (!record) {
        return sendJson(res, 404, { error: 'generation_not_found', message: `No generation record for session "${sessionId}"`, session_id: sessionId }, CORS_HEADERS);
      }
      return sendJson(res, 200, record, CORS_HEADERS);
    }
    if (rawPath === '/metrics') return sendText(res, 200, metricsText(), 'text/plain; version=0.0.4; charset=utf-8');
    if (rawPath === '/' || rawPath === '/ready') return sendText(res, 200, 'OK');
    return sendError(res, 404, `Not found: ${req.method ?? 'GET'} ${rawPath}`);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, socket));
  });

  let socketSeq = 0;
  const socketPrefix = randomInt(1, 1_000_000_000);

  function refuse(ws: WebSocket, code: number, message?: string): void {
    const text = message ?? CLOSE_REASON[code] ?? 'Refused';
    ws.send(encodeError(code, text));
    ws.close(code, closeReason(text));
  }

  function accept(ws: WebSocket, req: IncomingMessage, socket: Socket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    const { rawPath, query } = splitRequestTarget(req.url);
    const match = /^\/app\/([^/]+)\/?$/.exec(rawPath);
    if (!match) return refuse(ws, CLOSE.pathNotFound, `Path not found: ${rawPath.slice(0, 200)}; connect to /app/{key}?protocol=7`);
    const protocol = query.get('protocol');
    if (protocol === null) return refuse(ws, CLOSE.noProtocolVersion);
    if (!/^\d+$/.test(protocol)) return refuse(ws, CLOSE.invalidVersionFormat);
    if (Number(protocol) !== PROTOCOL_VERSION) return refuse(ws, CLOSE.unsupportedProtocol, `Unsupported protocol version ${protocol}; this server speaks ${PROTOCOL_VERSION}`);
    const key = decodePathSegment(match[1]!);
    if (key === null) return refuse(ws, CLOSE.appNotFound, 'App key in the path is not valid percent-encoding');
    const runtime = byKey.get(key);
    if (!runtime) return refuse(ws, CLOSE.appNotFound, `App key ${key.slice(0, 200)} does not exist`);
    if (runtime.connections.size >= config.limits.maxConnections) {
      runtime.counters.errors += 1;
      return refuse(ws, CLOSE.overConnectionQuota, `${CLOSE_REASON[CLOSE.overConnectionQuota]} (${config.limits.maxConnections})`);
    }
    socketSeq += 1;
    const connection = new Connection(`${socketPrefix}.${socketSeq}`, ws, runtime, socket);
    live.add(connection);
    ws.on('message', (data, isBinary) => connection.onMessage(toBuffer(data), isBinary));
    ws.on('close', () => {
      live.delete(connection);
      connection.dispose();
    });
    connection.start();
  }

  const sweepEveryMs = Math.min(1000, Math.max(50, (Math.min(config.activityTimeoutSec, config.pongTimeoutSec) * 1000) / 4));
  const sweep = setInterval(() => {
    const now = config.now();
    for (const connection of live) connection.checkActivity(now);
    for (const runtime of runtimes.values()) runtime.channels.pruneCache(now);
  }, sweepEveryMs);
  sweep.unref();

  function metricsText(): string {
    return renderPrometheus(counters()) + (link ? renderScalingPrometheus(link.status()) : '');
  }

  /** A message of the scaling channel (this node's own included): delivered to this node's subscribers. False when it is not for this node. */
  function receiveFromFleet(text: string): boolean {
    const read = readScaling(text);
    if ('ignored' in read) return false;
    const runtime = runtimes.get(read.appId);
    if (!runtime) return false;
    if (read.type === 'terminate') runtime.terminateUser(read.userId, CLOSE.unauthorized);
    else if (read.event.startsWith('client-') && read.channels.length === 1)
      runtime.deliverClientEvent(read.channels[0]!, read.event, read.data, read.userId ?? null, read.exceptSocketId);
    else runtime.deliver(read.channels, read.event, read.data, read.exceptSocketId);
    return true;
  }

  function counters(): AppCounters[] {
    return [...runtimes.values()].map((runtime) => runtime.snapshotCounters());
  }

  function runtimeFor(appId: string | undefined): AppRuntime {
    const runtime = appId === undefined ? defaultApp : runtimes.get(appId);
    if (!runtime) throw new Error(`unknown app id "${appId ?? ''}"`);
    return runtime;
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    clearInterval(sweep);
    await link?.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;

  return {
    host: address.address,
    port: address.port,
    httpUrl: `http://${hostForUrl}:${address.port}`,
    wsUrl: `ws://${hostForUrl}:${address.port}`,
    apps: config.apps.map((app) => ({ ...app })),
    generations,
    counters,
    metricsText,
    publish(request) {
      const runtime = runtimeFor(request.appId);
      const channels = request.channels ?? (request.channel === undefined ? [] : [request.channel]);
      const data = typeof request.data === 'string' ? request.data : JSON.stringify(request.data);
      return runtime.publish(channels, request.event, data, request.socketId);
    },
    connections(appId) {
      const result: ConnectionSummary[] = [];
      for (const runtime of appId === undefined ? runtimes.values() : [runtimeFor(appId)]) {
        for (const connection of runtime.connections.values()) {
          result.push({ appId: runtime.app.id, socketId: connection.socketId, channels: [...connection.channelNames], userId: connection.userId });
        }
      }
      return result;
    },
    closeConnections(filter, code, reason) {
      let closed = 0;
      for (const connection of [...live]) {
        if (!matches(connection, filter)) continue;
        connection.close(code, reason);
        closed += 1;
      }
      return closed;
    },
    subscriberCount(channel, appId) {
      return runtimeFor(appId).channels.get(channel)?.subscribers.size ?? 0;
    },
    announceChannels(channels, appId) {
      const runtime = runtimeFor(appId);
      const added = channels.filter((channel) => !runtime.announced.has(channel));
      for (const channel of added) runtime.announced.add(channel);
      return () => {
        for (const channel of added) runtime.announced.delete(channel);
      };
    },
    onSubscribed(listener) {
      const relay = (appId: string, channel: string, socketId: string): void => listener({ appId, channel, socketId });
      for (const runtime of runtimes.values()) runtime.joinListeners.add(relay);
      return () => {
        for (const runtime of runtimes.values()) runtime.joinListeners.delete(relay);
      };
    },
    silencePings(filter, durationMs) {
      const until = config.now() + durationMs;
      let silenced = 0;
      for (const connection of live) {
        if (!matches(connection, filter)) continue;
        connection.silencePings(until);
        silenced += 1;
      }
      return silenced;
    },
    scaling() {
      return link ? link.status() : null;
    },
    onScalingNotice(listener) {
      return link ? link.onNotice(listener) : () => undefined;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };

  function matches(connection: Connection, filter: CloseConnectionsFilter): boolean {
    if (filter.appId !== undefined && connection.appId !== filter.appId) return false;
    if (filter.socketId !== undefined && connection.socketId !== filter.socketId) return false;
    if (filter.channel !== undefined && ![...connection.channelNames].includes(filter.channel)) return false;
    if (filter.userId !== undefined) {
      const channels = [...connection.channelNames];
      if (connection.userId !== filter.userId && !channels.some((c) => connection.presenceUserId(c) === filter.userId)) return false;
    }
    return true;
  }

  async function shutdown(): Promise<void> {
    clearInterval(sweep);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // 4200 (like soketi): clients reconnect by themselves once a mock is back on this port.
    for (const connection of live) connection.close(CLOSE.reconnectNow, 'Server shutting down, reconnect shortly');
    for (const ws of sockets) ws.close(1001, 'Server shutting down');
    // Give clients a moment for the close handshake, then cut whatever is left.
    await waitUntil(() => sockets.size === 0, 1000);
    for (const ws of sockets) ws.terminate();
    server.closeAllConnections();
    await closed;
    wss.close();
    await link?.close();
  }
}

/** The fleet as the app runtimes see it: each broadcast in Reverb's format on the scaling channel. */
function fleetOver(link: ScalingLink, activityTimeoutSec: number, limits: { maxMessageSize: number; maxConnections: number }): Fleet {
  const applications = new Map<AppRuntime, string>();
  const applicationOf = (runtime: AppRuntime): string => {
    let text = applications.get(runtime);
    if (text === undefined) {
      const { id, key, secret } = runtime.app;
      text = serializeApplication({
        id,
        key,
        secret,
        pingInterval: activityTimeoutSec,
        activityTimeout: activityTimeoutSec,
        maxMessageSize: limits.maxMessageSize,
        maxConnections: limits.maxConnections,
      });
      applications.set(runtime, text);
    }
    return text;
  };
  return {
    canPublish: () => link.canPublish(),
    broadcast: (runtime, payload, exceptSocketId) => link.publish(scalingMessage(applicationOf(runtime), payload, exceptSocketId), payload.event),
    terminate: (runtime, userId) => link.publish(terminateMessage(applicationOf(runtime), userId), `terminate_connections of user ${userId}`),
    refused: (events) => {
      for (const event of events) link.refused(event);
    },
  };
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = (): void => {
      if (condition() || Date.now() - started >= timeoutMs) resolve();
      else setTimeout(tick, 10);
    };
    tick();
  });
}
