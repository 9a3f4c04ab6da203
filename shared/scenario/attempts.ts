import type { Fault, FaultKind, FaultOf } from './faults';

/**
 * How a session's faults shape the queue job's attempts: the one rule the simulator plays
 * (electron/mock/simulator/plan.ts) and the schema checks combinations against
 * (combinations.ts), so what is accepted is what is played.
 */

export interface AttemptPlan {
  /** How the attempt ends. */
  end: 'crash' | 'error' | 'complete' | 'truncate' | 'silent-death' | 'abandon';
  afterTokens: number;
  /** Backoff before this attempt (0 for the first). */
  backoffMs: number;
  /** Skip sequences ≤ the record's last_seq (the idempotency guard). */
  idempotent: boolean;
}

export interface AttemptsOutcome {
  attempts: AttemptPlan[];
  /** Every try crashed: Laravel's failed() hook broadcasts the failure. */
  failsAfterCrashes: boolean;
}

export function findFault<K extends FaultKind>(faults: readonly Fault[], kind: K): FaultOf<K> | undefined {
  return faults.find((f): f is FaultOf<K> => f.kind === kind);
}

export function planAttempts(faults: readonly Fault[], tokens: number): AttemptsOutcome {
  const attempts: AttemptPlan[] = [];
  const crash = findFault(faults, 'crash');
  const error = findFault(faults, 'error');
  let backoffMs = 0;
  let idempotent = false;
  if (crash) {
    const times = crash.retry ? crash.times : 1;
    for (let i = 0; i < times; i++) {
      attempts.push({ end: 'crash', afterTokens: Math.min(crash.afterTokens, tokens), backoffMs, idempotent });
      backoffMs = crash.retry?.backoffMs ?? 0;
      idempotent = crash.retry?.idempotent ?? false;
    }
    if (!crash.retry) return { attempts, failsAfterCrashes: false };
    if (times >= crash.retry.tries) return { attempts, failsAfterCrashes: true };
  }
  if (error) {
    attempts.push({ end: 'error', afterTokens: Math.min(error.afterTokens, tokens), backoffMs, idempotent });
    if (!error.retry) return { attempts, failsAfterCrashes: false };
    backoffMs = error.retry.backoffMs;
    idempotent = false;
  }
  const ending = findFault(faults, 'truncate') ?? findFault(faults, 'silent-death') ?? findFault(faults, 'abandon');
  attempts.push({
    end: ending ? ending.kind : 'complete',
    afterTokens: ending ? Math.min(ending.afterTokens, tokens) : tokens,
    backoffMs,
    idempotent,
  });
  return { attempts, failsAfterCrashes: false };
}

/** Whether the session's last word is a terminal event (after which `after-terminal` tokens can follow). */
export function endsWithTerminal(outcome: AttemptsOutcome): boolean {
  if (outcome.failsAfterCrashes) return true;
  const last = outcome.attempts.at(-1);
  return last !== undefined && last.end !== 'crash' && last.end !== 'silent-death';
}
