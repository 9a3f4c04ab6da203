import { ANOMALY_KINDS, type AnomalyKind, type Verdict } from '../../shared/analysis';
import { SESSION_STATUSES, type SessionStatus } from '../../shared/contract';
import { nearestWord } from '../../shared/text/nearest';
import { UsageError } from './command';
import { printable } from './terminal-text';

/**
 * `--fail-on KIND[,KIND…]|any` (`analyze`, `watch`): exit 1 when any session shows one of these
 * anomaly kinds or ends in one of these statuses, so either command can gate a pipeline.
 * `any` is every anomaly kind.
 */

export const FAIL_ON_HELP = `exit 1 when a session shows one of these (comma-separated): anomaly kinds (${ANOMALY_KINDS.join(', ')}), statuses (${SESSION_STATUSES.join(', ')}), or "any" anomaly`;

export interface FailOn {
  kinds: ReadonlySet<AnomalyKind>;
  statuses: ReadonlySet<SessionStatus>;
}

const WORDS: readonly string[] = ['any', ...ANOMALY_KINDS, ...SESSION_STATUSES];

/** Parses the option's value; a word that is none of them is a usage error naming the allowed ones and the nearest. */
export function parseFailOn(value: string): FailOn {
  const kinds = new Set<AnomalyKind>();
  const statuses = new Set<SessionStatus>();
  const words = value
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word.length > 0);
  if (words.length === 0) throw new UsageError(`--fail-on needs at least one of: ${WORDS.join(', ')}`);
  for (const word of words) {
    if (word === 'any') for (const kind of ANOMALY_KINDS) kinds.add(kind);
    else if ((ANOMALY_KINDS as readonly string[]).includes(word)) kinds.add(word as AnomalyKind);
    else if ((SESSION_STATUSES as readonly string[]).includes(word)) statuses.add(word as SessionStatus);
    else {
      const near = nearestWord(word, WORDS);
      throw new UsageError(`--fail-on: "${printable(word)}" is not an anomaly kind or a status${near ? ` (did you mean "${near}"?)` : ''}; allowed: ${WORDS.join(', ')}`);
    }
  }
  return { kinds, statuses };
}

/** What makes the run fail, one line per kind or status with its sessions; null when nothing does. */
export function failOnReport(verdict: Verdict, failOn: FailOn): string | null {
  const hits = new Map<string, Set<string>>();
  const hit = (what: string, sessionId: string) => {
    let sessions = hits.get(what);
    if (sessions === undefined) hits.set(what, (sessions = new Set()));
    sessions.add(sessionId);
  };
  for (const session of verdict.sessions) {
    if (failOn.statuses.has(session.status)) hit(`status ${session.status}`, session.sessionId);
    for (const anomaly of session.anomalies) if (failOn.kinds.has(anomaly.kind)) hit(anomaly.kind, session.sessionId);
  }
  if (hits.size === 0) return null;
  const parts = [...hits].map(([what, sessions]) => {
    const list = [...sessions];
    const shown = list.slice(0, 5).map(printable).join(', ');
    return `${what} in ${list.length} session${list.length === 1 ? '' : 's'} (${shown}${list.length > 5 ? `, … ${list.length - 5} more` : ''})`;
  });
  return `--fail-on: ${parts.join('; ')}`;
}
