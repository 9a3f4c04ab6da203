import { DEFAULT_MAX_PAYLOAD_BYTES } from '../contract/profile';
import { matchesSession } from './expect';
import { SERVER_FAULTS, type Fault } from './faults';
import { sessionIdsOf, type Scenario, type SessionGroup } from './schema';

/**
 * What of a scenario a real server can play (`check --url`). Two kinds of fault only the embedded
 * mock can perform: the session faults the server itself does (`disconnect`, `ping-silence`: a
 * real server cannot be told to close a socket or stop answering pings), and an `oversize` event
 * over Pusher's 10 KB limit (a real server refuses it at its HTTP API with 413, so it never
 * reaches a watcher). The sessions with such faults are set aside, each with why; the rest of the
 * scenario plays as built. A session's plan depends on the scenario's seed and its own id only,
 * so the sessions that remain play exactly as they would beside the others.
 */
export interface RealServerPlay {
  /** The scenario without the set-aside sessions and the expects about them alone; null when nothing is left to play. */
  scenario: Scenario | null;
  /** The sessions set aside (all of them when `scenario` is null), and why. */
  setAside: string[];
  reason: string | null;
}

/** Why a fault can only be played on the embedded mock, or null. */
function mockOnly(fault: Fault): string | null {
  if (SERVER_FAULTS.includes(fault.kind)) return `the session fault ${fault.kind} is performed by the server, which a real server cannot be told to do`;
  if (fault.kind === 'oversize' && fault.bytes > DEFAULT_MAX_PAYLOAD_BYTES)
    return `an oversize event of ${fault.bytes} bytes is over Pusher's ${DEFAULT_MAX_PAYLOAD_BYTES}-byte limit, which a real server enforces at its HTTP API (413), so it would never reach a watcher`;
  return null;
}

export function forRealServer(scenario: Scenario): RealServerPlay {
  const reasons = new Set<string>();
  const setAside: string[] = [];
  const kept: SessionGroup[] = [];
  scenario.sessions.forEach((group, index) => {
    const ids = sessionIdsOf(scenario.name, group, index);
    const why = group.faults.map(mockOnly).filter((reason) => reason !== null);
    if (why.length === 0) {
      // explicit ids: a default idPattern depends on the group's place, which setting others aside would change
      kept.push(group.id !== undefined || group.ids !== undefined ? group : withIds(group, ids));
      return;
    }
    why.forEach((reason) => reasons.add(reason));
    setAside.push(...ids);
  });
  if (setAside.length === 0) return { scenario, setAside, reason: null };
  const reason = `needs the embedded mock: ${[...reasons].join('; ')}`;
  if (kept.length === 0) return { scenario: null, setAside, reason };
  const keptIds = kept.flatMap((group, index) => sessionIdsOf(scenario.name, group, index));
  const expect = scenario.expect.filter((e) => keptIds.some((id) => matchesSession(e.session, id)));
  return { scenario: { ...scenario, sessions: kept, expect }, setAside, reason };
}

function withIds(group: SessionGroup, ids: string[]): SessionGroup {
  const { idPattern: _pattern, count: _count, ...rest } = group;
  return { ...rest, ids };
}
