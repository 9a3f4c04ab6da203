import type { ParsedTopicParams, TopicName } from '../../../../shared/api';
import type { Monitor } from '../../monitor';
import type { FrameTail } from '../frame-tail';
import { FleetTopic, type FleetSummaryOf } from './fleet-topic';
import { LiveTopic } from './live-topic';
import { SessionTopic } from './session-topic';
import type { Subscription } from './subscription';
import { TailTopic } from './tail-topic';

export type { Subscription } from './subscription';
export { sessionDetail } from './session-topic';

/** A subscription request as validated at the boundary. */
export type TopicRequest = { [T in TopicName]: { topic: T; params: ParsedTopicParams<T> } }[TopicName];

/** Every topic of the App API's subscriptions, on one host. */
export class Topics {
  readonly tail: TailTopic;
  readonly session: SessionTopic;
  readonly live: LiveTopic;
  readonly fleet: FleetTopic;

  constructor(monitor: Monitor, ring: FrameTail, fleetSummary: FleetSummaryOf, maxRecords?: number) {
    this.tail = new TailTopic(ring, maxRecords);
    this.session = new SessionTopic(monitor);
    this.live = new LiveTopic(monitor);
    this.fleet = new FleetTopic(monitor, fleetSummary);
  }

  async open(request: TopicRequest): Promise<{ snapshot: unknown; subscription: Subscription }> {
    switch (request.topic) {
      case 'tail':
        return this.tail.open(request.params);
      case 'session':
        return this.session.open(request.params);
      case 'live':
        return this.live.open(request.params);
      case 'fleet':
        return this.fleet.open(request.params);
    }
  }

  /** Open subscriptions of one topic, or of all. */
  count(topic?: TopicName): number {
    if (topic !== undefined) return this[topic].size;
    return this.tail.size + this.session.size + this.live.size + this.fleet.size;
  }
}
