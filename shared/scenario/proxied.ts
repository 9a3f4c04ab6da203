import type { ProxyClientTruth, ProxyTruth, ProxyTruthEvent } from '../proxy/truth';
import { publishedEvents, type SessionTruth, type TruthEvent, type TruthFault } from './truth';

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
 * A `target: proxy` session as EchoScope was given it: the server's published events through
 * the proxied sockets that carried the session's channel, one after another — a client the proxy
 * disconnected comes back on a new socket, which the server only sends what it published after
 * the new subscription. Each socket gets a contiguous run of the published stream (one server,
 * published in order); with `publishedDigests` (the digests of the data the server was given, in
 * publish order) a later socket's run is placed by its first event's digest, and what the server
 * published between two sockets — to nobody — is `dropped`. Each disconnect the proxy made is a
 * `disconnect` fault of the session, and so is a socket the client itself gave up during a ping
 * silence (its pong never came: the proxy saw the client close it) — while the session is open,
 * before its terminal reached the client, as the analyzer counts drops; what came after the last socket's run went to nobody too. Without digests, every socket is placed after the one before
 * (right when no event fell between them).
 */
export function proxiedSessionTruth(session: SessionTruth, proxy: ProxyTruth): SessionTruth {
  const runs = socketRuns(session, proxy);
  if (runs.length === 0) return session;
  const published = publishedEvents(session);
  const events: TruthEvent[] = [];
  const drops: TruthFault[] = [];
  let cursor = 0;
  for (const { client, start, length } of runs) {
    const lastT = events.at(-1)?.t ?? client.openedAt;
    for (const lost of published.slice(cursor, start)) events.push({ ...lost, t: lastT, delivery: 'dropped' });
    const run = published.slice(start, start + length);
    events.push(...deliveredThrough(session, run, client).events);
    for (const moment of client.moments) {
      if (moment.channel !== session.channel) continue;
      const after = run[moment.index - 1];
      const place = { attempt: after?.attempt ?? 1, afterSequence: after?.sequence ?? 0 };
      if (moment.kind === 'disconnect')
        drops.push({ kind: 'disconnect', ...place, t: moment.at, code: moment.code, detail: `closed by the fault proxy with ${moment.code ?? 'a close'}` });
      // the client gave up on the socket while its pings went unanswered: a drop as much as a close is
      else if (client.closedBy === 'client' && client.closedAt !== undefined && client.closedAt >= moment.at && client.closedAt <= moment.at + (moment.durationMs ?? 0))
        drops.push({
          kind: 'disconnect',
          ...place,
          t: client.closedAt,
          detail: `the client gave up on its socket ${Math.round(client.closedAt - moment.at)} ms into a ping silence`,
        });
    }
    cursor = Math.max(cursor, start + length);
  }
  // published after the last socket's run: to nobody (the client was away when the stream ended)
  const lastT = events.at(-1)?.t ?? 0;
  for (const lost of published.slice(cursor)) events.push({ ...lost, t: lastT, delivery: 'dropped' });
  // a drop after the session's terminal reached the client concerns no open session
  const ended = events.find((e) => e.delivery !== 'dropped' && e.delivery !== 'malformed' && e.state !== 'generating')?.t ?? Number.POSITIVE_INFINITY;
  return { ...session, events, faults: [...session.faults, ...drops.filter((drop) => drop.t < ended)] };
}

/** Every event the server published on the session's channel has reached the proxy on one of the client's sockets (or went to nobody between two). */
export function proxyReceivedAll(session: SessionTruth, proxy: ProxyTruth): boolean {
  const last = socketRuns(session, proxy).at(-1);
  return last !== undefined && last.start + last.length >= publishedEvents(session).length;
}

interface SocketRun {
  client: ProxyClientTruth;
  /** Where in the published stream its events begin, and how many it got. */
  start: number;
  length: number;
}

/** The sockets that carried the session's channel, in the order they connected, each placed in the published stream. */
function socketRuns(session: SessionTruth, proxy: ProxyTruth): SocketRun[] {
  const runs: SocketRun[] = [];
  let cursor = 0;
  for (const client of [...proxy.clients].sort((a, b) => a.client - b.client)) {
    const own = client.events.filter((e) => e.channel === session.channel);
    if (own.length === 0) continue;
    const start = session.publishedDigests === undefined ? cursor : runStart(session.publishedDigests, own, cursor);
    runs.push({ client, start, length: own.length });
    cursor = Math.max(cursor, start + own.length);
  }
  return runs;
}

/** Where a socket's run begins in the published stream: the first place at or after `from` whose digests match its events'. */
function runStart(digests: readonly string[], own: readonly ProxyTruthEvent[], from: number): number {
  const probe = own.slice(0, 8).map((e) => e.digest);
  if (probe[0] === undefined) return from;
  for (let start = from; start < digests.length; start++) {
    if (probe.every((digest, k) => digest === undefined || digests[start + k] === digest)) return start;
  }
  return from;
}

/** Every event delivered, or dropped / broken without a resend: nothing is still held or delayed. */
export function proxySettled(client: ProxyClientTruth): boolean {
  return client.events.every((e) => e.deliveries.length > 0 || e.faults.some((f) => f.kind === 'drop' || f.kind === 'malformed'));
}
