import type { ParsedTopicParams, TopicDelta, TopicState } from '../../../../shared/api';
import type { Monitor } from '../../monitor';
import { Subscribers, type Subscription } from './subscription';

type FleetParams = ParsedTopicParams<'fleet'>;
export type FleetSummaryOf = (params: FleetParams) => TopicState<'fleet'>;

class FleetSubscription implements Subscription {
  dirty = false;
  private sent: string;

  constructor(
    private readonly params: FleetParams,
    snapshot: TopicState<'fleet'>,
    private readonly summaryOf: FleetSummaryOf,
    private readonly leave: (member: FleetSubscription) => void,
  ) {
    this.sent = JSON.stringify(snapshot);
  }

  take(): TopicDelta<'fleet'> | undefined {
    if (!this.dirty) return undefined;
    this.dirty = false;
    const fleet = this.summaryOf(this.params);
    const text = JSON.stringify(fleet);
    if (text === this.sent) return undefined;
    this.sent = text;
    return { fleet };
  }

  close(): void {
    this.leave(this);
  }
}

/** The fleet overview (`fleet.summary`): computed again only after the monitor reported a change, for each subscriber. */
export class FleetTopic {
  private readonly subscribers = new Subscribers<FleetSubscription>();

  constructor(
    monitor: Monitor,
    private readonly summaryOf: FleetSummaryOf,
  ) {
    monitor.onUpdate(() => {
      for (const member of this.subscribers) member.dirty = true;
    });
  }

  get size(): number {
    return this.subscribers.size;
  }

  open(params: FleetParams): { snapshot: TopicState<'fleet'>; subscription: Subscription } {
    const snapshot = this.summaryOf(params);
    const subscription = this.subscribers.add(new FleetSubscription(params, snapshot, this.summaryOf, (member) => this.subscribers.delete(member)));
    return { snapshot, subscription };
  }
}
