import type { ParsedTopicParams, TopicDelta, TopicState } from '../../../../shared/api';
import type { FrameRecord, JournalRecord } from '../../../../shared/journal';
import type { FrameTail } from '../frame-tail';
import { Subscribers, type Subscription } from './subscription';

type TailParams = ParsedTopicParams<'tail'>;

function matcher(params: TailParams): (record: JournalRecord) => boolean {
  const types = params.types === undefined ? null : new Set<string>(params.types);
  return (record) =>
    (types === null || types.has(record.type)) &&
    (params.connection === undefined || record.connection === params.connection) &&
    (params.channel === undefined || ('channel' in record && record.channel === params.channel));
}

/** One subscriber's records since its last delta, bounded: past `maxRecords` the oldest go and are counted. */
class TailSubscription implements Subscription {
  private records: JournalRecord[] = [];
  private dropped = 0;

  constructor(
    readonly matches: (record: JournalRecord) => boolean,
    private readonly maxRecords: number,
    private readonly leave: (member: TailSubscription) => void,
  ) {}

  add(record: JournalRecord): void {
    this.records.push(record);
    if (this.records.length > this.maxRecords * 2) this.trim();
  }

  take(): TopicDelta<'tail'> | undefined {
    this.trim();
    if (this.records.length === 0 && this.dropped === 0) return undefined;
    const delta = { items: this.records, dropped: this.dropped };
    this.records = [];
    this.dropped = 0;
    return delta;
  }

  close(): void {
    this.leave(this);
  }

  private trim(): void {
    const excess = this.records.length - this.maxRecords;
    if (excess > 0) {
      this.records = this.records.slice(excess);
      this.dropped += excess;
    }
  }
}

/**
 * The raw record stream (frames, connection and subscription changes) as captured, to the
 * subscribers whose filter it matches. The snapshot is the newest frames that match, from the tail ring.
 */
export class TailTopic {
  private readonly subscribers = new Subscribers<TailSubscription>();

  constructor(
    private readonly ring: FrameTail,
    /** Records a delta carries at most (the journal keeps everything). */
    private readonly maxRecords = 5000,
  ) {}

  get size(): number {
    return this.subscribers.size;
  }

  publish(record: JournalRecord): void {
    for (const subscriber of this.subscribers) if (subscriber.matches(record)) subscriber.add(record);
  }

  open(params: TailParams): { snapshot: TopicState<'tail'>; subscription: Subscription } {
    const matches = matcher(params);
    const items: FrameRecord[] = this.ring.recent(params.keep, matches);
    const subscription = this.subscribers.add(new TailSubscription(matches, this.maxRecords, (member) => this.subscribers.delete(member)));
    return { snapshot: { items, dropped: 0 }, subscription };
  }
}
