import Pusher from 'pusher-js';
import Echo from 'laravel-echo';
import type { ApiError, HubState, Profile } from '../../../shared/api';
import type { Clock } from '../clock';
import { authorizerFor, ChannelAuthError } from './channel-auth';
import { ConnectionBase, type HubSink } from './connection-base';

type EchoClient = Echo<'reverb'> | Echo<'pusher'>;
type EchoChannel = ReturnType<EchoClient['channel']>;

interface PusherMessage {
  event: string;
  channel?: string;
  data?: unknown;
}

/** What pusher-js's `connection.connection.transport` offers (internal to pusher-js 8; read defensively). */
interface PusherTransport {
  bind_global(callback: (name: string, data: unknown) => void): void;
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
  /** Transports whose messages we read before pusher-js decodes them. */
  private readonly tapped = new WeakSet<object>();
  /** The wire text of the message pusher-js is decoding right now (see `tapTransport`). */
  private wireText: string | undefined;

  constructor(profile: Profile, sink: HubSink, clock: Clock) {
    super(profile, sink, clock);
    const authorize = authorizerFor(profile.key, profile.auth);
    this.pusher = new Pusher(profile.key, {
      cluster: profile.cluster ?? 'mt1',
      ...(profile.kind === 'pusher'
        ? { forceTLS: true }
        : { wsHost: profile.host, wsPort: profile.port, wssPort: profile.port, forceTLS: profile.tls, enabledTransports: ['ws', 'wss'] }),
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
  }

  protected openChannel(channel: string): void {
    const handle = this.echoChannel(channel);
    // Every frame is captured from the connection ('message' below), so the channel has no
    // per-event callbacks; pusher-js would then log "No callbacks on … for …" through its
    // debug logger, which stringifies its arguments for every event even with logging off.
    const raw = this.pusher.channel(channel);
    if (raw) raw.failThrough = () => undefined;
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
      if (change.current === 'connected') this.tapTransport();
      const code = change.current === 'connected' ? undefined : this.lastCloseCode;
      if (change.current === 'connected') this.lastCloseCode = undefined;
      this.stateChanged(change.current, change.current === 'connected' ? connection.socket_id : undefined, code);
    });
    connection.bind('error', (event: PusherErrorEvent) => {
      if (event.type === 'PusherError' && typeof event.data?.code === 'number') this.lastCloseCode = event.data.code;
      this.setError(connectionError(event));
    });
  }

  /**
   * Keeps each message's wire text for the journal (shared/journal/captured.ts), so a frame
   * crosses to the journal's thread as one string instead of a structured clone. pusher-js calls
   * a transport's global listeners before its named ones, and decodes and emits a message
   * synchronously in its named 'message' listener: the text kept here is always that of the
   * message our 'message' listener receives next. Messages from before the tap (the handshake)
   * and messages of a transport we cannot tap go as objects, as before. Cleared on every state
   * change, so no text outlives its transport.
   */
  private tapTransport(): void {
    const transport = (this.pusher.connection as unknown as { connection?: { transport?: Partial<PusherTransport> } }).connection?.transport;
    if (!transport || typeof transport.bind_global !== 'function' || this.tapped.has(transport)) return;
    this.tapped.add(transport);
    transport.bind_global((name, data) => {
      if (name !== 'message') return;
      const text = (data as { data?: unknown } | undefined)?.data;
      this.wireText = typeof text === 'string' ? text : undefined;
    });
  }
}

function subscriptionError(channel: string, event: PusherErrorEvent): ApiError {
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
