import { readWireFrame, wireRecords, type ConnectionRecord, type JournalRecord } from '../shared/journal';
import type { WireEntry } from './page-capture';

/**
 * What one page's Echo received, as journal records (the same records EchoScope's own client, the
 * HAR reader and the fault proxy write: `shared/journal/wire-records.ts` reads each message), and
 * each channel's broadcasts as they came, for comparing with what the mock published.
 *
 * All the page's sockets are one vantage, `connection`: pusher-js opens a new socket when it
 * reconnects, and a reconnected client is still the same client. Sockets that never spoke the
 * Pusher protocol (a dev server's hot reload) leave no record.
 */

/** A broadcast as it crossed the wire: its event and its `data` as sent (still encoded). */
export interface WireBroadcast {
  at: number;
  event: string;
  data: string;
}

export class PageJournal {
  readonly records: JournalRecord[] = [];
  private readonly pusherSockets = new Set<number>();
  private readonly broadcasts = new Map<string, WireBroadcast[]>();
  private readonly subscribed = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly connection: string,
    readonly pageUrl: () => string,
  ) {}

  add(entry: WireEntry): void {
    if (entry.kind === 'close') {
      if (!this.pusherSockets.has(entry.socket)) return;
      const record: ConnectionRecord = { type: 'connection', at: entry.at, connection: this.connection, state: 'disconnected' };
      if (entry.code !== undefined) record.code = entry.code;
      if (entry.reason) record.reason = entry.reason;
      this.records.push(record);
      this.changed();
      return;
    }
    if (entry.text === undefined) return;
    const frame = readWireFrame(entry.text);
    if (!frame.ok) return;
    if (frame.event === 'pusher:connection_established') this.pusherSockets.add(entry.socket);
    if (!this.pusherSockets.has(entry.socket)) return;
    this.records.push(...wireRecords(frame, entry.kind, entry.at, this.connection));
    if (entry.kind === 'receive' && frame.channel !== undefined) {
      if (frame.event === 'pusher_internal:subscription_succeeded') this.subscribed.add(frame.channel);
      else if (!isProtocolEvent(frame.event)) {
        const list = this.broadcasts.get(frame.channel) ?? [];
        list.push({ at: entry.at, event: frame.event, data: typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data) });
        this.broadcasts.set(frame.channel, list);
      }
    }
    this.changed();
  }

  /** The broadcasts received on a channel, in arrival order. */
  broadcastsOn(channel: string): readonly WireBroadcast[] {
    return this.broadcasts.get(channel) ?? [];
  }

  /** Channels the page's Echo subscribed to (the server confirmed). */
  subscriptions(): string[] {
    return [...this.subscribed];
  }

  /** Called after every record; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function isProtocolEvent(event: string): boolean {
  return event.startsWith('pusher:') || event.startsWith('pusher_internal:');
}
