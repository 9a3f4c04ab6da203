import Pusher from 'pusher-js';
import Echo from 'laravel-echo';
import type { ApiError, HubState, Profile } from '../../../shared/api';
import type { Clock } from '../clock';
import type { Timers } from '../timers';
import { authorizerFor, ChannelAuthError } from './channel-auth';
import { ConnectionBase, type HubSink } from './connection-base';
import { forgetClient, interceptMessages, silenceUnboundEvents } from './pusher-js-internals';

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
  status?: number;
  data?: { code?: number; message?: string };
}

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
 * A Pusher-protocol connection (Reverb, soketi, Pusher Channels, the mock provider):
 * pusher-js underneath, laravel-echo for the channels, every frame reported with its arrival time.
 */
export class PusherConnection extends ConnectionBase {
  private readonly pusher: Pusher;
  private readonly echo: EchoClient;
  private lastCloseCode: number | undefined;
  /** The wire text of the message pusher-js is decoding right now (see {@link interceptMessages}). */
  private wireText: string | undefined;

  constructor(profile: Profile, sink: HubSink, clock: Clock, timers?: Timers) {
    super(profile, sink, clock, timers);
    const authorize = authorizerFor(profile.key, profile.auth);
    this.pusher = new Pusher(profile.key, {
      cluster: profile.cluster ?? 'mt1',
      ...(profile.kind === 'pusher'
        ? { forceTLS: true }
        : { wsHost: profile.host, wsPort: profile.port, wssPort: profile.port, forceTLS: profile.tls, enabledTransports: profile.tls ? ['wss'] : ['ws'] }),
      disableStats: true,
      ...(profile.keepAlive?.activityTimeoutMs === undefined ? {} : { activityTimeout: profile.keepAlive.activityTimeoutMs }),
      ...(profile.keepAlive?.pongTimeoutMs === undefined ? {} : { pongTimeout: profile.keepAlive.pongTimeoutMs }),
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
    if (initial !== 'initialized') this.stateChanged(initial);
    const echoOptions = { key: profile.key, client: this.pusher, withoutInterceptors: true };
    this.echo = profile.kind === 'pusher' ? new Echo({ broadcaster: 'pusher', ...echoOptions }) : new Echo({ broadcaster: 'reverb', ...echoOptions });
    for (const channel of profile.channels) void this.subscribe(channel);
  }

  stop(): void {
    if (this.stopped) return;
    this.recordClientClose();
    this.stopped = true;
    this.echo.disconnect();
    // pusher-js keeps every client it ever made in `Pusher.instances` (to connect them all when
    // it becomes ready) and never lets go: a host that reconnects profiles all day would keep
    // every stopped client, its channels and this connection with them.
    forgetClient(this.pusher);
  }

  protected openChannel(channel: string): void {
    const handle = this.echoChannel(channel);
    // Every frame is captured from the connection ('message' below), so the channel has no
    // per-event callbacks: pusher-js must not stringify each event to say so.
    silenceUnboundEvents(this.pusher, channel);
    handle.subscribed(() => this.channelSubscribed(channel));
    handle.error((event: PusherErrorEvent) => this.channelFailed(channel, subscriptionError(channel, event), typeof event.status === 'number' ? event.status : undefined));
  }

  protected closeChannel(channel: string): void {
    this.echo.leaveChannel(channel);
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
      const wireText = this.wireText;
      this.wireText = undefined;
      this.frame(message.event, typeof message.channel === 'string' ? message.channel : undefined, message.data, wireText);
    });
    // pusher-js 8 throws on a message without an event name (`eventName.indexOf` in its own
    // listener, an uncaught exception from the socket). Such a message breaks the protocol but
    // must not bring the host down: it is named '' before any listener sees it (global listeners
    // run first), and journaled like any frame — as an object, since its wire text has no name.
    connection.bind_global((name: string, message: unknown) => {
      if (name !== 'message' || typeof (message as { event?: unknown } | null)?.event === 'string') return;
      (message as { event: string }).event = '';
      this.wireText = undefined;
    });
    connection.bind('state_change', (change: { current: HubState }) => {
      this.wireText = undefined;
      if (change.current === 'connected') interceptMessages(this.pusher, (text) => (this.wireText = text));
      const code = change.current === 'connected' ? undefined : this.lastCloseCode;
      if (change.current === 'connected') this.lastCloseCode = undefined;
      // On a close code that says "do not reconnect" (4001 unknown app key, …) pusher-js
      // disconnects itself: the state is `disconnected`, with that code and its reason
      // (isFatalCloseCode tells such an end from a drop).
      this.stateChanged(change.current, change.current === 'connected' ? connection.socket_id : undefined, code);
    });
    connection.bind('error', (event: PusherErrorEvent) => {
      const code = closeCodeOf(event);
      if (code !== undefined) this.lastCloseCode = code;
      this.setError(connectionError(event));
    });
  }
}

function subscriptionError(channel: string, event: PusherErrorEvent): ApiError {
  const detail = typeof event.error === 'string' ? event.error : event.error instanceof Error ? event.error.message : (event.data?.message ?? JSON.stringify(event));
  const status = typeof event.status === 'number' ? ` (HTTP ${event.status})` : '';
  return { code: 'auth_failed', message: `subscription to ${channel} failed${status}: ${detail}` };
}

/** Close codes after which pusher-js does not reconnect (its `refused` action: 4001–4099 and 4300 up). */
export function isFatalCloseCode(code: number): boolean {
  return (code > 4000 && code < 4100) || code >= 4300;
}

/**
 * The Pusher error of an 'error' event: pusher-js emits a `pusher:error` or a close as
 * `{type: 'PusherError', data: {code, message}}`, and once more wrapped as
 * `{type: 'WebSocketError', error: {type: 'PusherError', …}}` when it acts on it (refuses, backs off).
 */
function pusherErrorOf(event: PusherErrorEvent): { code?: number; message?: string } | undefined {
  if (event.type === 'PusherError' && event.data) return event.data;
  const inner = event.error as PusherErrorEvent | undefined;
  if (event.type === 'WebSocketError' && typeof inner === 'object' && inner !== null && inner.type === 'PusherError' && inner.data) return inner.data;
  return undefined;
}

function closeCodeOf(event: PusherErrorEvent): number | undefined {
  const code = pusherErrorOf(event)?.code;
  return typeof code === 'number' ? code : undefined;
}

function connectionError(event: PusherErrorEvent): ApiError {
  const pusherError = pusherErrorOf(event);
  if (pusherError && typeof pusherError.code === 'number') {
    return { code: 'connection_failed', message: describeCloseCode(pusherError.code, pusherError.message) };
  }
  if (event.type === 'PusherError' && event.data?.message) {
    return { code: 'connection_failed', message: `server error: ${event.data.message}` };
  }
  const inner = event.error as { error?: { message?: string }; message?: string } | undefined;
  const detail = inner?.error?.message ?? inner?.message ?? event.type ?? 'unknown error';
  return { code: 'connection_failed', message: `connection error: ${detail}` };
}
