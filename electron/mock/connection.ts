import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { AppConnection, AppRuntime } from './app-runtime';
import { eventFrame } from './app-runtime';
import { parseChannelData, type PresenceMember } from './presence';
import { CLOSE, CLOSE_REASON, closeReason, channelNameProblem, channelTraits, encodeError, encodeFrame, parseInboundFrame, type InboundFrame } from './protocol';
import { channelAuthString, verifyAuthToken } from './signature';
import type { OutboundFrame } from './wire-frame';

const TEXT = { binary: false } as const;
const PONG = encodeFrame('pusher:pong', {});
const PING = encodeFrame('pusher:ping', {});

interface Membership {
  member: PresenceMember | null;
}

/** One client WebSocket speaking Pusher protocol 7 for one app. */
export class Connection implements AppConnection {
  private readonly memberships = new Map<string, Membership>();
  private signedInUser: string | null = null;
  private lastActivityAt: number;
  private pingSentAt: number | null = null;
  private clientEventWindowStart = 0;
  private clientEventsInWindow = 0;
  private closed = false;
  /** Fault injection (ping silence): until this time the server neither answers nor sends pings. */
  private pingSilentUntil = 0;

  constructor(
    readonly socketId: string,
    private readonly ws: WebSocket,
    private readonly runtime: AppRuntime,
    /**
     * The upgraded TCP socket under `ws`. Broadcast frames are written to it pre-built (see
     * OutboundFrame); that is safe between `ws`'s own writes because its sender writes each frame
     * whole and synchronously when per-message deflate is off, as it is on this server.
     */
    private readonly socket: Duplex,
  ) {
    this.lastActivityAt = runtime.config.now();
  }

  get appId(): string {
    return this.runtime.app.id;
  }

  get userId(): string | null {
    return this.signedInUser;
  }

  get channelNames(): Iterable<string> {
    return this.memberships.keys();
  }

  presenceUserId(channel: string): string | null {
    return this.memberships.get(channel)?.member?.userId ?? null;
  }

  get subscriptionCount(): number {
    return this.memberships.size;
  }

  start(): void {
    this.runtime.addConnection(this);
    this.send(encodeFrame('pusher:connection_established', { socket_id: this.socketId, activity_timeout: this.runtime.config.activityTimeoutSec }));
  }

  deliver(frame: OutboundFrame | string): void {
    if (this.closed || this.ws.readyState !== 1) return;
    if (typeof frame === 'string') {
      this.ws.send(frame, TEXT);
      this.runtime.counters.bytesOut += frame.length;
    } else {
      this.socket.write(frame.wire);
      this.runtime.counters.bytesOut += frame.payload.length;
    }
    this.runtime.counters.messagesOut += 1;
    if (this.ws.bufferedAmount > this.runtime.config.limits.maxSendBufferBytes) this.dropSlowConsumer();
  }

  /**
   * A client that reads slower than it is sent to would make the server buffer without bound.
   * Like Pusher, cut it off with 4100 (pusher-js reconnects after a back-off): it leaves its
   * channels now, so nothing more is queued for it, and the close frame waits behind what is
   * already buffered (ws destroys the socket if the close handshake never completes).
   */
  private dropSlowConsumer(): void {
    this.closed = true;
    this.runtime.counters.errors += 1;
    const memberships: [string, PresenceMember | null][] = [...this.memberships].map(([name, m]) => [name, m.member]);
    this.memberships.clear();
    this.runtime.removeConnection(this, memberships);
    this.ws.close(CLOSE.overCapacity, `${CLOSE_REASON[CLOSE.overCapacity]}: the client reads too slowly`);
  }

  private send(frame: string): void {
    this.deliver(frame);
  }

  private sendError(code: number | null, message: string): void {
    this.runtime.counters.errors += 1;
    this.send(encodeError(code, message));
  }

  private subscriptionError(channel: string, type: string, error: string, status: number): void {
    this.runtime.counters.errors += 1;
    this.send(encodeFrame('pusher:subscription_error', { type, error, status }, channel));
  }

  /** Sends `pusher:error` with the code, then closes with it (the protocol's way to explain a close). */
  close(code: number, reason?: string): void {
    if (this.closed) return;
    const message = reason ?? CLOSE_REASON[code] ?? 'Closed by server';
    this.sendError(code, message);
    this.closed = true;
    this.ws.close(code, closeReason(message));
  }

  /** Called by the socket's close event: leaves every channel (announcing presence departures). */
  dispose(): void {
    this.closed = true;
    const memberships: [string, PresenceMember | null][] = [...this.memberships].map(([name, m]) => [name, m.member]);
    this.memberships.clear();
    this.runtime.removeConnection(this, memberships);
  }

  /** Ping silence: the keep-alive goes quiet on this socket, as on a half-dead network path. */
  silencePings(untilMs: number): void {
    this.pingSilentUntil = untilMs;
  }

  private pingsSilenced(): boolean {
    return this.pingSilentUntil > 0 && this.runtime.config.now() < this.pingSilentUntil;
  }

  /** Keep-alive: ping after `activity_timeout` of silence, close 4201 when the pong does not come. */
  checkActivity(now: number): void {
    if (this.closed || this.pingsSilenced()) return;
    const { activityTimeoutSec, pongTimeoutSec } = this.runtime.config;
    if (this.pingSentAt !== null) {
      if (now - this.pingSentAt >= pongTimeoutSec * 1000) this.close(CLOSE.pongTimeout);
      return;
    }
    if (now - this.lastActivityAt >= activityTimeoutSec * 1000) {
      this.pingSentAt = now;
      this.send(PING);
    }
  }

  onMessage(raw: Buffer, isBinary: boolean): void {
    const counters = this.runtime.counters;
    counters.messagesIn += 1;
    counters.bytesIn += raw.length;
    this.lastActivityAt = this.runtime.config.now();
    this.pingSentAt = null;
    const limit = this.runtime.config.limits.maxMessageSize;
    if (raw.length > limit) {
      this.sendError(null, `Message too large: ${raw.length} bytes, the limit is ${limit}`);
      return;
    }
    if (isBinary) {
      this.sendError(null, 'Binary frames are not part of the Pusher protocol; send JSON text');
      return;
    }
    const frame = parseInboundFrame(raw.toString('utf8'));
    if (typeof frame === 'string') {
      this.sendError(null, frame);
      return;
    }
    this.dispatch(frame);
  }

  private dispatch(frame: InboundFrame): void {
    switch (frame.event) {
      case 'pusher:ping':
        if (!this.pingsSilenced()) this.send(PONG);
        return;
      case 'pusher:pong':
        return;
      case 'pusher:subscribe':
        this.subscribe(frame.data);
        return;
      case 'pusher:unsubscribe':
        this.unsubscribe(frame.data);
        return;
      case 'pusher:signin':
        this.signin(frame.data);
        return;
      default:
        if (frame.event.startsWith('client-')) this.clientEvent(frame);
        else this.sendError(null, `Unknown event "${frame.event.slice(0, 100)}"`);
    }
  }

  private subscribe(data: unknown): void {
    const request = asRecord(data);
    const name = request?.channel;
    if (typeof name !== 'string') {
      this.sendError(null, 'pusher:subscribe needs data.channel');
      return;
    }
    const traits = channelTraits(name);
    const problem = traits.kind === 'user' ? null : channelNameProblem(name);
    if (problem) {
      this.subscriptionError(name.slice(0, 200), 'InvalidChannel', problem, 400);
      return;
    }
    const existing = this.memberships.get(name);
    if (existing) {
      // Idempotent: a repeated subscribe is answered like the first one.
      this.succeeded(name, existing.member !== null);
      return;
    }
    if (this.memberships.size >= this.runtime.config.limits.maxChannelsPerConnection) {
      this.subscriptionError(name, 'LimitReached', `A connection may subscribe to at most ${this.runtime.config.limits.maxChannelsPerConnection} channels`, 400);
      return;
    }
    let member: PresenceMember | null = null;
    if (traits.kind === 'user') {
      if (this.signedInUser === null || name !== `#server-to-user-${this.signedInUser}`) {
        this.subscriptionError(name, 'AuthError', 'Sign in (pusher:signin) as this user before subscribing to its channel', 401);
        return;
      }
    } else if (traits.requiresAuth) {
      const channelData = request?.channel_data;
      if (traits.kind === 'presence') {
        const parsed = parseChannelData(channelData);
        if (typeof parsed === 'string') {
          this.subscriptionError(name, 'AuthError', parsed, 401);
          return;
        }
        member = parsed;
      }
      const signed = channelAuthString(this.socketId, name, typeof channelData === 'string' ? channelData : undefined);
      if (!verifyAuthToken(request?.auth, this.runtime.app.key, this.runtime.app.secret, signed)) {
        const reason = request?.auth === undefined ? 'Missing auth' : 'Invalid signature';
        this.subscriptionError(name, 'AuthError', `${reason}: expected "${this.runtime.app.key}:" + HMAC-SHA256 hex of "${signed}"`, 401);
        return;
      }
    }
    this.memberships.set(name, { member });
    this.runtime.join(this, name, member);
    this.succeeded(name, member !== null);
  }

  private succeeded(name: string, presence: boolean): void {
    const channel = this.runtime.channels.get(name);
    const data = presence && channel?.roster ? { presence: channel.roster.snapshot() } : {};
    this.send(encodeFrame('pusher_internal:subscription_succeeded', data, name));
    if (channel?.traits.cached) {
      const cached = this.runtime.channels.cached(name, this.runtime.config.now());
      if (cached) this.send(eventFrame(cached.event, name, cached.data));
      else this.send(encodeFrame('pusher:cache_miss', undefined, name));
    }
  }

  private unsubscribe(data: unknown): void {
    const name = asRecord(data)?.channel;
    if (typeof name !== 'string') {
      this.sendError(null, 'pusher:unsubscribe needs data.channel');
      return;
    }
    const membership = this.memberships.get(name);
    if (!membership) return;
    this.memberships.delete(name);
    this.runtime.leave(this, name, membership.member);
  }

  private signin(data: unknown): void {
    const request = asRecord(data);
    const userData = request?.user_data;
    const ok = typeof userData === 'string' && verifyAuthToken(request?.auth, this.runtime.app.key, this.runtime.app.secret, `${this.socketId}::user::${userData}`);
    const user = ok ? asRecord(safeParse(userData)) : null;
    const id = user?.id;
    if (!ok || (typeof id !== 'string' && typeof id !== 'number') || String(id).length === 0) {
      this.close(
        CLOSE.unauthorized,
        `Invalid pusher:signin: expected auth "${this.runtime.app.key}:" + HMAC-SHA256 hex of "${this.socketId}::user::<user_data>" and user_data with an id`,
      );
      return;
    }
    this.signedInUser = String(id);
    this.send(encodeFrame('pusher:signin_success', { user_data: userData }));
  }

  private clientEvent(frame: InboundFrame): void {
    const name = frame.channel;
    if (name === undefined || !this.memberships.has(name)) {
      this.sendError(null, `Client event rejected: not subscribed to channel ${JSON.stringify(name ?? null)}`);
      return;
    }
    const traits = channelTraits(name);
    if (!traits.allowsClientEvents) {
      this.sendError(null, 'Client event rejected: only supported on private and presence channels');
      return;
    }
    const now = this.runtime.config.now();
    if (now - this.clientEventWindowStart >= 1000) {
      this.clientEventWindowStart = now;
      this.clientEventsInWindow = 0;
    }
    this.clientEventsInWindow += 1;
    if (this.clientEventsInWindow > this.runtime.config.limits.clientEventRate) {
      this.sendError(CLOSE.clientEventRateLimit, `${CLOSE_REASON[CLOSE.clientEventRateLimit]} (${this.runtime.config.limits.clientEventRate}/s)`);
      return;
    }
    const member = this.memberships.get(name)?.member;
    const data = typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data ?? null);
    this.runtime.relayClientEvent(this, name, frame.event, data, member ? member.userId : null);
  }
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
