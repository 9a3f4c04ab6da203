import type { ParsedTopicParams, TopicName } from '../../../../shared/api';
import type { Monitor } from '../../monitor';
import type { AnalysisTopic, AnalysisTopicRequest } from '../../engine/engine';
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

/** The topics live analysis keeps (the session detail, the Live window, the fleet): the engine's, over its monitor. */
export class AnalysisTopics {
  readonly session: SessionTopic;
  readonly live: LiveTopic;
  readonly fleet: FleetTopic;

  constructor(monitor: Monitor, fleetSummary: FleetSummaryOf) {
    this.session = new SessionTopic(monitor);
    this.live = new LiveTopic(monitor);
    this.fleet = new FleetTopic(monitor, fleetSummary);
  }

  async open(request: AnalysisTopicRequest): Promise<{ snapshot: unknown; subscription: Subscription }> {
    switch (request.topic) {
      case 'session':
        return this.session.open(request.params);
      case 'live':
        return this.live.open(request.params);
      case 'fleet':
        return this.fleet.open(request.params);
    }
  }
}

/** Opens a subscription to one of live analysis' topics (the engine's, wherever it runs). */
export type OpenAnalysisTopic = (request: AnalysisTopicRequest) => Promise<{ snapshot: unknown; subscription: Subscription }>;

/**
 * Every topic of the App API's subscriptions, on one host: the frame tail here, on the capture
 * thread; the others opened in the engine. Counts what is open, per topic.
 */
export class Topics {
  readonly tail: TailTopic;
  private readonly open_ = new Map<AnalysisTopic, number>();

  constructor(
    ring: FrameTail,
    private readonly openAnalysis: OpenAnalysisTopic,
    maxRecords?: number,
  ) {
    this.tail = new TailTopic(ring, maxRecords);
  }

  async open(request: TopicRequest): Promise<{ snapshot: unknown; subscription: Subscription }> {
    if (request.topic === 'tail') return this.tail.open(request.params);
    const topic = request.topic;
    const { snapshot, subscription } = await this.openAnalysis(request);
    this.open_.set(topic, (this.open_.get(topic) ?? 0) + 1);
    let closed = false;
    return {
      snapshot,
      subscription: {
        take: () => subscription.take(),
        close: () => {
          if (closed) return;
          closed = true;
          this.open_.set(topic, (this.open_.get(topic) ?? 1) - 1);
          subscription.close();
        },
      },
    };
  }

  /** Open subscriptions of one topic, or of all. */
  count(topic?: TopicName): number {
    if (topic === 'tail') return this.tail.size;
    if (topic !== undefined) return this.open_.get(topic) ?? 0;
    let count = this.tail.size;
    for (const open of this.open_.values()) count += open;
    return count;
  }
}
