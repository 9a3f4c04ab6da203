import Pusher from 'pusher-js';
import Echo from 'laravel-echo';
import type { ApiError, ChannelStatus, ConnectionStatus, HubState, Profile } from '../../../shared/api';
import type { ConnectionState, JournalRecord } from '../../../shared/journal';
import type { Clock } from '../clock';
import { authorizerFor, ChannelAuthError } from './channel-auth';

export interface HubSink {
  record(record: JournalRecord): void;
  status(status: ConnectionStatus): void;
}

type EchoClient = Echo<'reverb'> | Echo<'pusher'>;
type EchoChannel = ReturnType<EchoClient['channel']>;

interface PusherMessage {
  event: string;
  channel?: string;
  data?: unknown;
}

interface PusherErrorEvent {
  type?: string;
  error?: unknown;
  data?: { code?: number; message?: string };
}

const JOURNAL_STATES: ReadonlySet<string> = new Set<ConnectionState>(['connecting', 'connected', 'unavailable', 'disconnected', 'failed']);

/** Close codes of the Pusher protocol, in words (https://pusher.com/docs/channels/library_auth_reference/pusher-websockets-protocol/). */
export function describeCloseCode(code: number, message?: string): string {
  const known: Record<number, string> = {
    4000: 'SSL only: use TLS',
    4001: 'the app key does not exist on this server',
    4003: 'the app is disabled',
    4004: 'the app is over its connection quota',
    4005: 'path not found',
    4006: 'invalid version string',
    4007: 'unsupported protocol version',
    4008: 'no protocol version supplied',
    4009: 'connection is unauthorized',
    4100: 'over capacity: reconnect later',
    4200: 'the server asked the client to reconnect',
    4201: 'pong reply not received in time',
    4202: 'closed after inactivity',
    4301: 'client event rejected due to rate limit',
  };
  const meaning = known[code] ?? (code >= 4000 && code < 4100 ? 'fatal error: do not reconnect' : code >= 4100 && code < 4300 ? 'reconnect' : 'error');
  return `closed with code ${code}: ${meaning}${message ? ` (${message})` : ''}`;
}

/**
 * One live connection of a profile: pusher-js underneath, laravel-echo for the channels,
 * every frame and state change reported to the sink with its arrival time.
 */
export class EchoConnection {
  private readonly pusher: Pusher;
  private readonly echo: EchoClient;
  private readonly channels = new Map<string, ChannelStatus>();
  private readonly waiters = new Map<string, Array<(status: ChannelStatus) => void>>();
  private current: ConnectionStatus;
  private stopped = false;

  constructor(
    readonly profile: Profile,
    private readonly sink: HubSink,
    private readonly clock: Clock,
  ) {
    this.current = { profileId: profile.id, state: 'initialized', channels: [], since: clock() };
    const authorize = authorizerFor(profile.key, profile.auth);
    this.pusher = new Pusher(profile.key, {
      cluster: profile.cluster ?? 'mt1',
      ...(profile.kind === 'reverb'
        ? { wsHost: profile.host, wsPort: profile.port, wssPort: profile.port, forceTLS: profile.tls, enabledTransports: ['ws', 'wss'] }
        : { forceTLS: true }),
      disableStats: true,
      channelAuthorization: {
        customHandler: (params, callback) => {
          if (!authorize) {
            callback(new ChannelAuthError(`${params.channelName} needs authorization: give the profile an app secret or an auth endpoint`), null);
            return;
          }
          authorize(params.socketId, params.channelName).then(
            (data) => callback(null, data),
            (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
          );
        },
      },
    });
    this.bindConnection();
    // pusher-js starts connecting inside its constructor, before we could bind: report that state now.
    const initial = this.pusher.connection.state as HubState;
    if (initial !== 'initialized') this.onStateChange(initial);
    const echoOptions = { key: profile.key, client: this.pusher, withoutInterceptors: true };
    this.echo = profile.kind === 'reverb' ? new Echo({ broadcaster: 'reverb', ...echoOptions }) : new Echo({ broadcaster: 'pusher', ...echoOptions });
    for (const channel of profile.channels) void this.subscribe(channel);
  }

  status(): ConnectionStatus {
    return { ...this.current, channels: [...this.channels.values()] };
  }

  /** Subscribes and resolves once the server answered (or after `timeoutMs`, still `pending`). */
  subscribe(channel: string, timeoutMs = 10_000): Promise<ChannelStatus> {
    const existing = this.channels.get(channel);
    if (existing && existing.status === 'subscribed') return Promise.resolve(existing);
    const result = new Promise<ChannelStatus>((resolve) => {
      const timer = setTimeout(() => resolve(this.channels.get(channel) ?? { name: channel, status: 'pending' }), timeoutMs);
      const list = this.waiters.get(channel) ?? [];
      list.push((status) => {
        clearTimeout(timer);
        resolve(status);
      });
      this.waiters.set(channel, list);
    });
    if (!existing || existing.status === 'unsubscribed' || existing.status === 'failed') {
      this.setChannel({ name: channel, status: 'pending' });
      const handle = this.echoChannel(channel);
      handle.subscribed(() => {
        this.record({ type: 'subscription', at: this.clock(), connection: this.profile.id, channel, status: 'subscribed' });
        this.settle({ name: channel, status: 'subscribed' });
      });
      handle.error((event: PusherErrorEvent & { status?: number }) => {
        const error = subscriptionError(channel, event);
        this.record({
          type: 'subscription',
          at: this.clock(),
          connection: this.profile.id,
          channel,
          status: 'failed',
          error: error.message,
          ...(typeof event.status === 'number' ? { code: event.status } : {}),
        });
        this.current = { ...this.current, lastError: error };
        this.settle({ name: channel, status: 'failed', error });
      });
    }
    return result;
  }

  unsubscribe(channel: string): ChannelStatus {
    const status: ChannelStatus = { name: channel, status: 'unsubscribed' };
    if (this.channels.has(channel)) {
      this.echo.leaveChannel(channel);
      this.channels.delete(channel);
      this.record({ type: 'subscription', at: this.clock(), connection: this.profile.id, channel, status: 'unsubscribed' });
      this.publishStatus();
    }
    return status;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.echo.disconnect();
  }

  private echoChannel(channel: string): EchoChannel {
    if (channel.startsWith('private-encrypted-')) return this.echo.encryptedPrivate(channel.slice('private-encrypted-'.length));
    if (channel.startsWith('private-')) return this.echo.private(channel.slice('private-'.length));
    if (channel.startsWith('presence-')) return this.echo.join(channel.slice('presence-'.length));
    return this.echo.channel(channel);
  }

  private bindConnection(): void {
    const connection = this.pusher.connection;
    connection.bind('message', (message: PusherMessage) => {
      this.record({
        type: 'frame',
        at: this.clock(),
        connection: this.profile.id,
        ...(typeof message.channel === 'string' ? { channel: message.channel } : {}),
        event: message.event,
        data: message.data,
      });
    });
    connection.bind('state_change', (change: { previous: string; current: HubState }) => this.onStateChange(change.current));
    connection.bind('error', (event: PusherErrorEvent) => {
      this.current = { ...this.current, lastError: connectionError(event) };
      this.publishStatus();
    });
  }

  private onStateChange(state: HubState): void {
    const at = this.clock();
    const socketId = state === 'connected' ? this.pusher.connection.socket_id : undefined;
    if (JOURNAL_STATES.has(state)) {
      this.record({
        type: 'connection',
        at,
        connection: this.profile.id,
        state: state as ConnectionState,
        ...(socketId ? { socketId } : {}),
        ...(this.current.lastError && state !== 'connected' ? { reason: this.current.lastError.message } : {}),
      });
    }
    const { lastError, socketId: _previousSocket, ...rest } = this.current;
    this.current = {
      ...rest,
      state,
      since: at,
      ...(socketId ? { socketId } : {}),
      ...(state === 'connected' || !lastError ? {} : { lastError }),
    };
    this.publishStatus();
  }

  private setChannel(status: ChannelStatus): void {
    this.channels.set(status.name, status);
    this.publishStatus();
  }

  private settle(status: ChannelStatus): void {
    this.setChannel(status);
    const waiting = this.waiters.get(status.name);
    this.waiters.delete(status.name);
    waiting?.forEach((resolve) => resolve(status));
  }

  private record(record: JournalRecord): void {
    if (!this.stopped || record.type !== 'frame') this.sink.record(record);
  }

  private publishStatus(): void {
    this.sink.status(this.status());
  }
}

function subscriptionError(channel: string, event: PusherErrorEvent & { status?: number }): ApiError {
  const detail = typeof event.error === 'string' ? event.error : event.error instanceof Error ? event.error.message : (event.data?.message ?? JSON.stringify(event));
  const status = typeof event.status === 'number' ? ` (HTTP ${event.status})` : '';
  return { code: 'auth_failed', message: `subscription to ${channel} failed${status}: ${detail}` };
}

function connectionError(event: PusherErrorEvent): ApiError {
  if (event.type === 'PusherError' && event.data && typeof event.data.code === 'number') {
    return { code: 'connection_failed', message: describeCloseCode(event.data.code, event.data.message) };
  }
  if (event.type === 'PusherError' && event.data?.message) {
    return { code: 'connection_failed', message: `server error: ${event.data.message}` };
  }
  const inner = event.error as { error?: { message?: string }; message?: string } | undefined;
  const detail = inner?.error?.message ?? inner?.message ?? event.type ?? 'unknown error';
  return { code: 'connection_failed', message: `connection error: ${detail}` };
}
