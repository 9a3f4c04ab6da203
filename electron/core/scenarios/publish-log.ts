import { eventDataText, eventDigest } from '../../../shared/proxy';
import type { SimulatorTarget } from '../../mock/simulator';

/**
 * What the simulator handed the server, per channel in publish order, as `eventDigest`s of each
 * event's data text (the server sends that text on unchanged): with `target: proxy`, the judge
 * places each of a client's proxied sockets in the published stream by them
 * (`SessionTruth.publishedDigests`, shared/scenario/proxied.ts).
 */
export class PublishLog {
  private readonly byChannel = new Map<string, string[]>();

  /** The target, its publishes written down on the way. */
  around(target: SimulatorTarget): SimulatorTarget {
    return {
      generations: target.generations,
      publish: (request) => {
        const channels = request.channels ?? (request.channel === undefined ? [] : [request.channel]);
        const digest = eventDigest(eventDataText(request.data));
        for (const channel of channels) {
          const list = this.byChannel.get(channel) ?? [];
          list.push(digest);
          this.byChannel.set(channel, list);
        }
        return target.publish(request);
      },
      subscriberCount: (channel, appId) => target.subscriberCount(channel, appId),
      onSubscribed: (listener) => target.onSubscribed(listener),
      closeConnections: (filter, code, reason) => target.closeConnections(filter, code, reason),
      silencePings: (filter, durationMs) => target.silencePings(filter, durationMs),
    };
  }

  digests(channel: string): string[] {
    return [...(this.byChannel.get(channel) ?? [])];
  }
}
