import { expect as base, type ExpectMatcherState, type MatcherReturnType } from '@playwright/test';
import type { SessionStatus, SessionVerdict } from '../shared/analysis';
import { correctText, excerpt, firstDifference, renderedTwice } from './rendered';
import { EchoscopeSession, type Settled } from './session';

/**
 * `expect(echoscope.session(id))…`: what the page's own Echo received and what the page shows,
 * held against the ground truth of the scenario the mock played. Each matcher first waits for the
 * session to be over on the page (everything published, everything received), as Playwright's
 * own assertions wait, up to the assertion's timeout; a failure says what the page got, what the
 * mock sent and what to look at.
 */

export interface EchoscopeMatcherOptions {
  /** How long to wait for the session to be over on the page (default: the `expect` timeout). */
  timeout?: number;
}

/** How long a rendered text must stay the same, once the session is over, before it is judged final. */
const RENDER_STABLE_MS = 500;
const RETRY_INTERVALS_MS = [50, 100, 250];

const now = (): number => performance.timeOrigin + performance.now();

function sessionOf(received: unknown, matcher: string): EchoscopeSession {
  if (received instanceof EchoscopeSession) return received;
  throw new Error(`${matcher}: expect() was not given a session — use expect(echoscope.session('ID')).${matcher}()`);
}

function hint(state: ExpectMatcherState, matcher: string, expected = ''): string {
  return state.utils.matcherHint(matcher, 'echoscope.session(id)', expected, { isNot: state.isNot });
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function summary(verdict: SessionVerdict | undefined): string {
  if (verdict === undefined) return 'no event of the session';
  const parts = [
    `status ${verdict.status}${verdict.terminationCode ? ` (${verdict.terminationCode})` : ''}`,
    count(verdict.events, 'event'),
    `${count(verdict.uniqueSequences, 'sequence')} up to #${verdict.maxSequence}`,
    count(verdict.duplicates, 'duplicate'),
    count(verdict.replays, 'replay'),
    `${verdict.missing} missing`,
  ];
  if (verdict.afterTerminal > 0) parts.push(`${verdict.afterTerminal} after the terminal event`);
  if (verdict.violations > 0) parts.push(count(verdict.violations, 'violation'));
  if (verdict.disconnects > 0) parts.push(count(verdict.disconnects, 'disconnect'));
  if (verdict.stalls > 0) parts.push(count(verdict.stalls, 'stall'));
  return parts.join(', ');
}

function mockSide(session: EchoscopeSession): string {
  const truth = session.truth();
  const faults = truth.faults
    .filter((f) => f.applied !== false && f.kind !== 'retry')
    .map((f) => `${f.kind} (attempt ${f.attempt}${f.afterSequence === undefined ? '' : `, after #${f.afterSequence}`})`);
  return `the mock: ${truth.attempts} attempt${truth.attempts === 1 ? '' : 's'}, record ${truth.outcome}${truth.terminationCode ? ` (${truth.terminationCode})` : ''}, faults: ${faults.length === 0 ? 'none' : faults.join(', ')}`;
}

function incomplete(settled: Settled): string[] {
  return settled.complete ? [] : ['', `Not over yet: ${settled.problem}`];
}

/** Reads the rendered text until `judge` passes (as the matcher wants) or it has stayed the same for RENDER_STABLE_MS, or the deadline. */
async function readRendered<T extends { pass: boolean }>(
  state: ExpectMatcherState,
  session: EchoscopeSession,
  deadline: number,
  judge: (text: string) => T,
): Promise<{ text: string; result: T }> {
  let text = await session.rendered();
  let result = judge(text);
  let since = now();
  for (let attempt = 0; result.pass === state.isNot && now() < deadline && now() - since < RENDER_STABLE_MS; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVALS_MS[Math.min(attempt, RETRY_INTERVALS_MS.length - 1)]));
    const next = await session.rendered();
    if (next !== text) since = now();
    text = next;
    result = judge(text);
  }
  return { text, result };
}

export const echoscopeMatchers = {
  /** The page's Echo received the session ending in `status` (EchoScope's verdict over the page's frames, DESIGN §5). */
  async toHaveStatus(this: ExpectMatcherState, received: EchoscopeSession, status: SessionStatus, options: EchoscopeMatcherOptions = {}): Promise<MatcherReturnType> {
    const session = sessionOf(received, 'toHaveStatus');
    const timeout = options.timeout ?? this.timeout;
    const deadline = now() + timeout;
    const settled = await session.settle(timeout);
    const verdict = await session.finalVerdict(deadline, (v) => (v?.status === status) !== this.isNot);
    const actual = verdict?.status ?? 'no event of the session';
    const pass = actual === status;
    return {
      name: 'toHaveStatus',
      pass,
      expected: status,
      actual,
      message: () =>
        [
          hint(this, 'toHaveStatus', JSON.stringify(status)),
          '',
          `Session ${session.sessionId} on ${session.channel}: ${this.isNot ? 'expected any status but' : 'expected status'} ${status}, ${session.where} got ${actual}.`,
          `  received: ${summary(verdict)}`,
          `  ${mockSide(session)}`,
          ...incomplete(settled),
        ].join('\n'),
    };
  },

  /**
   * What the page shows for the session holds no chunk twice that the mock delivered twice: a
   * crash + retry's replay, a duplicate delivery. Read with the fixture's `render`, compared with
   * the correct text from the ground truth.
   */
  async toHaveNoDuplicatesRendered(this: ExpectMatcherState, received: EchoscopeSession, options: EchoscopeMatcherOptions = {}): Promise<MatcherReturnType> {
    const session = sessionOf(received, 'toHaveNoDuplicatesRendered');
    const timeout = options.timeout ?? this.timeout;
    const deadline = now() + timeout;
    const settled = await session.settle(timeout);
    const truth = session.truth();
    const correct = correctText(truth);
    const { text, result } = await readRendered(this, session, deadline, (rendered) => {
      const twice = renderedTwice(truth, rendered);
      return { pass: twice.length === 0, twice };
    });
    return {
      name: 'toHaveNoDuplicatesRendered',
      pass: result.pass,
      message: () => {
        if (this.isNot)
          return [
            hint(this, 'toHaveNoDuplicatesRendered'),
            '',
            `Session ${session.sessionId}: expected the page to render a redelivered chunk again, it did not.`,
            `  rendered: ${excerpt(text)}`,
          ].join('\n');
        const lines = [
          hint(this, 'toHaveNoDuplicatesRendered'),
          '',
          `Session ${session.sessionId} on ${session.channel}: the page shows tokens again that the mock delivered again:`,
        ];
        for (const run of result.twice) {
          const range = run.from === run.to ? `sequence ${run.from}` : `sequences ${run.from}–${run.to}`;
          lines.push(`  - ${range}, ${run.cause}: ${excerpt(run.text)} is in the rendered text ${run.rendered}×, in the correct text ${run.expected}×`);
        }
        lines.push(
          `  rendered (${text.length} chars): ${excerpt(text, 0, 100)}`,
          `  correct (${correct.text.length} chars, ${correct.source}): ${excerpt(correct.text, 0, 100)}`,
          `  ${mockSide(session)}`,
          '',
          'The page shows every chunk it receives. A retried job re-sends its tokens from sequence 1: keep one chunk per `sequence` (the first), and treat a lower sequence after higher ones as a restart, not new text.',
          ...incomplete(settled),
        );
        return lines.join('\n');
      },
    };
  },

  /** What the page shows for the session is the correct text from the ground truth (the record's final_text), character for character. */
  async toHaveRenderedCorrectText(this: ExpectMatcherState, received: EchoscopeSession, options: EchoscopeMatcherOptions = {}): Promise<MatcherReturnType> {
    const session = sessionOf(received, 'toHaveRenderedCorrectText');
    const timeout = options.timeout ?? this.timeout;
    const deadline = now() + timeout;
    const settled = await session.settle(timeout);
    const correct = correctText(session.truth());
    const { text, result } = await readRendered(this, session, deadline, (rendered) => ({ pass: rendered === correct.text }));
    return {
      name: 'toHaveRenderedCorrectText',
      pass: result.pass,
      expected: correct.text,
      actual: text,
      message: () => {
        const at = firstDifference(text, correct.text);
        return [
          hint(this, 'toHaveRenderedCorrectText'),
          '',
          this.isNot
            ? `Session ${session.sessionId}: expected the page to show something other than the correct text, it shows exactly that.`
            : `Session ${session.sessionId} on ${session.channel}: the page shows ${text.length} chars, the correct text (${correct.source}) has ${correct.text.length}; they part at char ${at}:`,
          ...(this.isNot ? [] : [`  rendered: ${excerpt(text, at)}`, `  correct:  ${excerpt(correct.text, at)}`, `  ${mockSide(session)}`]),
          ...incomplete(settled),
        ].join('\n');
      },
    };
  },

  /** The page's Echo received, in order, exactly the broadcasts the mock published on the session's channel — none lost, none extra. */
  async toMatchGroundTruth(this: ExpectMatcherState, received: EchoscopeSession, options: EchoscopeMatcherOptions = {}): Promise<MatcherReturnType> {
    const session = sessionOf(received, 'toMatchGroundTruth');
    const settled = await session.settle(options.timeout ?? this.timeout);
    const wire = session.wire();
    const n = Math.max(wire.received.length, wire.published.length);
    let at = -1;
    for (let i = 0; i < n && at === -1; i++) {
      const got = wire.received[i];
      const sent = wire.published[i];
      if (got?.event !== sent?.event || got?.data !== sent?.data) at = i;
    }
    const pass = at === -1;
    const show = (b: { event: string; data: string } | undefined): string => (b === undefined ? 'nothing' : `${b.event} ${excerpt(b.data, 0, 120)}`);
    return {
      name: 'toMatchGroundTruth',
      pass,
      expected: wire.published.length,
      actual: wire.received.length,
      message: () =>
        [
          hint(this, 'toMatchGroundTruth'),
          '',
          this.isNot
            ? `Session ${session.sessionId}: expected ${session.where} to differ from what the mock published, it received the same ${wire.received.length} broadcasts.`
            : `Session ${session.sessionId} on ${session.channel}: the mock published ${wire.published.length} broadcasts, ${session.where} received ${wire.received.length}; the first difference is broadcast #${at + 1}:`,
          ...(this.isNot ? [] : [`  published: ${show(wire.published[at])}`, `  received:  ${show(wire.received[at])}`, `  ${mockSide(session)}`]),
          ...incomplete(settled),
        ].join('\n'),
    };
  },
};

/** Playwright's `expect` with the EchoScope matchers. */
export const expect = base.extend(echoscopeMatchers);
