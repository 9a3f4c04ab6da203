import { channelTraits, type ChannelTraits } from './protocol';
import { PresenceRoster } from './presence';
import type { OutboundFrame } from './wire-frame';

/** The subset of a connection a channel needs to deliver to it. */
export interface Subscriber {
  readonly socketId: string;
  /** A string is one-off protocol text; an OutboundFrame is a broadcast shared by every recipient. */
  deliver(frame: OutboundFrame | string): void;
}

/** An occupied channel: its subscribers and, for presence channels, its roster. */
export class Channel {
  readonly traits: ChannelTraits;
  readonly subscribers = new Set<Subscriber>();
  readonly roster: PresenceRoster | null;

  constructor(readonly name: string) {
    this.traits = channelTraits(name);
    this.roster = this.traits.kind === 'presence' ? new PresenceRoster() : null;
  }

  /**
   * Sends one frame to every subscriber but `except`. The frame is serialized once by the
   * caller; this loop only hands the same buffer to each socket. Returns the delivery count.
   */
  broadcast(frame: OutboundFrame | string, except?: Subscriber | string): number {
    let delivered = 0;
    const exceptId = typeof except === 'string' ? except : except?.socketId;
    for (const subscriber of this.subscribers) {
      if (subscriber.socketId === exceptId) continue;
      subscriber.deliver(frame);
      delivered += 1;
    }
    return delivered;
  }
}

export interface CachedEvent {
  event: string;
  data: string;
  expiresAt: number;
}

/** All channels of one app, created on first subscription and dropped when vacated. */
export class ChannelRegistry {
  private readonly channels = new Map<string, Channel>();
  /** Cache channels keep their last event even while vacant (Pusher semantics). */
  private readonly cache = new Map<string, CachedEvent>();

  get(name: string): Channel | undefined {
    return this.channels.get(name);
  }

  getOrCreate(name: string): Channel {
    let channel = this.channels.get(name);
    if (!channel) {
      channel = new Channel(name);
      this.channels.set(name, channel);
    }
    return channel;
  }

  dropIfVacant(channel: Channel): void {
    if (channel.subscribers.size === 0 && this.channels.get(channel.name) === channel) this.channels.delete(channel.name);
  }

  all(): IterableIterator<Channel> {
    return this.channels.values();
  }

  get size(): number {
    return this.channels.size;
  }

  remember(channel: string, event: string, data: string, expiresAt: number): void {
    this.cache.set(channel, { event, data, expiresAt });
  }

  cached(channel: string, now: number): CachedEvent | undefined {
    const entry = this.cache.get(channel);
    if (entry && entry.expiresAt <= now) {
      this.cache.delete(channel);
      return undefined;
    }
    return entry;
  }

  pruneCache(now: number): void {
    for (const [name, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(name);
  }
}
