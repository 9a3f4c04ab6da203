import { describe, expect, it } from 'vitest';
import { forRealServer, ScenarioSchema, sessionIdsOf, type Scenario } from '../../../shared/scenario';
import { builtinScenario } from '../scenarios';
import { planSession } from './plan';

/** `check --url`: which sessions of a scenario a real server can play, and that the rest play as built. */

const builtin = (name: string): Scenario => ScenarioSchema.parse(builtinScenario(name));

/** Every session's planned truth, by id. */
function plans(scenario: Scenario): Map<string, unknown> {
  const out = new Map<string, unknown>();
  scenario.sessions.forEach((group, g) => sessionIdsOf(scenario.name, group, g).forEach((id, i) => out.set(id, planSession(scenario, g, id, i).truth.events)));
  return out;
}

describe('forRealServer', () => {
  it('plays a scenario without mock-only faults as it is', () => {
    const scenario = builtin('crash-retry');
    expect(forRealServer(scenario)).toEqual({ scenario, setAside: [], reason: null });
  });

  it('sets a whole scenario aside when every session needs the mock, naming the fault', () => {
    const scenario = ScenarioSchema.parse({ name: 'quiet', sessions: [{ count: 2, faults: [{ kind: 'ping-silence', afterTokens: 5, durationMs: 100 }] }] });
    const play = forRealServer(scenario);
    expect(play.scenario).toBeNull();
    expect(play.setAside).toEqual(['quiet-1', 'quiet-2']);
    expect(play.reason).toBe('needs the embedded mock: the session fault ping-silence is performed by the server, which a real server cannot be told to do');
  });

  it('plays the steady session of disconnect and sets the dropped one aside', () => {
    const play = forRealServer(builtin('disconnect'));
    expect(play.setAside).toEqual(['dropped-4009']);
    expect(play.scenario!.sessions.map((g) => g.id)).toEqual(['steady']);
    expect(play.scenario!.expect.map((e) => e.session)).toEqual(['steady']);
  });

  it('sets aside only the oversize session of malformed, with its expects, and the others plan exactly as before', () => {
    const full = builtin('malformed');
    const play = forRealServer(full);
    expect(play.setAside).toEqual(['oversize']);
    expect(play.reason).toContain("12000 bytes is over Pusher's 10240-byte limit");
    const kept = play.scenario!;
    expect(kept.expect.some((e) => e.session === 'oversize')).toBe(false);
    expect(kept.expect.length).toBe(full.expect.filter((e) => e.session !== 'oversize').length);
    const before = plans(full);
    const after = plans(kept);
    expect([...after.keys()]).toEqual([...before.keys()].filter((id) => id !== 'oversize'));
    for (const [id, events] of after) expect(events, id).toEqual(before.get(id));
  });

  it('keeps the ids of a group named by its place when an earlier group is set aside', () => {
    const scenario = ScenarioSchema.parse({
      name: 'places',
      sessions: [{ faults: [{ kind: 'ping-silence', afterTokens: 5, durationMs: 100 }] }, { count: 2, faults: [{ kind: 'crash', afterTokens: 5, retry: {} }] }],
      expect: [
        { session: 'places-g2-*', status: 'completed' },
        { session: 'places-1', status: 'stalled' },
      ],
    });
    const play = forRealServer(scenario);
    expect(play.setAside).toEqual(['places-1']);
    expect(sessionIdsOf('places', play.scenario!.sessions[0]!, 0)).toEqual(['places-g2-1', 'places-g2-2']);
    expect(play.scenario!.expect.map((e) => e.session)).toEqual(['places-g2-*']);
    expect(plans(play.scenario!)).toEqual(new Map([...plans(scenario)].filter(([id]) => id !== 'places-1')));
  });

  it('lets an oversize event within the limit play on a real server', () => {
    const scenario = ScenarioSchema.parse({ name: 'small', sessions: [{ id: 's', faults: [{ kind: 'oversize', sequences: [2], bytes: 9000 }] }] });
    expect(forRealServer(scenario).setAside).toEqual([]);
  });
});
