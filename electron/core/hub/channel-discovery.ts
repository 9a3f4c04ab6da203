import type { Profile } from '../../../shared/api';
import type { Clock } from '../clock';
import { realTimers, type Timers } from '../timers';
import { pusherRest, restAnswer } from './pusher-rest';

export interface DiscoveryState {
  prefix: string;
  lastPollAt: number | null;
  channels: number;
  /** Channels EchoScope let go (session ended, or nobody else left) that the server still lists. */
  released?: number;
  /** When the last webhook reached this discovery (channels occupied or vacated are known at once). */
  lastWebhookAt?: number;
  error?: string;
}

/** What the server says of a channel: how many connections are subscribed, when it tells. */
export interface ChannelOccupancy {
  subscriptionCount?: number;
}

/** A server's channel API: the occupied channels under a prefix, and one channel's occupancy. */
export interface ChannelSource {
  list(prefix: string): Promise<Map<string, ChannelOccupancy>>;
  info(channel: string): Promise<ChannelOccupancy>;
}

export interface DiscoveryTarget {
  /** A channel appeared on the server: follow it. */
  added(channel: string): void;
  /** Let a channel go (it was vacated, its session ended, or nobody but EchoScope is left on it). */
  removed(channel: string, reason: string): void;
  /** The channels whose subscription the server confirmed (so its counts include EchoScope). */
  subscribed(): ReadonlySet<string>;
  changed(state: DiscoveryState): void;
}

export interface DiscoveryOptions {
  prefix: string;
  intervalMs: number;
  /** Unsubscribe after a session ended (+ `graceMs` without events) or when nobody else is left (default true). */
  leave?: boolean;
  graceMs?: number;
}

function occupancy(value: unknown): ChannelOccupancy {
  const count = (value as { subscription_count?: unknown } | null)?.subscription_count;
  return typeof count === 'number' ? { subscriptionCount: count } : {};
}

function channelsOf(body: unknown): Map<string, ChannelOccupancy> {
  const channels = (body as { channels?: unknown } | null)?.channels;
  if (typeof channels !== 'object' || channels === null || Array.isArray(channels)) throw new Error('the channels API answered without a "channels" object');
  return new Map(Object.entries(channels).map(([name, info]) => [name, occupancy(info)]));
}

async function answerOf(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} answered with something that is not JSON: ${text.slice(0, 200)}`);
  }
}

/**
 * The server's channel API for a profile:
 * - Pusher protocol (Reverb, soketi, Pusher, the mock): signed `GET /apps/{id}/channels` through the
 *   official `pusher` SDK, asking for `subscription_count` where the server can give it in the list;
 * - laravel-echo-server: `GET /apps/{id}/channels?auth_key=` with an API key of its `clients`
 *   (it does not take Pusher signatures); its list always carries `subscription_count`.
 */
export function channelSource(profile: Profile): ChannelSource {
  if (profile.kind === 'socketio') return echoServerSource(profile);
  if (profile.auth.mode !== 'secret' || !profile.appId) throw new Error('discovery needs appId and the app secret');
  const pusher = pusherRest({ ...profile, appId: profile.appId, secret: profile.auth.secret });
  // Pusher Channels lists only `user_count`; Reverb, soketi and the mock give `subscription_count` in the list.
  const listInfo = profile.kind === 'pusher' ? {} : { info: 'subscription_count' };
  return {
    list: async (prefix) => channelsOf(await restAnswer(pusher.get({ path: '/channels', params: { filter_by_prefix: prefix, ...listInfo } }), 'the channels API')),
    info: async (channel) =>
      occupancy(await restAnswer(pusher.get({ path: `/channels/${encodeURIComponent(channel)}`, params: { info: 'subscription_count' } }), 'the channel API')),
  };
}

function echoServerSource(profile: Profile): ChannelSource {
  const apiKey = profile.discover?.apiKey;
  if (!apiKey || !profile.appId) throw new Error('discovery on laravel-echo-server needs appId and apiKey (one of its clients)');
  const base = `${profile.tls ? 'https' : 'http'}://${profile.host}:${profile.port}/apps/${encodeURIComponent(profile.appId)}`;
  const get = async (path: string, params: Record<string, string>) => {
    const query = new URLSearchParams({ ...params, auth_key: apiKey });
    return answerOf(await fetch(`${base}${path}?${query}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) }), 'laravel-echo-server');
  };
  return {
    list: async (prefix) => channelsOf(await get('/channels', { filter_by_prefix: prefix })),
    info: async (channel) => occupancy(await get(`/channels/${encodeURIComponent(channel)}`, {})),
  };
}

/**
 * Polls the server for occupied channels under a prefix and reports arrivals and departures.
 * Errors are reported on every failed poll (never silent) and polling goes on.
 *
 * It does not keep the app's channels occupied: with `leave` (the default) a channel is let go
 * once its session ended (the monitor calls `sessionEnded`, then `graceMs` pass without an event
 * on it) or when the server counts no subscriber but EchoScope on two polls in a row (once could be
 * the server's count from before EchoScope's own subscription reached it). A channel let go is not
 * taken again while the server still lists it (the app's frontend may stay on it); once it
 * disappears from the list, a new subscriber brings it back.
 */
export class ChannelDiscovery {
  private known = new Set<string>();
  /** Let go but still listed. */
  private readonly released = new Set<string>();
  /** Seen with nobody else on the previous poll. */
  private lonely = new Set<string>();
  /** Ended sessions' channels: the grace timer, restarted by every event on the channel. */
  private readonly ending = new Map<string, unknown>();
  private timer: unknown;
  private state: DiscoveryState;
  private stopped = false;
  private readonly prefix: string;
  private readonly intervalMs: number;
  private readonly leave: boolean;
  private readonly graceMs: number;

  constructor(
    private readonly source: ChannelSource,
    options: DiscoveryOptions,
    private readonly target: DiscoveryTarget,
    private readonly clock: Clock,
    private readonly timers: Timers = realTimers,
  ) {
    this.prefix = options.prefix;
    this.intervalMs = options.intervalMs;
    this.leave = options.leave ?? true;
    this.graceMs = options.graceMs ?? 10_000;
    this.state = { prefix: this.prefix, lastPollAt: null, channels: 0 };
  }

  start(): void {
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    for (const timer of this.ending.values()) this.timers.clearTimeout(timer);
    this.ending.clear();
  }

  current(): DiscoveryState {
    return { ...this.state };
  }

  /** The session on a discovered channel reached its terminal: let the channel go after the grace period. */
  sessionEnded(channel: string): void {
    if (!this.leave || this.stopped || !this.known.has(channel)) return;
    this.graceLater(channel);
  }

  /** An event arrived on a channel (called for every frame: cheap unless the channel's session ended). */
  activity(channel: string): void {
    if (this.ending.size === 0 || !this.ending.has(channel)) return;
    this.graceLater(channel);
  }

  /**
   * A webhook said the channel was occupied (its first subscriber came): followed at once, without
   * waiting for the next poll. A channel EchoScope let go is followed again — it was vacated in
   * between, or the server would not call it occupied.
   */
  occupied(channel: string): void {
    this.heardWebhook();
    if (this.stopped || !channel.startsWith(this.prefix)) return;
    this.released.delete(channel);
    if (this.known.has(channel)) return;
    this.known.add(channel);
    this.target.added(channel);
    this.state = { ...this.state, channels: this.known.size };
    this.target.changed(this.current());
  }

  /** A webhook said the channel was vacated (its last subscriber left): let go at once. */
  vacated(channel: string): void {
    this.heardWebhook();
    if (this.stopped || !channel.startsWith(this.prefix)) return;
    this.released.delete(channel);
    this.release(channel, 'vacated', false);
  }

  private heardWebhook(): void {
    this.state = { ...this.state, lastWebhookAt: this.clock() };
  }

  /** One poll now (tests and the first poll); schedules the next. */
  async poll(): Promise<void> {
    if (this.stopped) return;
    try {
      // Only a subscription confirmed before the request is surely in the server's count.
      const subscribed = this.leave ? this.target.subscribed() : new Set<string>();
      const confirmed = [...this.known].filter((channel) => subscribed.has(channel));
      const listed = await this.source.list(this.prefix);
      if (this.stopped) return;
      for (const channel of listed.keys()) {
        if (this.released.has(channel) || this.known.has(channel)) continue;
        this.known.add(channel);
        this.target.added(channel);
      }
      for (const channel of this.known) if (!listed.has(channel)) this.release(channel, 'vacated', false);
      for (const channel of this.released) if (!listed.has(channel)) this.released.delete(channel);
      const lonely = new Set<string>();
      for (const channel of confirmed) {
        if (!this.known.has(channel)) continue;
        const count = listed.get(channel)?.subscriptionCount ?? (await this.source.info(channel)).subscriptionCount;
        if (this.stopped) return;
        if (count === undefined || count > 1) continue;
        if (this.lonely.has(channel)) this.release(channel, 'vacated by everyone else');
        else lonely.add(channel);
      }
      this.lonely = lonely;
      this.state = {
        prefix: this.prefix,
        lastPollAt: this.clock(),
        channels: this.known.size,
        ...(this.released.size > 0 ? { released: this.released.size } : {}),
        ...(this.state.lastWebhookAt !== undefined ? { lastWebhookAt: this.state.lastWebhookAt } : {}),
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.state = { ...this.state, lastPollAt: this.clock(), error: `discovery poll failed: ${message}` };
    }
    this.target.changed(this.current());
    if (!this.stopped) this.timer = this.timers.setTimeout(() => void this.poll(), this.intervalMs);
  }

  private graceLater(channel: string): void {
    const previous = this.ending.get(channel);
    if (previous !== undefined) this.timers.clearTimeout(previous);
    this.ending.set(
      channel,
      this.timers.setTimeout(() => {
        this.ending.delete(channel);
        this.release(channel, 'session ended');
      }, this.graceMs),
    );
  }

  /** Lets a channel go; `keep` remembers it so a poll that still lists it does not take it again. */
  private release(channel: string, reason: string, keep = true): void {
    if (!this.known.delete(channel)) return;
    const timer = this.ending.get(channel);
    if (timer !== undefined) this.timers.clearTimeout(timer);
    this.ending.delete(channel);
    this.lonely.delete(channel);
    if (keep) this.released.add(channel);
    this.target.removed(channel, reason);
    this.state = { ...this.state, channels: this.known.size, ...(this.released.size > 0 ? { released: this.released.size } : {}) };
    this.target.changed(this.current());
  }
}
