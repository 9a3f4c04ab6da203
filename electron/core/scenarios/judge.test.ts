// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../shared/scenario';
import { checkInVirtualTime } from '../../../test-support/virtual-check';
import { MAX_PICTURES, SessionFrames } from './judge';
import { formatHtml } from './reporters/html';
import { withoutPictures } from './reporters/output';

/**
 * What check keeps for the HTML report's charts is bounded: frames by a budget for the run,
 * pictures by a count per scenario (failing sessions first). Played in virtual time
 * (test-support/virtual-check.ts); the counts below follow from how each case is built.
 */

const frame = (channel: string, at: number) => ({ type: 'frame' as const, at, connection: 'c1', channel, event: 'chunk.delivered', data: {} });

describe('the frames check keeps for charts', () => {
  it('keeps every frame of a channel within the budget, and none of a channel that went past it', () => {
    const frames = new SessionFrames(5);
    for (let i = 0; i < 3; i++) frames.add(frame('private-ai.a', i));
    for (let i = 0; i < 3; i++) frames.add(frame('private-ai.b', 10 + i));
    expect(frames.of('private-ai.a')!.map((f) => f.at)).toEqual([0, 1, 2]);
    expect(frames.of('private-ai.b')).toBeNull(); // its third frame did not fit: no partial chart
    frames.add(frame('private-ai.c', 20));
    expect(frames.of('private-ai.c')).toBeNull();
    expect(frames.of('private-ai.unseen')).toEqual([]);
  });

  it('lists a session whose frames were not all kept with its counts and a note instead of charts', () => {
    // 10 tokens, one re-sent, and a terminal: 12 frames a session; b starts once a has ended
    const scenario = parseScenario({
      name: 'budget',
      seed: 3,
      tokens: 10,
      timing: { ttftMs: 5, interTokenMs: 3 },
      sessions: [
        { id: 'a', faults: [{ kind: 'duplicate', sequences: [2] }] },
        { id: 'b', startMs: 500, faults: [{ kind: 'duplicate', sequences: [2] }] },
      ],
    });
    // a's 12 frames fit in 20; b's 9th frame would be the 21st
    const { report } = checkInVirtualTime(scenario, { frameBudget: 20 });
    const pictures = report.scenarios[0]!.sessions.map((s) => [s.sessionId, s.picture?.view ? 'drawn' : 'note']);
    expect(pictures).toEqual([
      ['a', 'drawn'],
      ['b', 'note'],
    ]);
    const doc = new DOMParser().parseFromString(formatHtml(report), 'text/html');
    for (const [sessionId, picture] of pictures) {
      const article = doc.querySelector(`article[data-session="${sessionId}"]`)!;
      expect(article.querySelectorAll('figure[data-testid="chart-timeline"]').length).toBe(picture === 'drawn' ? 1 : 0);
      if (picture === 'note') expect(article.textContent).toContain('Charts not drawn: the run received more than 20 frames');
    }
  });
});

describe('the sessions the report draws', () => {
  // MAX_PICTURES + 2 sessions, each with a re-sent token (anomalous); the last one also fails its expectation.
  const ids = Array.from({ length: MAX_PICTURES + 2 }, (_, i) => `s${i + 1}`);
  const last = ids[ids.length - 1]!;
  const scenario = parseScenario({
    name: 'many',
    seed: 9,
    tokens: 3,
    timing: { ttftMs: 1, interTokenMs: 1 },
    sessions: [{ ids, faults: [{ kind: 'duplicate', sequences: [1] }] }],
    expect: [{ session: last, counts: { duplicates: '==0' } }],
  });
  const { report } = checkInVirtualTime(scenario);
  const sessions = report.scenarios[0]!.sessions;

  it(`draws ${MAX_PICTURES} per scenario, failing ones first, and names the rest`, () => {
    const drawn = sessions.filter((s) => s.picture?.view).map((s) => s.sessionId);
    expect(drawn.length).toBe(MAX_PICTURES);
    expect(drawn).toContain(last); // the failing one, though it comes last
    const undrawn = sessions.filter((s) => s.picture && s.picture.view === null);
    expect(undrawn.map((s) => s.sessionId)).toEqual([ids[MAX_PICTURES - 1], ids[MAX_PICTURES]]);
    for (const s of undrawn) expect(s.picture!.note).toContain(`the first ${MAX_PICTURES} failing or anomalous sessions`);
  });

  it('keeps the pictures out of report.json, and each session its watched time', () => {
    const json = JSON.parse(JSON.stringify(withoutPictures(report))) as typeof report;
    expect(JSON.stringify(json)).not.toContain('"picture"');
    // 3 tokens 1 ms apart, then the terminal 1 ms later: 3 ms from the first event to the terminal
    for (const session of json.scenarios[0]!.sessions) expect(session.durationMs).toBe(3);
  });
});
