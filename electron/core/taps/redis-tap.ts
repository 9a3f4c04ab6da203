import { Redis } from 'ioredis';
import { redactRedisUrl, type TapSettings, type TapStatus } from '../../../shared/api';
import { CLIENT_CLOSE_REASON, type ConnectionState, type FrameRecord, type JournalRecord } from '../../../shared/journal';
import type { Clock } from '../clock';
import { boundedPayload } from '../hub/bounded-payload';
import { readBroadcasterMessage, readScalingMessage, type TapRead } from './tap-messages';

export interface TapSink {
  record(record: JournalRecord): void;
  status(status: TapStatus): void;
}

/** Redis's glob characters in a prefix are matched literally. */
function globEscape(text: string): string {
  return text.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

/** Reconnect delays: 100 ms, growing to 5 s, forever (the app's Redis may restart at any time). */
const retryDelay = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt, 6), 5000);

/**
 * A server-side tap: one Redis subscriber connection that reads every broadcast the app publishes
 * (Laravel's redis broadcaster: `PSUBSCRIBE {prefix}*`; Reverb's scaling channel: `SUBSCRIBE
 * {channel}`) and journals each event as a frame of its own vantage (`connection`, marked `tap`).
 * It subscribes to no broadcast channel: it sees channels nobody listens to. Its `connected`
 * record is written once Redis confirmed the subscription — from then on it misses no publish —
 * and it reconnects (and subscribes again) by itself after a drop.
 */
export class RedisTap {
  private readonly redis: Redis;
  private current: TapStatus;
  private stopped = false;
  private wasConnected = false;

  constructor(
    readonly connection: string,
    private readonly settings: TapSettings,
    private readonly sink: TapSink,
    private readonly clock: Clock,
  ) {
    const watching = settings.format === 'laravel' ? `PSUBSCRIBE ${globEscape(settings.prefix)}*` : `SUBSCRIBE ${settings.channel}`;
    this.current = { connection, format: settings.format, url: redactRedisUrl(settings.url), watching, state: 'connecting', since: clock(), events: 0, ignored: 0 };
    this.redis = new Redis(settings.url, {
      lazyConnect: true,
      // Subscribed again by `subscribe` on every ready connection: `connected` is journaled once Redis confirmed it.
      autoResubscribe: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: null,
      connectTimeout: 5000,
      retryStrategy: retryDelay,
    });
    this.redis.on('ready', () => void this.subscribe());
    this.redis.on('error', (error: Error) => this.failed(error.message));
    this.redis.on('close', () => this.closed());
    this.redis.on('reconnecting', () => this.changed('connecting'));
    if (settings.format === 'laravel')
      this.redis.on('pmessage', (_pattern: string, channel: string, message: string) => this.read(readBroadcasterMessage(channel, settings.prefix, message)));
    else this.redis.on('message', (_channel: string, message: string) => this.read(readScalingMessage(message, settings.appId)));
  }

  start(): void {
    this.record({ type: 'connection', at: this.clock(), connection: this.connection, tap: this.settings.format, state: 'connecting' });
    this.publishStatus();
    // A refused first connection is retried like a drop; its error is said on the status.
    this.redis.connect().catch((error: unknown) => this.failed(error instanceof Error ? error.message : String(error)));
  }

  status(): TapStatus {
    return { ...this.current };
  }

  /** Closes the connection; the journal's last word on this vantage is EchoScope's own close, not a drop. */
  stop(): void {
    if (this.stopped) return;
    this.record({ type: 'connection', at: this.clock(), connection: this.connection, tap: this.settings.format, state: 'disconnected', reason: CLIENT_CLOSE_REASON });
    this.stopped = true;
    this.redis.disconnect();
  }

  private async subscribe(): Promise<void> {
    try {
      if (this.settings.format === 'laravel') await this.redis.psubscribe(`${globEscape(this.settings.prefix)}*`);
      else await this.redis.subscribe(this.settings.channel);
    } catch (error) {
      this.failed(`cannot subscribe: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.wasConnected = true;
    const { error: _cleared, ...rest } = this.current;
    this.current = rest;
    this.changed('connected');
  }

  private read(read: TapRead): void {
    if (this.stopped) return;
    if ('ignored' in read) {
      this.current.ignored++;
      if (this.current.firstIgnored === undefined) {
        // Said once on the status; the count keeps going.
        this.current.firstIgnored = read.ignored;
        this.publishStatus();
      }
      return;
    }
    const at = this.clock();
    for (const published of read.events) {
      const { data } = boundedPayload(published.data, undefined);
      const frame: FrameRecord = { type: 'frame', at, connection: this.connection, tap: this.settings.format, channel: published.channel, event: published.event, data };
      if (published.exceptSocketId !== undefined) frame.exceptSocketId = published.exceptSocketId;
      this.current.events++;
      this.sink.record(frame);
    }
  }

  private failed(message: string): void {
    if (this.stopped) return;
    this.current = { ...this.current, error: message };
    this.publishStatus();
  }

  private closed(): void {
    this.changed(this.wasConnected ? 'disconnected' : 'unavailable');
  }

  private changed(state: TapStatus['state']): void {
    if (this.stopped || state === this.current.state) return;
    const at = this.clock();
    const reason = state === 'connected' ? undefined : this.current.error;
    this.record({ type: 'connection', at, connection: this.connection, tap: this.settings.format, state: state as ConnectionState, ...(reason ? { reason } : {}) });
    this.current = { ...this.current, state, since: at };
    this.publishStatus();
  }

  private record(record: JournalRecord): void {
    if (!this.stopped) this.sink.record(record);
  }

  private publishStatus(): void {
    this.sink.status(this.status());
  }
}
