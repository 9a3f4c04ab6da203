import io from 'socket.io-client';
import Echo from 'laravel-echo';
import type { Profile } from '../../../shared/api';
import type { Clock } from '../clock';
import type { Timers } from '../timers';
import { ConnectionBase, type HubSink } from './connection-base';

interface SocketIoPacket {
  data?: unknown[];
}

type SocketWithOnevent = SocketIOClient.Socket & { onevent?: (packet: SocketIoPacket) => void };

/**
 * A Socket.IO 2 connection to laravel-echo-server, through laravel-echo's `socket.io` broadcaster.
 *
 * laravel-echo-server never acknowledges a subscription: a channel counts as subscribed once the
 * request went out on a connected socket, and as failed when the server emits `subscription_error`
 * (it asks the app's auth endpoint itself, with the headers the profile gives).
 */
export class SocketIoConnection extends ConnectionBase {
  private readonly echo: Echo<'socket.io'>;
  private readonly socket: SocketWithOnevent;

  constructor(profile: Profile, sink: HubSink, clock: Clock, timers?: Timers) {
    super(profile, sink, clock, timers);
    const headers = profile.auth.mode === 'endpoint' ? profile.auth.headers : {};
    this.echo = new Echo({
      broadcaster: 'socket.io',
      host: `${profile.tls ? 'https' : 'http'}://${profile.host}:${profile.port}`,
      client: io,
      auth: { headers },
      transports: ['websocket'],
      withoutInterceptors: true,
    });
    this.socket = this.echo.connector.socket as unknown as SocketWithOnevent;
    this.stateChanged('connecting');
    this.captureEveryEvent();
    this.socket.on('connect', () => {
      this.stateChanged('connected', this.socket.id);
      // Echo re-emits `subscribe` for every channel on reconnect; without an ack, that is the subscription.
      for (const channel of this.channels.keys()) this.channelSubscribed(channel);
    });
    this.socket.on('disconnect', (reason: string) => {
      this.setError({ code: 'connection_failed', message: `disconnected: ${reason}` });
      this.stateChanged('disconnected');
    });
    this.socket.on('connect_error', (error: Error) => {
      this.setError({ code: 'connection_failed', message: `connection error: ${error.message}` });
      this.stateChanged('unavailable');
    });
    this.socket.on('reconnect_attempt', () => this.stateChanged('connecting'));
    this.socket.on('reconnect_failed', () => this.stateChanged('failed'));
    this.socket.on('subscription_error', (channel: unknown, status: unknown) => {
      if (typeof channel !== 'string') return;
      const code = typeof status === 'number' ? status : undefined;
      this.channelFailed(channel, { code: 'auth_failed', message: `subscription to ${channel} failed${code ? ` (HTTP ${code} from the app's auth endpoint)` : ''}` }, code);
    });
    for (const channel of profile.channels) void this.subscribe(channel);
  }

  stop(): void {
    if (this.stopped) return;
    this.recordClientClose();
    this.stopped = true;
    this.echo.disconnect();
  }

  protected openChannel(channel: string): void {
    if (channel.startsWith('private-')) this.echo.private(channel.slice('private-'.length));
    else if (channel.startsWith('presence-')) this.echo.join(channel.slice('presence-'.length));
    else this.echo.channel(channel);
    if (this.socket.connected) this.channelSubscribed(channel);
  }

  protected closeChannel(channel: string): void {
    this.echo.leaveChannel(channel);
  }

  /** Socket.IO 2 has no catch-all listener: wrap the packet dispatcher to see every event. */
  private captureEveryEvent(): void {
    const dispatch = this.socket.onevent?.bind(this.socket);
    this.socket.onevent = (packet: SocketIoPacket) => {
      const [event, second, third] = packet.data ?? [];
      if (typeof event === 'string') {
        // laravel-echo-server emits (event, channel, data); other emitters may send (event, data).
        const channel = typeof second === 'string' && packet.data!.length >= 3 ? second : undefined;
        this.frame(event, channel, channel === undefined ? second : third);
      }
      dispatch?.(packet);
    };
  }
}
