import type { ChannelStatus, ConnectionStatus, Profile } from '../../../shared/api';
import { AppError } from '../../../shared/api';
import { preciseNow, type Clock } from '../clock';
import type { HubConnection, HubSink } from './connection-base';
import { PusherConnection } from './pusher-connection';
import { SocketIoConnection } from './socketio-connection';

function openConnection(profile: Profile, sink: HubSink, clock: Clock): HubConnection {
  return profile.kind === 'socketio' ? new SocketIoConnection(profile, sink, clock) : new PusherConnection(profile, sink, clock);
}

/** Holds one connection per profile; used by Electron main and the headless host alike. */
export class ConnectionHub {
  private readonly connections = new Map<string, HubConnection>();

  constructor(
    private readonly sink: HubSink,
    private readonly clock: Clock = preciseNow,
  ) {}

  connect(profile: Profile): ConnectionStatus {
    const existing = this.connections.get(profile.id);
    if (existing) {
      const state = existing.status().state;
      if (state !== 'failed' && state !== 'disconnected') return existing.status();
      existing.stop();
    }
    const connection = openConnection(profile, this.sink, this.clock);
    this.connections.set(profile.id, connection);
    return connection.status();
  }

  disconnect(profileId: string): ConnectionStatus {
    const connection = this.require(profileId);
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
    return this.connections.get(profileId)?.status();
  }

  list(): ConnectionStatus[] {
    return [...this.connections.values()].map((connection) => connection.status());
  }

  closeAll(): void {
    for (const connection of this.connections.values()) connection.stop();
    this.connections.clear();
  }

  private require(profileId: string): HubConnection {
    const connection = this.connections.get(profileId);
    if (!connection) throw new AppError('not_connected', `profile "${profileId}" is not connected: connect it first`);
    return connection;
  }
}
