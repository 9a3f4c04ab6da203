import type { ChannelStatus, ConnectionStatus, Profile } from '../../../shared/api';
import { AppError } from '../../../shared/api';
import { preciseNow, type Clock } from '../clock';
import { ChannelDiscovery, channelLister } from './channel-discovery';
import type { HubConnection, HubSink } from './connection-base';
import { PusherConnection } from './pusher-connection';
import { SocketIoConnection } from './socketio-connection';

function openConnection(profile: Profile, sink: HubSink, clock: Clock): HubConnection {
  return profile.kind === 'socketio' ? new SocketIoConnection(profile, sink, clock) : new PusherConnection(profile, sink, clock);
}

/** Holds one connection per profile; used by Electron main and the headless host alike. */
export class ConnectionHub {
  private readonly connections = new Map<string, HubConnection>();
  private readonly discoveries = new Map<string, ChannelDiscovery>();

  constructor(
    private readonly sink: HubSink,
    private readonly clock: Clock = preciseNow,
  ) {}

  connect(profile: Profile): ConnectionStatus {
    const existing = this.connections.get(profile.id);
    if (existing) {
      const state = existing.status().state;
      if (state !== 'failed' && state !== 'disconnected') return this.withDiscovery(existing.status());
      this.discoveries.get(profile.id)?.stop();
      this.discoveries.delete(profile.id);
      existing.stop();
    }
    // Statuses from the connection carry the discovery state too.
    const sink: HubSink = { record: (record, wireText) => this.sink.record(record, wireText), status: (status) => this.sink.status(this.withDiscovery(status)) };
    const connection = openConnection(profile, sink, this.clock);
    this.connections.set(profile.id, connection);
    if (profile.discover) this.startDiscovery(profile, connection);
    return this.withDiscovery(connection.status());
  }

  private startDiscovery(profile: Profile, connection: HubConnection): void {
    const { prefix, intervalMs } = profile.discover!;
    const discovery = new ChannelDiscovery(
      channelLister(profile),
      prefix,
      intervalMs,
      {
        added: (channel) => void connection.subscribe(channel),
        removed: (channel) => connection.unsubscribe(channel),
        changed: () => this.sink.status(this.withDiscovery(connection.status())),
      },
      this.clock,
    );
    this.discoveries.set(profile.id, discovery);
    discovery.start();
  }

  private withDiscovery(status: ConnectionStatus): ConnectionStatus {
    const discovery = this.discoveries.get(status.profileId);
    return discovery ? { ...status, discovery: discovery.current() } : status;
  }

  disconnect(profileId: string): ConnectionStatus {
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
    return this.require(profileId).subscribe(channel, timeoutMs);
  }

  unsubscribe(profileId: string, channel: string): ChannelStatus {
    return this.require(profileId).unsubscribe(channel);
  }

  /** Channels currently held (pending or subscribed) on a profile's connection. */
  channels(profileId: string): string[] {
    return (this.connections.get(profileId)?.status().channels ?? []).filter((c) => c.status !== 'unsubscribed').map((c) => c.name);
  }

  status(profileId: string): ConnectionStatus | undefined {
    const connection = this.connections.get(profileId);
    return connection ? this.withDiscovery(connection.status()) : undefined;
  }

  list(): ConnectionStatus[] {
    return [...this.connections.values()].map((connection) => this.withDiscovery(connection.status()));
  }

  closeAll(): void {
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
