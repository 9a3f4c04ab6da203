import type { ChannelStatus, ConnectionStatus, Profile, TapSettings, TapStatus } from '../../../shared/api';
import { AppError, tapConnectionId } from '../../../shared/api';
import { RedisTap } from '../taps';
import { preciseNow, type Clock } from '../clock';
import { realTimers, type Timers } from '../timers';
import { ChannelDiscovery, channelSource, type ChannelSource } from './channel-discovery';
import type { WebhookEvent } from './webhooks';
import { wireChannelName } from './channel-names';
import type { HubConnection, HubSink } from './connection-base';
import { PusherConnection } from './pusher-connection';
import { SocketIoConnection } from './socketio-connection';

function openConnection(profile: Profile, sink: HubSink, clock: Clock, timers: Timers): HubConnection {
  return profile.kind === 'socketio' ? new SocketIoConnection(profile, sink, clock, timers) : new PusherConnection(profile, sink, clock, timers);
}

export interface HubOptions {
  /** Grace periods, quiet-channel warnings and discovery polls wait on these (tests drive them). */
  timers?: Timers;
  /** The server's channel API for a profile's discovery (default: from the profile, see `channelSource`). */
  channelSource?: (profile: Profile) => ChannelSource;
}

/** Holds one connection per profile; used by Electron main and the headless host alike. */
export class ConnectionHub {
  private readonly connections = new Map<string, HubConnection>();
  private readonly discoveries = new Map<string, ChannelDiscovery>();
  /** Server-side taps by the profile they belong to (a profile's `tap`, or one opened alone with `openTap`). */
  private readonly taps = new Map<string, RedisTap>();

  private readonly timers: Timers;

  constructor(
    private readonly sink: HubSink,
    private readonly clock: Clock = preciseNow,
    private readonly options: HubOptions = {},
  ) {
    this.timers = options.timers ?? realTimers;
  }

  connect(input: Profile): ConnectionStatus {
    // Laravel's names (`ai.x1` with channelType private) become the names on the wire once, here.
    const profile = input.channelType === 'public' ? input : { ...input, channels: input.channels.map((c) => wireChannelName(c, input.channelType)) };
    const existing = this.connections.get(profile.id);
    if (existing) {
      const state = existing.status().state;
      if (state !== 'failed' && state !== 'disconnected') return this.withDiscovery(existing.status());
      this.discoveries.get(profile.id)?.stop();
      this.discoveries.delete(profile.id);
      existing.stop();
    }
    // Statuses from the connection carry the discovery state too; events on a channel whose session ended postpone leaving it.
    let discovery: ChannelDiscovery | undefined;
    const sink: HubSink = {
      record: (record, wireText) => {
        if (discovery !== undefined && record.type === 'frame' && record.channel !== undefined) discovery.activity(record.channel);
        this.sink.record(record, wireText);
      },
      status: (status) => this.sink.status(this.withDiscovery(status)),
    };
    const connection = openConnection(profile, sink, this.clock, this.timers);
    this.connections.set(profile.id, connection);
    if (profile.discover) discovery = this.startDiscovery(profile, connection);
    if (profile.tap) this.openTap(profile.id, profile.tap);
    return this.withDiscovery(connection.status());
  }

  /**
   * Starts a server-side tap for a profile (replacing one it had): a vantage of its own,
   * `{profileId}:tap` in the journal, whose state shows on the profile's status. Without a
   * connection of the profile (`watch --tap` alone) the status is the tap's.
   */
  openTap(profileId: string, settings: TapSettings): TapStatus {
    this.closeTap(profileId);
    const tap = new RedisTap(tapConnectionId(profileId), settings, { record: (record) => this.sink.record(record), status: () => this.publishStatusOf(profileId) }, this.clock);
    this.taps.set(profileId, tap);
    tap.start();
    return tap.status();
  }

  /** Stops a profile's tap; false when it had none. */
  closeTap(profileId: string): boolean {
    const tap = this.taps.get(profileId);
    if (tap === undefined) return false;
    this.taps.delete(profileId);
    tap.stop();
    return true;
  }

  private publishStatusOf(profileId: string): void {
    const status = this.status(profileId);
    if (status !== undefined) this.sink.status(status);
  }

  /** A profile with a tap and no connection: its status is the tap's. */
  private tapOnlyStatus(profileId: string, tap: RedisTap): ConnectionStatus {
    const status = tap.status();
    return {
      profileId,
      state: status.state,
      channels: [],
      since: status.since,
      tap: status,
      ...(status.error ? { lastError: { code: 'connection_failed', message: status.error } } : {}),
    };
  }

  private startDiscovery(profile: Profile, connection: HubConnection): ChannelDiscovery {
    const { prefix, intervalMs, leave, graceMs } = profile.discover!;
    const discovery = new ChannelDiscovery(
      (this.options.channelSource ?? channelSource)(profile),
      { prefix: wireChannelName(prefix, profile.channelType), intervalMs, leave, graceMs },
      {
        added: (channel) => void connection.subscribe(channel),
        removed: (channel, reason) => connection.unsubscribe(channel, reason),
        subscribed: () =>
          new Set(
            connection
              .status()
              .channels.filter((c) => c.status === 'subscribed')
              .map((c) => c.name),
          ),
        changed: () => this.sink.status(this.withDiscovery(connection.status())),
      },
      this.clock,
      this.timers,
    );
    this.discoveries.set(profile.id, discovery);
    discovery.start();
    return discovery;
  }

  /**
   * A session on a profile's channel reached its terminal (the monitor says so): a discovered
   * channel is let go after the discovery's grace period without events.
   */
  sessionEnded(profileId: string, channel: string): void {
    this.discoveries.get(profileId)?.sessionEnded(channel);
  }

  /** The app secret of a connected profile with this app key: what its webhooks are signed with. */
  webhookSecret(key: string): string | undefined {
    for (const connection of this.connections.values()) {
      const { profile } = connection;
      if (profile.key === key && profile.auth.mode === 'secret') return profile.auth.secret;
    }
    return undefined;
  }

  /**
   * A checked webhook of the app with this key: `channel_occupied` and `channel_vacated` drive the
   * discoveries of its profiles at once (the polls go on, for what a lost webhook would miss).
   * Returns how many discoveries heard it.
   */
  webhook(key: string, events: readonly WebhookEvent[]): number {
    let heard = 0;
    for (const [profileId, discovery] of this.discoveries) {
      if (this.connections.get(profileId)?.profile.key !== key) continue;
      heard++;
      for (const event of events) {
        if (event.name === 'channel_occupied') discovery.occupied(event.channel);
        else if (event.name === 'channel_vacated') discovery.vacated(event.channel);
      }
    }
    return heard;
  }

  /** A connection's status with what rides along: its discovery and its tap. */
  private withDiscovery(status: ConnectionStatus): ConnectionStatus {
    const discovery = this.discoveries.get(status.profileId);
    const tap = this.taps.get(status.profileId);
    if (discovery === undefined && tap === undefined) return status;
    return { ...status, ...(discovery ? { discovery: discovery.current() } : {}), ...(tap ? { tap: tap.status() } : {}) };
  }

  disconnect(profileId: string): ConnectionStatus {
    const tap = this.taps.get(profileId);
    if (tap !== undefined && !this.connections.has(profileId)) {
      this.closeTap(profileId);
      // Stopped: no tap rides on the status any more.
      const { tap: _stopped, ...rest } = this.tapOnlyStatus(profileId, tap);
      const status: ConnectionStatus = { ...rest, state: 'disconnected', since: this.clock() };
      this.sink.status(status);
      return status;
    }
    this.closeTap(profileId);
    const connection = this.require(profileId);
    this.discoveries.get(profileId)?.stop();
    this.discoveries.delete(profileId);
    connection.stop();
    this.connections.delete(profileId);
    const status: ConnectionStatus = { ...connection.status(), state: 'disconnected', channels: [], since: this.clock() };
    this.sink.status(status);
    return status;
  }

  subscribe(profileId: string, channel: string, timeoutMs?: number): Promise<ChannelStatus> {
    const connection = this.require(profileId);
    return connection.subscribe(wireChannelName(channel, connection.profile.channelType), timeoutMs);
  }

  unsubscribe(profileId: string, channel: string): ChannelStatus {
    const connection = this.require(profileId);
    return connection.unsubscribe(wireChannelName(channel, connection.profile.channelType));
  }

  /** Channels currently held (pending or subscribed) on a profile's connection. */
  channels(profileId: string): string[] {
    return (this.connections.get(profileId)?.status().channels ?? []).filter((c) => c.status !== 'unsubscribed').map((c) => c.name);
  }

  status(profileId: string): ConnectionStatus | undefined {
    const connection = this.connections.get(profileId);
    if (connection) return this.withDiscovery(connection.status());
    const tap = this.taps.get(profileId);
    return tap ? this.tapOnlyStatus(profileId, tap) : undefined;
  }

  list(): ConnectionStatus[] {
    const statuses = [...this.connections.values()].map((connection) => this.withDiscovery(connection.status()));
    for (const [profileId, tap] of this.taps) if (!this.connections.has(profileId)) statuses.push(this.tapOnlyStatus(profileId, tap));
    return statuses;
  }

  closeAll(): void {
    for (const tap of this.taps.values()) tap.stop();
    this.taps.clear();
    for (const discovery of this.discoveries.values()) discovery.stop();
    this.discoveries.clear();
    for (const connection of this.connections.values()) connection.stop();
    this.connections.clear();
  }

  private require(profileId: string): HubConnection {
    const connection = this.connections.get(profileId);
    if (!connection) throw new AppError('not_connected', `profile "${profileId}" is not connected: connect it first`);
    return connection;
  }
}
