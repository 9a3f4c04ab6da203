import { Redis } from 'ioredis';
import { DEFAULT_REVERB_CHANNEL, redactRedisUrl } from '../../shared/api/taps';

/**
 * A node's link to the fleet: Reverb's horizontal scaling (docs/mock-provider.md "Several
 * nodes"). One Redis connection PUBLISHes this node's broadcasts on the scaling channel, another
 * SUBSCRIBEs it and hands every message — this node's own included — to the node, which delivers
 * it to its own subscribers. The only module of the mock that talks to Redis (ioredis).
 *
 * Nothing is lost silently: Redis unreachable at start is an error (`open` rejects); a drop at run
 * time is a `lost` notice, every broadcast that could not be published meanwhile is counted
 * (`notPublished`, the first of each outage said in a notice), and `restored` says how many once
 * both connections are back. Broadcasts are not queued for later (a late token is a fault of its
 * own), and a PUBLISH cut in flight is not resent (it may have reached Redis: no duplicates).
 */

export interface ScalingSettings {
  /** `redis://[user:password@]host[:port][/db]`, `rediss://` for TLS. */
  url: string;
  /** Reverb's `REVERB_SCALING_CHANNEL`; default `reverb`. */
  channel?: string;
}

export interface ScalingStatus {
  /** The URL with its password as `***`. */
  url: string;
  channel: string;
  /** `connected`: publishing and subscribed; `reconnecting`: either connection is down. */
  state: 'connected' | 'reconnecting' | 'closed';
  since: number;
  /** Broadcasts Redis confirmed (PUBLISH answered). */
  published: number;
  /** Broadcasts that could not be published (Redis down, or the PUBLISH failed). */
  notPublished: number;
  /** Messages read from the channel and delivered to this node's subscribers. */
  received: number;
  /** Messages read that were not for this node (another app, Reverb's metrics, unreadable). */
  ignored: number;
  /** Times the link was lost since it opened. */
  outages: number;
  error?: string;
}

export type ScalingNotice = { kind: 'lost'; error: string } | { kind: 'not-published'; event: string; reason: string } | { kind: 'restored'; downMs: number; notPublished: number };

/** Reconnect delays: 100 ms growing to 5 s, forever (Reverb gives up after `timeout`; a test server keeps trying). */
const retryDelay = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt, 6), 5000);

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class ScalingLink {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<(notice: ScalingNotice, status: ScalingStatus) => void>();
  private current: ScalingStatus;
  private opened = false;
  private closing = false;
  private subscribed = false;
  private lastError: string | undefined;
  private lostAt = 0;
  private notPublishedAtLoss = 0;
  private saidNotPublished = false;

  private constructor(
    settings: ScalingSettings,
    private readonly onMessage: (text: string) => boolean,
    private readonly now: () => number,
  ) {
    const channel = settings.channel ?? DEFAULT_REVERB_CHANNEL;
    this.current = { url: redactRedisUrl(settings.url), channel, state: 'reconnecting', since: now(), published: 0, notPublished: 0, received: 0, ignored: 0, outages: 0 };
    const options = {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: null,
      connectTimeout: 5000,
      // Until the link opened, a refusal is the answer (open rejects); after, it reconnects forever.
      retryStrategy: (attempt: number) => (this.opened && !this.closing ? retryDelay(attempt) : null),
    };
    this.publisher = new Redis(settings.url, options);
    this.subscriber = new Redis(settings.url, options);
    for (const redis of [this.publisher, this.subscriber]) redis.on('error', (error: Error) => (this.lastError = error.message));
    this.publisher.on('close', () => this.dropped());
    this.subscriber.on('close', () => {
      this.subscribed = false;
      this.dropped();
    });
    this.publisher.on('ready', () => this.reconnected());
    this.subscriber.on('ready', () => void this.resubscribe());
    this.subscriber.on('message', (_channel: string, text: string) => {
      if (this.onMessage(text)) this.current.received++;
      else this.current.ignored++;
    });
  }

  /** Connects both connections and subscribes; rejects, saying where and why, when Redis does not answer. */
  static async open(settings: ScalingSettings, onMessage: (text: string) => boolean, now: () => number = Date.now): Promise<ScalingLink> {
    const link = new ScalingLink(settings, onMessage, now);
    try {
      await Promise.all([link.publisher.connect(), link.subscriber.connect()]);
      await link.subscriber.subscribe(link.current.channel);
    } catch (error) {
      link.closing = true;
      link.publisher.disconnect();
      link.subscriber.disconnect();
      throw new Error(`cannot reach the scaling Redis at ${link.current.url}: ${link.lastError ?? messageOf(error)}`, { cause: error });
    }
    link.opened = true;
    link.subscribed = true;
    link.current = { ...link.current, state: 'connected', since: now() };
    return link;
  }

  status(): ScalingStatus {
    return { ...this.current };
  }

  /** Told of every loss, first broadcast not published in an outage, and recovery; returns the unsubscribe function. */
  onNotice(listener: (notice: ScalingNotice, status: ScalingStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a broadcast handed over now can be published (the publishing connection is up). */
  canPublish(): boolean {
    return !this.closing && this.publisher.status === 'ready';
  }

  /** PUBLISHes one message; false (and counted) when it cannot be sent now. `event` names it in a notice. */
  publish(text: string, event: string): boolean {
    if (!this.canPublish()) {
      this.notPublished(event, this.closing ? 'the node is stopping' : `Redis is unreachable (${this.lastError ?? 'connection lost'})`);
      return false;
    }
    this.publisher.publish(this.current.channel, text).then(
      () => void this.current.published++,
      (error: unknown) => this.notPublished(event, `PUBLISH failed: ${messageOf(error)}`),
    );
    return true;
  }

  /** Counts a broadcast refused before it reached the link (the HTTP API answered 503). */
  refused(event: string): void {
    this.notPublished(event, `Redis is unreachable (${this.lastError ?? 'connection lost'})`);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.current = { ...this.current, state: 'closed', since: this.now() };
    await Promise.allSettled([this.publisher.quit(), this.subscriber.quit()]);
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private notPublished(event: string, reason: string): void {
    this.current.notPublished++;
    if (this.saidNotPublished) return;
    // Said once per outage; the count goes on (and `restored` tells the total).
    this.saidNotPublished = true;
    this.notify({ kind: 'not-published', event, reason });
  }

  private dropped(): void {
    if (!this.opened || this.closing || this.current.state !== 'connected') return;
    this.lostAt = this.now();
    this.notPublishedAtLoss = this.current.notPublished;
    this.saidNotPublished = false;
    const error = this.lastError ?? 'connection closed';
    this.current = { ...this.current, state: 'reconnecting', since: this.lostAt, outages: this.current.outages + 1, error };
    this.notify({ kind: 'lost', error });
  }

  private async resubscribe(): Promise<void> {
    if (!this.opened || this.closing) return;
    try {
      await this.subscriber.subscribe(this.current.channel);
    } catch (error) {
      this.lastError = `cannot subscribe: ${messageOf(error)}`;
      return;
    }
    this.subscribed = true;
    this.reconnected();
  }

  private reconnected(): void {
    if (!this.opened || this.closing || this.current.state === 'connected') return;
    if (!this.subscribed || this.publisher.status !== 'ready') return;
    const at = this.now();
    const { error: _cleared, ...rest } = this.current;
    this.current = { ...rest, state: 'connected', since: at };
    this.notify({ kind: 'restored', downMs: at - this.lostAt, notPublished: this.current.notPublished - this.notPublishedAtLoss });
  }

  private notify(notice: ScalingNotice): void {
    const status = this.status();
    for (const listener of this.listeners) listener(notice, status);
  }
}
