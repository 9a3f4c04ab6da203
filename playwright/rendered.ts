import type { SessionTruth, TruthEvent } from '../shared/scenario';

/**
 * What a page should show for a session and which of the mock's deliveries a naive page shows
 * twice — both read from the ground truth (what the simulator sent, as the scenario built it),
 * never from EchoScope's analysis of what the page received.
 */

export interface CorrectText {
  text: string;
  /** Where it comes from, for people. */
  source: string;
}

/**
 * The text a correct client ends up showing: the generation record's `final_text` when the job
 * resolved with one (a client that dedupes by sequence or reconciles with the record shows it),
 * else each sequence's first chunk, in sequence order, of what was delivered.
 */
export function correctText(session: SessionTruth): CorrectText {
  if (session.finalText !== null) return { text: session.finalText, source: "the generation record's final_text" };
  const chunks = new Map<number, string>();
  for (const event of session.events) if (event.delivery === 'sent' && !chunks.has(event.sequence)) chunks.set(event.sequence, event.chunk);
  const text = [...chunks.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, chunk]) => chunk)
    .join('');
  return { text, source: 'each delivered sequence once, in sequence order (the job left no final_text)' };
}

/** Sequences the mock delivered again, one after another: a retry's replay or a duplicate delivery. */
export interface Redelivery {
  from: number;
  to: number;
  /** The chunks joined, as delivered the first time. */
  text: string;
  /** Why they came again, for people. */
  cause: string;
}

function causeOf(event: TruthEvent, firstAttempt: number, truth: SessionTruth): string {
  if (event.faults?.includes('duplicate')) return 'delivered twice (a duplicate delivery)';
  if (event.attempt !== firstAttempt) {
    const ended = truth.faults.find((fault) => fault.attempt === firstAttempt && (fault.kind === 'crash' || fault.kind === 'error'));
    const why = ended?.kind === 'error' ? 'after the job errored' : ended?.kind === 'crash' ? 'after the worker crashed' : 'by a retry';
    return `re-sent by attempt ${event.attempt} ${why}`;
  }
  return 'delivered again';
}

/**
 * Every redelivered run with text, in publish order: consecutive events whose sequences were
 * delivered before and follow each other (a crash after 40 tokens + retry is one run, 1–40).
 */
export function redeliveries(session: SessionTruth): Redelivery[] {
  const first = new Map<number, TruthEvent>();
  const runs: (Redelivery & { last: number })[] = [];
  let previousWasRedelivery = false;
  for (const event of session.events) {
    if (event.delivery !== 'sent') continue;
    const earlier = first.get(event.sequence);
    if (earlier === undefined) {
      first.set(event.sequence, event);
      previousWasRedelivery = false;
      continue;
    }
    if (earlier.chunk === '') {
      previousWasRedelivery = false;
      continue;
    }
    const run = runs[runs.length - 1];
    if (previousWasRedelivery && run !== undefined && event.sequence === run.last + 1) {
      run.to = event.sequence;
      run.last = event.sequence;
      run.text += earlier.chunk;
    } else {
      runs.push({ from: event.sequence, to: event.sequence, last: event.sequence, text: earlier.chunk, cause: causeOf(event, earlier.attempt, session) });
    }
    previousWasRedelivery = true;
  }
  return runs.map(({ from, to, text, cause }) => ({ from, to, text, cause }));
}

/** Non-overlapping occurrences of `part` in `text`. */
export function occurrences(text: string, part: string): number {
  if (part === '') return 0;
  let count = 0;
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) count++;
  return count;
}

/** A redelivered run the page shows more often than the correct text has it. */
export interface RenderedTwice extends Redelivery {
  rendered: number;
  expected: number;
}

/** The redelivered runs a page rendered again: each one's text more often in `rendered` than in the correct text. */
export function renderedTwice(session: SessionTruth, rendered: string): RenderedTwice[] {
  const correct = correctText(session).text;
  const found: RenderedTwice[] = [];
  for (const run of redeliveries(session)) {
    const times = occurrences(rendered, run.text);
    const expected = occurrences(correct, run.text);
    if (times > expected) found.push({ ...run, rendered: times, expected });
  }
  return found;
}

/** The first character where two texts part, or -1 when they are equal. */
export function firstDifference(a: string, b: string): number {
  if (a === b) return -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** `text` around `at`, quoted, cut to about `width` characters. */
export function excerpt(text: string, at = 0, width = 60): string {
  const start = Math.max(0, at - Math.floor(width / 3));
  const cut = text.slice(start, start + width);
  return `${start > 0 ? '…' : ''}${JSON.stringify(cut)}${start + width < text.length ? '…' : ''}`;
}
