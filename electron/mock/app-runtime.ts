import type { MockApp, ResolvedConfig } from './config';
import { Channel, ChannelRegistry, type Subscriber } from './channels';
import { emptyCounters, type AppCounters } from './metrics';
import type { PresenceMember } from './presence';
import { encodeFrame } from './protocol';
import type { ScalingPayload } from './scaling-format';
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

/**
 * Where broadcasts go when this node is one of several (Reverb's horizontal scaling): the fleet
 * delivers each to every node, this one included, which then calls `deliver…` (server.ts).
 */
export interface Fleet {
  /** Whether a broadcast handed over now can be published. */
  canPublish(): boolean;
  /** Hands one broadcast to the fleet; false (and counted) when it cannot be published now. */
  broadcast(app: AppRuntime, payload: ScalingPayload, exceptSocketId?: string): boolean;
  /** Closes the user's connections on every node (Reverb's `terminate` message). */
  terminate(app: AppRuntime, userId: string): boolean;
  /** Counts broadcasts refused before they were handed over (the HTTP API answered 503). */
  refused(events: readonly string[]): void;
}

/** One app's live state: its connections, channels, signed-in users and counters. */
export class AppRuntime {
  readonly connections = new Map<string, AppConnection>();
  readonly channels = new ChannelRegistry();
  readonly counters: AppCounters;
  readonly joinListeners = new Set<JoinListener>();
  /** Channels listed as occupied before anyone subscribed (MockServer.announceChannels). */
  readonly announced = new Set<string>();
  /** Set when the node shares a scaling channel: broadcasts go through it instead of straight to subscribers. */
  fleet: Fleet | null = null;

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
   * exclusion): straight to this node's subscribers, or through the fleet when there is one.
   * Returns the number of frames delivered now (0 through the fleet: they are delivered when the
   * message comes back from Redis).
   */
  publish(channels: readonly string[], event: string, data: string, exceptSocketId?: string): number {
    this.counters.apiEvents += channels.length;
    if (this.fleet) {
      this.fleet.broadcast(this, { event, channels: [...channels], data }, exceptSocketId);
      return 0;
    }
    return this.deliver(channels, event, data, exceptSocketId);
  }

  /** Delivers a server event to this node's subscribers; cache channels remember it. Returns the number of frames delivered. */
  deliver(channels: readonly string[], event: string, data: string, exceptSocketId?: string): number {
    let delivered = 0;
    const now = this.config.now();
    for (const name of channels) {
      const channel = this.channels.get(name);
      if (channel ? channel.traits.cached : isCacheChannelName(name)) {
        this.channels.remember(name, event, data, now + this.config.cacheTtlSec * 1000);
      }
      if (!channel || channel.subscribers.size === 0) continue;
      delivered += channel.broadcast(OutboundFrame.of(eventFrame(event, name, data)), exceptSocketId);
    }
    return delivered;
  }

  /** Relays a client event of `sender` (already checked) to the channel's other subscribers, through the fleet when there is one. */
  relayClientEvent(sender: AppConnection, channel: string, event: string, data: string, userId: string | null): void {
    this.counters.clientEvents += 1;
    if (this.fleet) {
      this.fleet.broadcast(this, userId === null ? { event, channel, data } : { event, channel, data, user_id: userId }, sender.socketId);
      return;
    }
    this.deliverClientEvent(channel, event, data, userId, sender.socketId);
  }

  /** Delivers a client event to this node's subscribers of `name` but its sender. */
  deliverClientEvent(name: string, event: string, data: string, userId: string | null, exceptSocketId: string | undefined): number {
    const channel = this.channels.get(name);
    if (!channel) return 0;
    const text = userId === null ? eventFrame(event, name, data) : encodeFrame(event, data, name, { user_id: userId });
    return channel.broadcast(OutboundFrame.of(text), exceptSocketId);
  }

  /** Closes this node's connections of `userId` with 4009 (`terminate_connections`). */
  terminateUser(userId: string, code: number): number {
    const connections = this.connectionsOfUser(userId);
    for (const connection of connections) connection.close(code, `Connections of user ${userId} terminated by the app`);
    return connections.length;
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
