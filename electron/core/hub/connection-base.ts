import type { ApiError, ChannelStatus, ConnectionStatus, HubState, Profile } from '../../../shared/api';
import { CLIENT_CLOSE_REASON, type ConnectionState, type JournalRecord } from '../../../shared/journal';
import type { Clock } from '../clock';
import { realTimers, type Timers } from '../timers';
import { likelyLaravelChannel } from './channel-names';
import { boundedPayload } from './bounded-payload';

export interface HubSink {
  /**
   * `wireText`, for a frame whose client had it, is the WebSocket message the frame was
   * decoded from: the journal takes it instead of the record object (captured.ts).
   */
  record(record: JournalRecord, wireText?: string): void;
  status(status: ConnectionStatus): void;
}

/** What the hub needs of a connection, whatever the protocol underneath. */
export interface HubConnection {
  readonly profile: Profile;
  status(): ConnectionStatus;
  subscribe(channel: string, timeoutMs?: number): Promise<ChannelStatus>;
  /** `reason` (e.g. "session ended") goes into the journal's unsubscribed record. */
  unsubscribe(channel: string, reason?: string): ChannelStatus;
  stop(): void;
}

const JOURNAL_STATES: ReadonlySet<string> = new Set<ConnectionState>(['connecting', 'connected', 'unavailable', 'disconnected', 'failed']);

/**
 * The protocol-independent half of a connection: channel bookkeeping, subscribe
 * waiters, status and journal records with arrival times. Subclasses wire a client.
 */
export abstract class ConnectionBase implements HubConnection {
  protected readonly channels = new Map<string, ChannelStatus>();
  private readonly waiters = new Map<string, Array<(status: ChannelStatus) => void>>();
  protected current: ConnectionStatus;
  protected stopped = false;
  /** Public channels subscribed that have not received an event yet: their quiet-channel warning timers. */
  private readonly quiet = new Map<string, unknown>();

  constructor(
    readonly profile: Profile,
    protected readonly sink: HubSink,
    protected readonly clock: Clock,
    protected readonly timers: Timers = realTimers,
  ) {
    this.current = { profileId: profile.id, state: 'initialized', channels: [], since: clock() };
  }

  status(): ConnectionStatus {
    return { ...this.current, channels: [...this.channels.values()] };
  }

  /** Subscribes and resolves once the server answered (or after `timeoutMs`, still `pending`); never rejects. */
  subscribe(channel: string, timeoutMs = 10_000): Promise<ChannelStatus> {
    const existing = this.channels.get(channel);
    if (existing && existing.status === 'subscribed') return Promise.resolve(existing);
    const result = new Promise<ChannelStatus>((resolve) => {
      const timer = setTimeout(() => resolve(this.channels.get(channel) ?? { name: channel, status: 'pending' }), timeoutMs);
      const list = this.waiters.get(channel) ?? [];
      list.push((status) => {
        clearTimeout(timer);
        resolve(status);
      });
      this.waiters.set(channel, list);
    });
    if (!existing || existing.status === 'unsubscribed' || existing.status === 'failed') {
      this.setChannel({ name: channel, status: 'pending' });
      this.openChannel(channel);
    }
    return result;
  }

  unsubscribe(channel: string, reason?: string): ChannelStatus {
    if (this.channels.has(channel)) {
      this.quietEnds(channel);
      this.closeChannel(channel);
      this.channels.delete(channel);
      this.record({ type: 'subscription', at: this.clock(), connection: this.profile.id, channel, status: 'unsubscribed', ...(reason ? { reason } : {}) });
      this.publishStatus();
    }
    return { name: channel, status: 'unsubscribed' };
  }

  abstract stop(): void;
  protected abstract openChannel(channel: string): void;
  protected abstract closeChannel(channel: string): void;

  protected channelSubscribed(channel: string): void {
    if (!this.channels.has(channel)) return;
    this.record({ type: 'subscription', at: this.clock(), connection: this.profile.id, channel, status: 'subscribed' });
    this.settle({ name: channel, status: 'subscribed' });
    this.watchQuiet(channel);
  }

  /**
   * A public channel with a Laravel-looking name (`ai.x1`) that stays silent is most likely the
   * wrong one: `Echo.private('ai.x1')` and Laravel's PrivateChannel broadcast on `private-ai.x1`.
   */
  private watchQuiet(channel: string): void {
    const warnMs = this.profile.quietChannelWarnMs;
    const likely = likelyLaravelChannel(channel);
    if (!warnMs || likely === undefined || this.quiet.has(channel)) return;
    this.quiet.set(
      channel,
      this.timers.setTimeout(() => {
        this.quiet.delete(channel);
        const status = this.channels.get(channel);
        if (!status || status.status !== 'subscribed' || this.stopped) return;
        const seconds = Math.round(warnMs / 100) / 10;
        this.channels.set(channel, {
          ...status,
          warning: `no event on public channel "${channel}" in ${seconds} s: Laravel's Echo.private('${channel}') and PrivateChannel('${channel}') use "${likely}" — watch that (--private, or the profile's channelType "private")`,
        });
        this.publishStatus();
      }, warnMs),
    );
  }

  private quietEnds(channel: string): void {
    const timer = this.quiet.get(channel);
    if (timer === undefined) return;
    this.timers.clearTimeout(timer);
    this.quiet.delete(channel);
  }

  protected channelFailed(channel: string, error: ApiError, code?: number): void {
    this.record({
      type: 'subscription',
      at: this.clock(),
      connection: this.profile.id,
      channel,
      status: 'failed',
      error: error.message,
      ...(code === undefined ? {} : { code }),
    });
    this.current = { ...this.current, lastError: error };
    this.settle({ name: channel, status: 'failed', error });
  }

  protected frame(event: string, channel: string | undefined, payload: unknown, wire?: string): void {
    if (this.stopped) return;
    if (this.quiet.size > 0 && channel !== undefined && !event.startsWith('pusher')) this.quietEnds(channel);
    const at = this.clock();
    const connection = this.profile.id;
    const { data, wireText } = boundedPayload(payload, wire);
    // Two literals, not a spread: this runs for every frame.
    this.sink.record(channel === undefined ? { type: 'frame', at, connection, event, data } : { type: 'frame', at, connection, channel, event, data }, wireText);
  }

  protected stateChanged(state: HubState, socketId?: string, code?: number): void {
    const at = this.clock();
    const reason = state !== 'connected' ? this.current.lastError?.message : undefined;
    if (JOURNAL_STATES.has(state)) {
      this.record({
        type: 'connection',
        at,
        connection: this.profile.id,
        state: state as ConnectionState,
        ...(socketId ? { socketId } : {}),
        ...(code === undefined ? {} : { code }),
        ...(reason ? { reason } : {}),
      });
    }
    const { lastError, socketId: _previous, ...rest } = this.current;
    this.current = {
      ...rest,
      state,
      since: at,
      ...(socketId ? { socketId } : {}),
      ...(state === 'connected' || !lastError ? {} : { lastError }),
    };
    this.publishStatus();
  }

  /** Called by `stop()`: the journal's last word on this connection, which is not a drop. */
  protected recordClientClose(): void {
    this.record({ type: 'connection', at: this.clock(), connection: this.profile.id, state: 'disconnected', reason: CLIENT_CLOSE_REASON });
  }

  protected setError(error: ApiError): void {
    this.current = { ...this.current, lastError: error };
    this.publishStatus();
  }

  /** After `stop()` nothing more is recorded: the client-close record was the last. */
  protected record(record: JournalRecord): void {
    if (!this.stopped) this.sink.record(record);
  }

  protected publishStatus(): void {
    this.sink.status(this.status());
  }

  private setChannel(status: ChannelStatus): void {
    this.channels.set(status.name, status);
    this.publishStatus();
  }

  private settle(status: ChannelStatus): void {
    this.setChannel(status);
    const waiting = this.waiters.get(status.name);
    this.waiters.delete(status.name);
    waiting?.forEach((resolve) => resolve(status));
  }
}
