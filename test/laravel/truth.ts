/**
 * What EchoScope must report, derived once from the PHP side's ground truth (the broadcasts in
 * publish order, the final generation record) by the rules of docs/detection.md and
 * docs/connections.md — never from EchoScope's output. A client subscribed before the job started
 * receives exactly what was published, in publish order (laravel-echo-server relays one Redis
 * subscription to the room in order).
 */
import type { Broadcast } from './stack';

const TERMINAL = new Set(['completed', 'finished', 'truncated', 'errored', 'abandoned']);
/** detection.md, "Reorder or restart?": an unseen #1 after at most #9, within the reorder window, is a reorder. */
const MAX_REORDER_HIGHEST = 9;
const REORDER_WINDOW_MS = 2000;

export interface ExpectedVerdict {
  status: string;
  terminalStates: string[];
  terminationCode: string | null;
  events: number;
  uniqueSequences: number;
  maxSequence: number;
  duplicates: number;
  conflicts: number;
  replays: number;
  attempts: number;
  outOfOrder: number;
  afterTerminal: number;
  missing: number;
  gaps: Array<{ from: number; to: number }>;
  /** The correct client's text: first chunk of each unique sequence, in sequence order. */
  text: string;
  /** Every chunk in arrival order. */
  naiveText: string;
}

/** Silences ≥ `stallAfterMs` between consecutive broadcasts of a non-terminal session (detection.md rule 3), and the status at `nowMs` without a terminal. */
export interface Timing {
  stallAfterMs: number;
  orphanAfterMs: number;
  /** When the verdict is taken (epoch ms, same clock as the broadcasts' `at`). */
  nowMs: number;
}

/**
 * `fromSequence`: a late joiner's first sequence (it watched from there): the unseen head is neither
 * missing nor a gap (detection.md, "Coverage and late joins").
 */
/**
 * Publish times are not arrival times (a millisecond or two apart): a silence this close to the stall
 * threshold may count on one side and not the other, so its stall count is not a truth.
 */
export const STALL_MARGIN_MS = 50;

export function expectedVerdict(published: Broadcast[], timing?: Timing, fromSequence = 1): ExpectedVerdict & { stalls?: number; stallsAmbiguous?: boolean } {
  const first = new Map<number, string>();
  let max = 0;
  let duplicates = 0;
  let conflicts = 0;
  let replays = 0;
  let outOfOrder = 0;
  let afterTerminal = 0;
  let firstTerminalSeen = false;
  const terminalStates: string[] = [];
  let terminationCode: string | null = null;
  let lastTerminal: { sequence: number; state: string } | null = null;
  let attempt = { lowest: Infinity, highest: 0, startedAt: 0 };
  let naiveText = '';
  let stalls = 0;
  let terminalAt: number | null = null;
  let stallsAmbiguous = false;
  for (let i = 0; i < published.length; i++) {
    const { data, at } = published[i]!;
    const { sequence, chunk, state } = data;
    if (timing && i > 0 && terminalAt === null) {
      const silence = at - published[i - 1]!.at;
      if (silence >= timing.stallAfterMs) stalls++;
      if (Math.abs(silence - timing.stallAfterMs) < STALL_MARGIN_MS) stallsAmbiguous = true;
    }
    naiveText += chunk;
    if (firstTerminalSeen) afterTerminal++;
    const seen = first.has(sequence);
    const fallsBack = sequence < attempt.highest;
    const reorderOfOne = !seen && sequence === 1 && attempt.highest <= MAX_REORDER_HIGHEST && at - attempt.startedAt < REORDER_WINDOW_MS;
    if (fallsBack && ((seen && sequence === attempt.lowest) || (!seen && sequence === 1 && !reorderOfOne))) {
      replays++;
      attempt = { lowest: sequence, highest: sequence, startedAt: at };
    } else if (attempt.highest === 0) {
      attempt = { lowest: sequence, highest: sequence, startedAt: at };
    }
    if (seen) {
      duplicates++;
      if (first.get(sequence) !== chunk) conflicts++;
    } else {
      if (sequence < attempt.highest) outOfOrder++;
      first.set(sequence, chunk);
    }
    attempt.lowest = Math.min(attempt.lowest, sequence);
    attempt.highest = Math.max(attempt.highest, sequence);
    max = Math.max(max, sequence);
    if (TERMINAL.has(state)) {
      const redelivery = seen && lastTerminal !== null && terminalStates.length > 0 && published.some((b, j) => j < i && b.data.sequence === sequence && b.data.state === state);
      if (!redelivery) {
        terminalStates.push(state === 'finished' ? 'completed' : state);
        terminationCode = data.termination_code;
      }
      lastTerminal = { sequence, state };
      if (!firstTerminalSeen) terminalAt = at;
      firstTerminalSeen = true;
    }
  }
  const gaps: Array<{ from: number; to: number }> = [];
  let missing = 0;
  for (let s = fromSequence; s <= max; s++) {
    if (first.has(s)) continue;
    const from = s;
    while (s + 1 <= max && !first.has(s + 1)) s++;
    gaps.push({ from, to: s });
    missing += s - from + 1;
  }
  let status = terminalStates.at(-1) ?? 'streaming';
  if (terminalStates.length === 0 && timing && published.length > 0) {
    const silence = timing.nowMs - published.at(-1)!.at;
    status = silence >= timing.orphanAfterMs ? 'orphaned' : silence >= timing.stallAfterMs ? 'stalled' : 'streaming';
    if (silence >= timing.stallAfterMs) stalls++;
    if (Math.abs(silence - timing.stallAfterMs) < STALL_MARGIN_MS || Math.abs(silence - timing.orphanAfterMs) < STALL_MARGIN_MS) stallsAmbiguous = true;
  }
  const text = [...first.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, chunk]) => chunk)
    .join('');
  return {
    status,
    terminalStates,
    terminationCode,
    events: published.length,
    uniqueSequences: first.size,
    maxSequence: max,
    duplicates,
    conflicts,
    replays,
    attempts: replays + 1,
    outOfOrder,
    afterTerminal,
    missing,
    gaps,
    text,
    naiveText,
    ...(timing ? { stalls, stallsAmbiguous } : {}),
  };
}

export interface ExpectedMismatch {
  field: 'last_seq' | 'text' | 'progress';
  expected: unknown;
  received: unknown;
}

/** connections.md, "Reconciliation": which fields of the record disagree with what the client saw. */
export function expectedMismatches(record: Record<string, unknown>, seen: ExpectedVerdict): ExpectedMismatch[] {
  const out: ExpectedMismatch[] = [];
  const terminal = seen.terminalStates.length > 0;
  const lastSeq = record.last_seq as number;
  const accepted = terminal ? lastSeq === seen.maxSequence || lastSeq === seen.maxSequence - 1 : lastSeq <= seen.maxSequence;
  if (!accepted) out.push({ field: 'last_seq', expected: lastSeq, received: seen.maxSequence });
  const finalText = typeof record.final_text === 'string' ? record.final_text : null;
  const accumulated = typeof record.accumulated_text === 'string' ? record.accumulated_text : null;
  const expectedText = finalText ?? (terminal ? accumulated : null);
  if (expectedText !== null && expectedText !== seen.text) out.push({ field: 'text', expected: expectedText, received: seen.text });
  else if (expectedText === null && accumulated !== null && !seen.text.startsWith(accumulated) && !accumulated.startsWith(seen.text))
    out.push({ field: 'text', expected: accumulated, received: seen.text });
  const progress = record.progress as string;
  const shouldSee: Record<string, string | null> = {
    completed: 'completed',
    truncated: 'truncated',
    failed: 'errored',
    abandoned: 'abandoned',
    queued: null,
    active: null,
    orphaned: null,
  };
  const should = shouldSee[progress];
  if (should !== undefined && ((should !== null && should !== seen.status) || (should === null && terminal)))
    out.push({ field: 'progress', expected: progress, received: seen.status });
  return out;
}
