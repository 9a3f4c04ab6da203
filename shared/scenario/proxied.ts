import type { ProxyTruth } from '../proxy/truth';
import { publishedEvents, type SessionTruth, type TruthEvent } from './truth';

/**
 * A session as a proxied client was given it (`target: proxy`): the mock's published events —
 * the k-th on the channel is the proxy's event k, since one server published them in order to
 * one subscriber per session — at the times the proxy delivered them, in the order they went out:
 * a copy is a duplicate, a broken payload `malformed`, an event never delivered `dropped`.
 * `expectedAnomalies` reads the result as it reads the mock's own truth. Without a proxied client
 * on the session's channel, the session is returned as it is.
 */
export function proxiedSessionTruth(session: SessionTruth, proxy: ProxyTruth): SessionTruth {
  const client = proxy.clients.find((c) => c.events.some((e) => e.channel === session.channel));
  if (client === undefined) return session;
  const published = publishedEvents(session);
  const placed: Array<{ event: TruthEvent; order: number }> = [];
  for (const event of client.events) {
    if (event.channel !== session.channel) continue;
    const sent = published[event.index - 1];
    if (sent === undefined) continue;
    if (event.deliveries.length === 0) placed.push({ event: { ...sent, t: event.receivedAt, delivery: 'dropped' }, order: 0 });
    for (const delivery of event.deliveries) {
      const delivered: TruthEvent = { ...sent, t: delivery.at, delivery: delivery.as === 'malformed' ? 'malformed' : sent.delivery };
      placed.push({ event: delivered, order: delivery.n });
    }
  }
  // Dropped events are skipped by the reference; the rest in the order they went out.
  placed.sort((a, b) => a.order - b.order);
  return { ...session, events: placed.map((p) => p.event) };
}
