import Pusher from 'pusher';
import type { Profile } from '../../../shared/api';
import type { Clock } from '../clock';

export interface DiscoveryState {
  prefix: string;
  lastPollAt: number | null;
  channels: number;
  error?: string;
}

export interface DiscoveryTarget {
  /** A channel appeared on the server: follow it. */
  added(channel: string): void;
  /** A channel was vacated: let it go. */
  removed(channel: string): void;
  changed(state: DiscoveryState): void;
}

/** Signed `GET /apps/{id}/channels?filter_by_prefix=` through the official `pusher` SDK (Reverb, soketi, Pusher, the mock). */
export function channelLister(profile: Profile): (prefix: string) => Promise<string[]> {
  if (profile.auth.mode !== 'secret' || !profile.appId) throw new Error('discovery needs appId and the app secret');
  const pusher =
    profile.kind === 'pusher'
      ? new Pusher({ appId: profile.appId, key: profile.key, secret: profile.auth.secret, cluster: profile.cluster ?? 'mt1', useTLS: true })
      : new Pusher({ appId: profile.appId, key: profile.key, secret: profile.auth.secret, host: profile.host, port: String(profile.port), useTLS: profile.tls });
  return async (prefix) => {
    const response = await pusher.get({ path: '/channels', params: { filter_by_prefix: prefix } });
    const body = (await response.json()) as { channels?: Record<string, unknown> };
    if (typeof body !== 'object' || body === null || typeof body.channels !== 'object' || body.channels === null) {
      throw new Error('the channels API answered without a "channels" object');
    }
    return Object.keys(body.channels);
  };
}

/**
 * Polls the server for occupied channels under a prefix and reports arrivals and departures.
 * Errors are reported on every failed poll (never silent) and polling goes on.
 */
export class ChannelDiscovery {
  private known = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private state: DiscoveryState;
  private stopped = false;

  constructor(
    private readonly list: (prefix: string) => Promise<string[]>,
    private readonly prefix: string,
    private readonly intervalMs: number,
    private readonly target: DiscoveryTarget,
    private readonly clock: Clock,
  ) {
    this.state = { prefix, lastPollAt: null, channels: 0 };
  }

  start(): void {
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  current(): DiscoveryState {
    return { ...this.state };
  }

  /** One poll now (tests and the first poll); schedules the next. */
  async poll(): Promise<void> {
    if (this.stopped) return;
    try {
      const channels = new Set(await this.list(this.prefix));
      if (this.stopped) return;
      for (const channel of channels) if (!this.known.has(channel)) this.target.added(channel);
      for (const channel of this.known) if (!channels.has(channel)) this.target.removed(channel);
      this.known = channels;
      this.state = { prefix: this.prefix, lastPollAt: this.clock(), channels: channels.size };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.state = { ...this.state, lastPollAt: this.clock(), error: `discovery poll failed: ${message}` };
    }
    this.target.changed(this.current());
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.poll(), this.intervalMs);
      this.timer.unref?.();
    }
  }
}
