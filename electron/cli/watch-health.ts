import type { ConnectionStatus, Profile } from '../../shared/api';
import type { JournalRecord } from '../../shared/journal';
import { isFatalCloseCode } from '../core/hub';
import { closeCodeHint, explainNoConnection, probeDiscovery, serverName, subscriptionHint } from './watch-diagnose';

export interface WatchHealthOptions {
  profile: Profile;
  /** How long the connection may take to come up, at the start and after a drop. */
  connectTimeoutMs: number;
  /** A problem worth saying once (the run goes on). */
  warn(message: string): void;
  /** The run cannot do its job: `watch` stops and exits 1 with this reason. */
  fatal(reason: string): void;
}

/**
 * Decides when `watch` has failed for good, and why, from what the hub reports:
 * - the connection did not come up (or come back after a drop) within the connect timeout —
 *   pusher-js and Socket.IO both retry forever on a refused port;
 * - the server closed it with a code that forbids reconnecting (4001 unknown app key, …);
 * - discovery's first request was answered with an error (wrong secret, unknown app);
 * - every channel given with --channel failed to subscribe (no discovery to find others).
 * Other problems are warned about once and the run goes on.
 */
export class WatchHealth {
  private ended = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private everConnected = false;
  private lastError: string | undefined;
  private discoveryWorked = false;
  private discoveryProbing = false;
  private discoveryProbed: string | undefined;
  private readonly warned = new Set<string>();
  /** Channel → its latest subscription outcome (from the journal's subscription records). */
  private readonly channels = new Map<string, { status: string; error?: string; code?: number }>();

  constructor(private readonly options: WatchHealthOptions) {
    this.armConnectTimer();
  }

  stop(): void {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
  }

  status(status: ConnectionStatus): void {
    if (this.ended) return;
    if (status.lastError) this.lastError = status.lastError.message;
    // pusher-js stops for good on a close code that forbids reconnecting (it reports `disconnected`),
    // and reports `failed` when no transport can work at all.
    const closeCode = Number(/closed with code (\d+)/.exec(status.lastError?.message ?? '')?.[1] ?? Number.NaN);
    if (status.state === 'failed' || (status.state === 'disconnected' && isFatalCloseCode(closeCode))) {
      const reason = status.lastError?.message ?? 'the connection failed';
      this.fail(`connection to ${serverName(this.options.profile)} failed for good: ${reason}. Hint: ${closeCodeHint(Number.isNaN(closeCode) ? undefined : closeCode)}`);
      return;
    }
    if (status.state === 'connected') {
      this.everConnected = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.timer === undefined && this.everConnected && status.state !== 'initialized') {
      // Dropped after being up: said even with --quiet (events may be lost there), and it has the same time to come back.
      this.options.warn(`connection lost${status.lastError ? `: ${status.lastError.message}` : ''}; reconnecting (giving up after ${this.options.connectTimeoutMs / 1000}s)`);
      this.armConnectTimer();
    }
    const discovery = status.discovery;
    if (discovery && discovery.lastPollAt !== null && discovery.error === undefined) this.discoveryWorked = true;
    if (discovery?.error && !this.discoveryProbing && discovery.error !== this.discoveryProbed) this.discoveryFailed(discovery.prefix, discovery.error);
  }

  record(record: JournalRecord): void {
    if (this.ended || record.type !== 'subscription') return;
    this.channels.set(record.channel, {
      status: record.status,
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.code === undefined ? {} : { code: record.code }),
    });
    if (record.status !== 'failed') return;
    const message = `${record.error ?? `subscription to ${record.channel} failed`}. Hint: ${subscriptionHint(this.options.profile, record.code)}`;
    const given = this.options.profile.channels;
    const watching = [...this.channels.values()].some((channel) => channel.status === 'subscribed');
    const allFailed = !this.options.profile.discover && given.length > 0 && given.every((channel) => this.channels.get(channel)?.status === 'failed') && !watching;
    if (allFailed) {
      const reasons = given.map((channel) => this.channels.get(channel)!.error ?? `subscription to ${channel} failed`);
      const unique = [...new Set(reasons)];
      this.fail(`no channel could be subscribed: ${unique.join('; ')}. Hint: ${subscriptionHint(this.options.profile, record.code)}`);
    } else this.warn(message);
  }

  private discoveryFailed(prefix: string, error: string): void {
    if (this.discoveryWorked) {
      this.warn(error);
      return;
    }
    // The hub's poller says what its client made of the answer; ask the server ourselves to show what it said.
    this.discoveryProbing = true;
    this.discoveryProbed = error;
    void probeDiscovery(this.options.profile, prefix).then(
      (probe) => {
        this.discoveryProbing = false;
        if (this.ended) return;
        if (probe === null) return; // It answers now: the failed poll was passing.
        if (probe.fatal) this.fail(probe.message);
        else this.warn(probe.message);
      },
      (failure: unknown) => {
        this.discoveryProbing = false;
        this.warn(`${error} (${failure instanceof Error ? failure.message : String(failure)})`);
      },
    );
  }

  private armConnectTimer(): void {
    const { connectTimeoutMs, profile } = this.options;
    this.timer = setTimeout(() => {
      if (this.ended) return;
      const dropped = this.everConnected;
      const failed = (reason: string) => {
        if (!this.ended) this.fail(dropped ? `lost the connection and it did not come back: ${reason}` : reason);
      };
      explainNoConnection(profile, connectTimeoutMs, this.lastError).then(failed, (error: unknown) =>
        failed(
          `no connection within ${connectTimeoutMs / 1000}s${this.lastError ? `: ${this.lastError}` : ''} (the diagnosis failed: ${error instanceof Error ? error.message : String(error)})`,
        ),
      );
    }, connectTimeoutMs);
  }

  private warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.options.warn(message);
  }

  private fail(reason: string): void {
    if (this.ended) return;
    this.stop();
    this.options.fatal(reason);
  }
}
