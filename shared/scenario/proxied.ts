import type { ProxyClientTruth, ProxyTruth } from '../proxy/truth';
import { publishedEvents, type SessionTruth, type TruthEvent } from './truth';

/**
 * A session as one proxied client was given it: the events published to it (`published`, in
 * publish order — the k-th is the k-th the proxy got of that channel and event: one server, one
 * subscriber, published in order) placed at the times the proxy delivered them, in the order they
 * went out: a copy is a duplicate, a broken payload `malformed`, an event never delivered
 * `dropped`. `expectedAnomalies` reads the result as it reads the mock's own truth.
 */
export function deliveredThrough(session: SessionTruth, published: readonly TruthEvent[], client: ProxyClientTruth, channel = session.channel, eventName?: string): SessionTruth {
  const placed: Array<{ event: TruthEvent; order: number }> = [];
  const events = client.events.filter((e) => e.channel === channel && (eventName === undefined || e.event === eventName));
  for (const [k, event] of events.entries()) {
    const sent = published[k];
    if (sent === undefined) continue;
    if (event.deliveries.length === 0) placed.push({ event: { ...sent, t: event.receivedAt, delivery: 'dropped' }, order: 0 });
    for (const delivery of event.deliveries)
      placed.push({ event: { ...sent, t: delivery.at, delivery: delivery.as === 'malformed' ? 'malformed' : sent.delivery }, order: delivery.n });
  }
  // Dropped events are skipped by the reference; the rest in the order they went out.
  placed.sort((a, b) => a.order - b.order);
  return { ...session, events: placed.map((p) => p.event) };
}

/**
 * A `target: proxy` session as EchoScope was given it: the mock's published events through the
 * proxied client on the session's channel (the session as it is when no client had it).
 */
export function proxiedSessionTruth(session: SessionTruth, proxy: ProxyTruth): SessionTruth {
  const client = proxy.clients.find((c) => c.events.some((e) => e.channel === session.channel));
  return client === undefined ? session : deliveredThrough(session, publishedEvents(session), client);
}

/** Every event delivered, or dropped / broken without a resend: nothing is still held or delayed. */
export function proxySettled(client: ProxyClientTruth): boolean {
  return client.events.every((e) => e.deliveries.length > 0 || e.faults.some((f) => f.kind === 'drop' || f.kind === 'malformed'));
}
