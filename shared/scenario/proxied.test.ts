import { describe, expect, it } from 'vitest';
import { eventDigest, type ProxyClientTruth, type ProxyTruth, type ProxyTruthEvent } from '../proxy';
import { expectedAnomalies, proxiedSessionTruth, proxyReceivedAll, type SessionTruth, type TruthEvent } from './index';

/**
 * A session through the fault proxy when the proxy closed the client's socket and the client came
 * back on a new one: each socket's events placed in the published stream by their digests, what
 * the server published while the client was away dropped. Built by hand: a 10-token stream, the
 * first socket given #1–#4 and closed after #4, the second given #8–#10 and the terminal.
 */

const CHANNEL = 'private-ai.s1';
const data = (seq: number): string => JSON.stringify({ session_id: 's1', sequence: seq });

function session(): SessionTruth {
  const events: TruthEvent[] = [];
  for (let seq = 1; seq <= 11; seq++)
    events.push({
      t: seq * 5,
      attempt: 1,
      sequence: seq,
      state: seq === 11 ? 'completed' : 'generating',
      chunk: `t${seq}`,
      terminationCode: seq === 11 ? 'end_turn' : null,
      delivery: 'sent',
    });
  return { sessionId: 's1', channel: CHANNEL, group: 0, attempts: 1, outcome: 'completed', finalText: 'x', terminationCode: 'end_turn', events, faults: [] };
}

/** A socket given the published events `seqs`, each delivered once right away. */
function socket(client: number, seqs: number[], at: number, extra: Partial<ProxyClientTruth> = {}): ProxyClientTruth {
  const events: ProxyTruthEvent[] = seqs.map((seq, i) => ({
    channel: CHANNEL,
    event: 'chunk.delivered',
    index: i + 1,
    receivedAt: at + i,
    digest: eventDigest(data(seq)),
    deliveries: [{ at: at + i, n: i + 3, as: 'original' }],
    faults: [],
    ruleSet: 0,
  }));
  return { client, connection: `proxy:${client}`, openedAt: at - 1, events, moments: [], ...extra };
}

const proxyOf = (clients: ProxyClientTruth[]): ProxyTruth => ({ version: 1, kind: 'echoscope-proxy-truth', upstream: 'ws://x', ruleSets: [], clients, truncated: false });
const withDigests = (s: SessionTruth): SessionTruth => ({ ...s, publishedDigests: s.events.map((e) => eventDigest(data(e.sequence))) });

describe('proxiedSessionTruth across the sockets of a client the proxy disconnected', () => {
  const first = socket(1, [1, 2, 3, 4], 1000, {
    closedAt: 1010,
    closedBy: 'proxy',
    closeCode: 4200,
    moments: [{ kind: 'disconnect', at: 1004, channel: CHANNEL, index: 4, rule: 0, ruleSet: 0, code: 4200 }],
  });
  const second = socket(3, [8, 9, 10, 11], 2000);
  // another session's socket, with nothing on this channel
  const other = { ...socket(2, [], 1500) };

  it('places the second socket where its first event was published and drops what fell between', () => {
    const given = proxiedSessionTruth(withDigests(session()), proxyOf([second, other, first]));
    expect(given.events.map((e) => `${e.sequence}${e.delivery === 'dropped' ? '-' : ''}`)).toEqual(['1', '2', '3', '4', '5-', '6-', '7-', '8', '9', '10', '11']);
    expect(given.faults).toEqual([expect.objectContaining({ kind: 'disconnect', attempt: 1, afterSequence: 4, code: 4200, t: 1004 })]);
    const counts = expectedAnomalies(given, { stallAfterMs: 10_000 });
    expect([counts.gap, counts.disconnect, counts.stall]).toEqual([1, 1, 0]);
  });

  it('drops the tail published after the last socket was closed, and says whether all has reached the proxy', () => {
    const truncated = withDigests(session());
    const away = proxyOf([first]);
    const given = proxiedSessionTruth(truncated, away);
    expect(given.events.filter((e) => e.delivery === 'dropped').map((e) => e.sequence)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    // no terminal ever reached the client: the session is still silent when judged
    expect(expectedAnomalies(given, { stallAfterMs: 10_000 }).stall).toBe(1);
    expect(proxyReceivedAll(truncated, away)).toBe(false);
    expect(proxyReceivedAll(truncated, proxyOf([first, second]))).toBe(true);
  });

  it('without digests places each socket right after the one before', () => {
    const given = proxiedSessionTruth(session(), proxyOf([first, socket(2, [5, 6, 7, 8, 9, 10, 11], 2000)]));
    expect(given.events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(given.events.every((e) => e.delivery !== 'dropped')).toBe(true);
  });

  it('counts a socket the client gave up during a ping silence as a disconnect, while the session is open', () => {
    const silence = { kind: 'ping-silence' as const, at: 1003, channel: CHANNEL, index: 4, rule: 0, ruleSet: 0, durationMs: 500 };
    const gaveUp = socket(1, [1, 2, 3, 4], 1000, { closedAt: 1300, closedBy: 'client', moments: [silence] });
    const given = proxiedSessionTruth(withDigests(session()), proxyOf([gaveUp, socket(2, [5, 6, 7, 8, 9, 10, 11], 2000)]));
    expect(given.faults).toEqual([expect.objectContaining({ kind: 'disconnect', afterSequence: 4, t: 1300 })]);
    // closed by the client after the silence ended (its own reasons), or closed by the server: not the silence's doing
    for (const other of [
      { closedAt: 1600, closedBy: 'client' as const },
      { closedAt: 1300, closedBy: 'upstream' as const },
    ]) {
      const socket1 = { ...gaveUp, ...other };
      expect(proxiedSessionTruth(withDigests(session()), proxyOf([socket1, socket(2, [5, 6, 7, 8, 9, 10, 11], 2000)])).faults).toEqual([]);
    }
    // given up after the terminal had reached the client: no open session lost anything
    const whole = socket(1, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 1000, { closedAt: 1050, closedBy: 'client', moments: [{ ...silence, index: 11, at: 1011 }] });
    expect(proxiedSessionTruth(withDigests(session()), proxyOf([whole])).faults).toEqual([]);
  });

  it('tells repeated payloads apart by the run that follows them', () => {
    // #2 published twice with the same data (a redelivery): the second socket starts at the copy, not at #2
    const base = session();
    const events = [...base.events.slice(0, 2), { ...base.events[1]! }, ...base.events.slice(2)];
    const repeated: SessionTruth = { ...base, events };
    const digests = events.map((e) => eventDigest(data(e.sequence)));
    const cut = socket(1, [1, 2], 1000, { moments: [{ kind: 'disconnect', at: 1002, channel: CHANNEL, index: 2, rule: 0, ruleSet: 0, code: 4200 }] });
    const back = socket(2, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 2000);
    const given = proxiedSessionTruth({ ...repeated, publishedDigests: digests }, proxyOf([cut, back]));
    expect(given.events.map((e) => `${e.sequence}${e.delivery === 'dropped' ? '-' : ''}`)).toEqual(['1', '2', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
  });
});
