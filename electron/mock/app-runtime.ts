import type { MockApp, ResolvedConfig } from './config';
import { Channel, ChannelRegistry, type Subscriber } from './channels';
import { emptyCounters, type AppCounters } from './metrics';
import type { PresenceMember } from './presence';
import { encodeFrame } from './protocol';
import { OutboundFrame } from './wire-frame';

/** What the app runtime needs from a live connection. */
export interface AppConnection extends Subscriber {
  readonly userId: string | null;
  /** Channels this connection is subscribed to. */
  readonly channelNames: Iterable<string>;
  /** The user id this connection joined a presence channel as, or null. */
  presenceUserId(channel: string): string | null;
  close(code: number, reason: string): void;
}

/** Serializes a server event once; the same text goes to every subscriber of the channel. */
export function eventFrame(event: string, channel: string, data: string): string {
  return `{"event":${JSON.stringify(event)},"channel":${JSON.stringify(channel)},"data":${JSON.stringify(data)}}`;
}

/** Told when a connection joins a channel (the simulator waits for subscribers with it). */
export type JoinListener = (appId: string, channel: string, socketId: string) => void;

/** One app's live state: its connections, channels, signed-in users and counters. */
export class AppRuntime {
  readonly connections = new Map<string, AppConnection>();
  readonly channels = new ChannelRegistry();
  readonly counters: AppCounters;
  readonly joinListeners = new Set<JoinListener>();

  constructor(
    readonly app: MockApp,
    readonly config: ResolvedConfig,
  ) {
    this.counters = emptyCounters(app.id);
  }

  addConnection(connection: AppConnection): void {
    this.connections.set(connection.socketId, connection);
    this.counters.connections = this.connections.size;
    this.counters.connectionsTotal += 1;
  }

  removeConnection(connection: AppConnection, memberships: Iterable<[string, PresenceMember | null]>): void {
    for (const [name, member] of memberships) this.leave(connection, name, member);
    this.connections.delete(connection.socketId);
    this.counters.connections = this.connections.size;
  }

  /** Adds the subscriber; for presence, announces a new member to the others. Returns the channel. */
  join(connection: AppConnection, name: string, member: PresenceMember | null): Channel {
    const channel = this.channels.getOrCreate(name);
    channel.subscribers.add(connection);
    this.counters.subscriptions += 1;
    this.counters.subscriptionsTotal += 1;
    this.counters.channels = this.channels.size;
    if (member && channel.roster?.join(member)) {
      const frame = encodeFrame('pusher_internal:member_added', { user_id: member.userId, user_info: member.userInfo }, name);
      channel.broadcast(OutboundFrame.of(frame), connection);
    }
    for (const listener of this.joinListeners) listener(this.app.id, name, connection.socketId);
    return channel;
  }

  leave(connection: AppConnection, name: string, member: PresenceMember | null): void {
    const channel = this.channels.get(name);
    if (!channel || !channel.subscribers.delete(connection)) return;
    this.counters.subscriptions -= 1;
    if (member && channel.roster?.leave(member.userId)) {
      const frame = encodeFrame('pusher_internal:member_removed', { user_id: member.userId }, name);
      channel.broadcast(OutboundFrame.of(frame));
    }
    this.channels.dropIfVacant(channel);
    this.counters.channels = this.channels.size;
  }

  /**
   * Publishes a server event to channels, skipping `exceptSocketId` (Pusher's `socket_id`
   * exclusion). Cache channels remember it. Returns the number of frames delivered.
   */
  publish(channels: readonly string[], event: string, data: string, exceptSocketId?: string): number {
    let delivered = 0;
    const now = this.config.now();
    for (const name of channels) {
      this.counters.apiEvents += 1;
      const channel = this.channels.get(name);
      if (channel ? channel.traits.cached : isCacheChannelName(name)) {
        this.channels.remember(name, event, data, now + this.config.cacheTtlSec * 1000);
      }
      if (!channel || channel.subscribers.size === 0) continue;
      delivered += channel.broadcast(OutboundFrame.of(eventFrame(event, name, data)), exceptSocketId);
    }
    return delivered;
  }

  /** Connections signed in (pusher:signin) or present in a presence channel as `userId`. */
  connectionsOfUser(userId: string): AppConnection[] {
    const found: AppConnection[] = [];
    for (const connection of this.connections.values()) {
      if (connection.userId === userId) found.push(connection);
    }
    for (const channel of this.channels.all()) {
      if (!channel.roster || !channel.roster.userIds().includes(userId)) continue;
      for (const subscriber of channel.subscribers) {
        const connection = this.connections.get(subscriber.socketId);
        if (connection && !found.includes(connection) && connection.presenceUserId(channel.name) === userId) found.push(connection);
      }
    }
    return found;
  }

  snapshotCounters(): AppCounters {
    return { ...this.counters };
  }
}

function isCacheChannelName(name: string): boolean {
  // Cheap pre-check first: this runs for every publish to a vacant channel (the simulator's case).
  return name.includes('cache-') && /^(private-encrypted-|private-|presence-)?cache-/.test(name);
}
