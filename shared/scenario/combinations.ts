import { planAttempts } from './attempts';
import type { Distribution } from './distribution';
import { ENDING_FAULTS, type Fault, type FaultKind } from './faults';

/**
 * Which faults of one session can be played together. A scenario's every fault is either
 * applied or rejected here, with the path of the fault and the one it cannot combine with —
 * never silently skipped (a `truncate` with `after-terminal` used to play no late tokens).
 *
 * Rules:
 * - one fault of each kind, except the moment faults (`stall`, `disconnect`, `ping-silence`),
 *   which may repeat; one ending fault (`truncate`, `silent-death`, `abandon`);
 * - nothing after the job's last attempt: a crash without retry, or a crash on every try, ends
 *   the job, so an error or an ending fault named after it never happens; an error without
 *   retry is the last attempt, so an ending fault never happens;
 * - `after-terminal` needs a terminal event to follow (not with `silent-death`, nor a crash
 *   without retry);
 * - with a known least number of tokens (a fixed count, or a uniform range's minimum): a moment
 *   fault's `afterTokens` and a delivery fault's listed `sequences` must be reached by some
 *   attempt, and a reordered sequence must have a later token in the attempt that first sends it;
 * - on the same listed sequence, faults that replace the event's first sending exclude each
 *   other: `drop` (never sent), `reorder` (sent late, once), `malformed` and `oversize` (sent
 *   broken); `duplicate` and `latency-spike` combine with anything but `drop`/`reorder` as listed.
 * Faults chosen by `probability` are drawn per session; where two land on one sequence the
 * ground truth lists only what was applied to that event.
 */

export interface CombinationIssue {
  /** Index of the offending fault in the session's `faults`. */
  index: number;
  /** Field of that fault, when the problem is one field. */
  field?: string[];
  message: string;
}

const REPEATABLE: ReadonlySet<FaultKind> = new Set<FaultKind>(['stall', 'disconnect', 'ping-silence']);
const MOMENTS: ReadonlySet<FaultKind> = REPEATABLE;

/** Pairs of listed-sequence faults that cannot hit the same sequence, and why (the first of the pair wins in the simulator). */
const EXCLUSIVE: ReadonlyArray<[FaultKind, FaultKind, string]> = [
  ['drop', 'reorder', 'a dropped event is never sent, so it cannot be sent late'],
  ['drop', 'duplicate', 'a dropped event is never sent, so it cannot be sent again'],
  ['drop', 'malformed', 'a dropped event is never sent, so it cannot be sent broken'],
  ['drop', 'oversize', 'a dropped event is never sent, so it cannot be sent oversized'],
  ['reorder', 'duplicate', 'a held-back event is sent once, late'],
  ['reorder', 'malformed', 'a held-back event is sent late as it was, not broken'],
  ['reorder', 'oversize', 'a held-back event is sent late as it was, not oversized'],
  ['malformed', 'oversize', 'its first sending is already the malformed payload'],
];

/** The least number of tokens a session's final attempt may generate, when it is known. */
export function leastTokens(tokens: Distribution, textWithoutCount: boolean): number | undefined {
  if (textWithoutCount) return undefined;
  if (typeof tokens === 'number') return Math.max(1, Math.round(tokens));
  if ('fixed' in tokens) return Math.max(1, Math.round(tokens.fixed));
  if ('uniform' in tokens) return Math.max(1, Math.round(tokens.uniform[0]));
  return undefined;
}

function describe(fault: Fault): string {
  if (fault.kind === 'crash') return fault.retry ? (fault.times >= fault.retry.tries ? 'crash on every try' : 'crash with retry') : 'crash without retry';
  if (fault.kind === 'error') return fault.retry ? 'error with retry' : 'error without retry';
  return fault.kind;
}

export function faultCombinationIssues(faults: readonly Fault[], groupPath: string, tokens: number | undefined): CombinationIssue[] {
  const issues: CombinationIssue[] = [];
  const at = (i: number) => `${groupPath}.faults[${i}] (${describe(faults[i]!)})`;
  const firstOf = new Map<FaultKind, number>();
  let ending: number | undefined;
  faults.forEach((fault, i) => {
    if (ENDING_FAULTS.includes(fault.kind)) {
      if (ending !== undefined)
        issues.push({ index: i, message: `${fault.kind} cannot combine with ${at(ending)}: a session ends one way only (one of ${ENDING_FAULTS.join(', ')})` });
      else ending = i;
      return;
    }
    const first = firstOf.get(fault.kind);
    if (first !== undefined && !REPEATABLE.has(fault.kind)) {
      issues.push({ index: i, message: `${fault.kind} cannot combine with ${at(first)}: one ${fault.kind} fault per session (put all its sequences in one)` });
      return;
    }
    if (first === undefined) firstOf.set(fault.kind, i);
  });
  if (issues.length > 0) return issues;

  const crash = firstOf.get('crash');
  const error = firstOf.get('error');
  const crashFault = crash === undefined ? undefined : (faults[crash] as Extract<Fault, { kind: 'crash' }>);
  const crashEndsJob = crashFault !== undefined && (!crashFault.retry || crashFault.times >= crashFault.retry.tries);
  const why = crashFault && !crashFault.retry ? 'the worker dies and the job never runs again' : 'every try crashes and the job fails';
  faults.forEach((fault, i) => {
    if (crashEndsJob && (fault.kind === 'error' || ENDING_FAULTS.includes(fault.kind))) {
      issues.push({ index: i, message: `${fault.kind} cannot combine with ${at(crash!)}: ${why}, so it never happens` });
    } else if (crashFault && !crashFault.retry && fault.kind === 'after-terminal') {
      issues.push({ index: i, message: `after-terminal cannot combine with ${at(crash!)}: the job ends without a terminal event for tokens to follow` });
    } else if (error !== undefined && !(faults[error] as Extract<Fault, { kind: 'error' }>).retry && ENDING_FAULTS.includes(fault.kind)) {
      issues.push({ index: i, message: `${fault.kind} cannot combine with ${at(error)}: the errored attempt is the job's last, so it never happens` });
    } else if (fault.kind === 'after-terminal' && ending !== undefined && faults[ending]!.kind === 'silent-death') {
      issues.push({ index: i, message: `after-terminal cannot combine with ${at(ending)}: there is no terminal event for tokens to follow` });
    }
  });
  if (issues.length > 0) return issues;

  // Same listed sequence, faults that exclude each other.
  const listed = (kind: FaultKind): { index: number; sequences: number[] } | undefined => {
    const index = firstOf.get(kind);
    const sequences = index === undefined ? undefined : (faults[index] as { sequences?: number[] }).sequences;
    return index === undefined || sequences === undefined ? undefined : { index, sequences };
  };
  for (const [winner, loser, reason] of EXCLUSIVE) {
    const a = listed(winner);
    const b = listed(loser);
    if (!a || !b) continue;
    const shared = b.sequences.filter((seq) => a.sequences.includes(seq));
    if (shared.length === 0) continue;
    const [later, earlier] = a.index > b.index ? [a, b] : [b, a];
    const laterKind = faults[later.index]!.kind;
    issues.push({
      index: later.index,
      field: ['sequences'],
      message: `${laterKind} of sequence ${shared.join(', ')} cannot combine with ${at(earlier.index)} on the same sequence: ${reason}`,
    });
  }

  if (tokens === undefined) return issues;
  const outcome = planAttempts(faults, tokens);
  // Reach: what the attempts stream, with the least number of tokens the session may have.
  const reach = Math.max(0, ...outcome.attempts.map((attempt) => attempt.afterTokens));
  const firstAttemptReaching = (seq: number) => outcome.attempts.find((attempt) => attempt.afterTokens >= seq);
  faults.forEach((fault, i) => {
    if (MOMENTS.has(fault.kind)) {
      const after = (fault as { afterTokens: number }).afterTokens;
      if (after > reach)
        issues.push({
          index: i,
          field: ['afterTokens'],
          message: `${fault.kind} after ${after} tokens never happens: no attempt streams more than ${reach} (the session has at least ${tokens} tokens)`,
        });
      return;
    }
    const sequences = (fault as { sequences?: number[] }).sequences;
    if (sequences === undefined) return;
    const unreached = sequences.filter((seq) => seq > reach);
    if (unreached.length > 0) {
      issues.push({
        index: i,
        field: ['sequences'],
        message: `${fault.kind} of sequence ${unreached.join(', ')} never happens: no attempt sends it (the most is ${reach}; the session has at least ${tokens} tokens)`,
      });
      return;
    }
    if (fault.kind === 'reorder') {
      const last = sequences.filter((seq) => (firstAttemptReaching(seq)?.afterTokens ?? 0) < seq + 1);
      if (last.length > 0)
        issues.push({
          index: i,
          field: ['sequences'],
          message: `reorder of sequence ${last.join(', ')} never happens: it is the last token its attempt sends, so nothing comes after it`,
        });
    }
  });
  return issues;
}
