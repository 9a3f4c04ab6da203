import { vantageKeyOf } from '../../../shared/analysis';
import type { JournalRecord } from '../../../shared/journal';
import type { Ordered } from './held-frames';

/**
 * The records that belong to no session — connection state changes, subscriptions, connection-level
 * protocol frames — kept so a re-analysis (a settings or contract change) sees the context of the
 * sessions it replays: whether a vantage was subscribed, when it dropped. Bounded: what is older than
 * every session still held is only worth its latest state per connection (and channel), and a
 * channel left long ago is worth nothing.
 */
export class ContextLog {
  private entries: Ordered[] = [];
  private prunedAt = 0;

  constructor(
    /** The ingest order of the oldest frame still held (Infinity when none is). */
    private readonly oldestHeld: () => number,
    private readonly cap = 100_000,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  add(record: JournalRecord, order: number): void {
    this.entries.push({ order, record });
    if (this.entries.length >= Math.max(1024, this.prunedAt * 2)) this.prune(this.oldestHeld());
  }

  /**
   * Keeps every record from `oldestHeld` (the ingest order of the oldest frame still held) on,
   * and of the older ones the latest per connection and per connection + channel, unless that
   * latest says the channel was left. Past the cap, the oldest go.
   */
  prune(oldestHeld: number): void {
    const latest = new Map<string, Ordered>();
    const kept: Ordered[] = [];
    for (const entry of this.entries) {
      if (entry.order >= oldestHeld) kept.push(entry);
      else latest.set(stateKey(entry.record), entry);
    }
    const older = [...latest.values()].filter((entry) => !(entry.record.type === 'subscription' && entry.record.status === 'unsubscribed'));
    this.entries = [...older.sort((a, b) => a.order - b.order), ...kept];
    if (this.entries.length > this.cap) this.entries = this.entries.slice(this.entries.length - this.cap);
    this.prunedAt = this.entries.length;
  }

  /**
   * What a session's read-back needs of its time, scanned back from the newest (at most
   * `scanLimit` entries): its vantages' connection changes from `from` to `to` and the last one
   * before (whether it was connected), and its channels' subscriptions then and the last one
   * before (whether it was subscribed from the start). Oldest first.
   */
  around(vantages: ReadonlySet<string>, channels: ReadonlySet<string>, from: number, to: number, scanLimit = 10_000): JournalRecord[] {
    const found: JournalRecord[] = [];
    const before = new Set<string>();
    const wanted = vantages.size * (channels.size + 1);
    for (let i = this.entries.length - 1, scanned = 0; i >= 0 && scanned < scanLimit; i--, scanned++) {
      const record = this.entries[i]!.record;
      const vantage = vantageKeyOf(record);
      if (!vantages.has(vantage) || record.at > to) continue;
      if (record.type === 'frame' || (record.type === 'subscription' && !channels.has(record.channel))) continue;
      if (record.at >= from) {
        found.push(record);
        continue;
      }
      const key = record.type === 'connection' ? vantage : `${vantage}\u0000${record.channel}`;
      if (before.has(key)) continue;
      before.add(key);
      found.push(record);
      if (before.size >= wanted) break;
    }
    return found.reverse();
  }

  ordered(): readonly Ordered[] {
    return this.entries;
  }
}

function stateKey(record: JournalRecord): string {
  const vantage = `${record.source ?? ''}\u0000${record.connection}`;
  if (record.type === 'connection') return `c\u0000${vantage}`;
  if (record.type === 'subscription') return `s\u0000${vantage}\u0000${record.channel}`;
  return `f\u0000${vantage}\u0000${record.channel ?? ''}\u0000${record.event}`;
}
