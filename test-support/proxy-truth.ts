import type { ProxyClientTruth } from '../shared/proxy';
import type { SessionTruth, TruthEvent } from '../shared/scenario';

/**
 * A session as one proxied client was given it: the events the test published (the k-th is the
 * k-th the proxy got of that channel and event: one server, one subscriber, published in order) placed at the
 * times the proxy delivered them, in delivery order — a copy a duplicate, a broken payload
 * malformed, an event never delivered as dropped. `expectedAnomalies` (the reference `check`
 * scores by) reads it.
 */
export function proxiedSessionTruth(session: SessionTruth, published: TruthEvent[], client: ProxyClientTruth, channel = session.channel, eventName?: string): SessionTruth {
  const placed: Array<TruthEvent & { order: number }> = [];
  const events = client.events.filter((e) => e.channel === channel && (eventName === undefined || e.event === eventName));
  for (const [k, event] of events.entries()) {
    const sent = published[k]!;
    if (event.deliveries.length === 0) placed.push({ ...sent, t: event.receivedAt, delivery: 'dropped', order: 0 });
    for (const delivery of event.deliveries) placed.push({ ...sent, t: delivery.at, delivery: delivery.as === 'malformed' ? 'malformed' : 'sent', order: delivery.n });
  }
  // dropped events are skipped by the reference; the rest in the order they went out
  placed.sort((a, b) => a.order - b.order);
  return { ...session, events: placed.map(({ order: _order, ...event }) => event) };
}

/** Every event delivered, or dropped / broken without a resend: nothing is still held or delayed. */
export function proxySettled(client: ProxyClientTruth): boolean {
  return client.events.every((e) => e.deliveries.length > 0 || e.faults.some((f) => f.kind === 'drop' || f.kind === 'malformed'));
}
