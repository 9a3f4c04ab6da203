import type { ScenarioInput } from '../../../shared/scenario';
import { QUICK } from './quick';

/**
 * Prism's `asBroadcast()` (`contract: prism`): `stream_start`, `step_start`, `text_start`,
 * `text_delta`…, `text_complete`, `step_finish`, `stream_end {finish_reason: Stop|Length}`; an
 * `error {error_type, recoverable: false}`. No run id: a retry is only a new `stream_start`, which
 * restarts the count when text came before it.
 */
export const prismStream: ScenarioInput = {
  name: 'prism-stream',
  description: 'Prism broadcasts: healthy, cut at Length, a crash and retry, errors (one before any text), a redelivered delta.',
  seed: 301,
  contract: 'prism',
  ...QUICK,
  tokens: 30,
  sessions: [
    { id: 'prism-ok' },
    { id: 'prism-length', faults: [{ kind: 'truncate', afterTokens: 20 }] },
    { id: 'prism-crash-retry', faults: [{ kind: 'crash', afterTokens: 10, retry: { tries: 2, backoffMs: 40 } }] },
    { id: 'prism-error', faults: [{ kind: 'error', afterTokens: 10 }] },
    { id: 'prism-error-then-retry', faults: [{ kind: 'error', afterTokens: 10, retry: { backoffMs: 40 } }] },
    { id: 'prism-error-at-start-retry', faults: [{ kind: 'error', afterTokens: 0, retry: { backoffMs: 40 } }] },
    { id: 'prism-duplicates', faults: [{ kind: 'duplicate', sequences: [2, 9] }] },
  ],
  expect: [
    { session: 'prism-ok', status: 'completed', terminationCode: 'Stop', counts: { events: 31, duplicates: 0, replays: 0 }, textEqualsFinal: true },
    { session: 'prism-length', status: 'truncated', terminationCode: 'Length', counts: { maxSequence: 21 }, textEqualsFinal: true },
    { session: 'prism-crash-retry', status: 'completed', counts: { replays: 1, duplicates: 10 }, textEqualsFinal: true },
    { session: 'prism-error', status: 'errored', terminationCode: 'api_error', counts: { events: 11 } },
    // text before the second stream_start: a restart, as with laravel-ai's new invocation
    {
      session: 'prism-error-then-retry',
      status: 'completed',
      counts: { afterTerminal: 31, replays: 1, duplicates: 11, conflicts: 1 },
      anomalies: { present: ['terminal_conflict'] },
    },
    // the error (position 1) ended the attempt: the second stream_start begins again, as the seed's
    // errored-then-retry does — its first delta re-uses position 1 (a conflicting duplicate), then 2…31
    {
      session: 'prism-error-at-start-retry',
      status: 'completed',
      counts: { afterTerminal: 31, replays: 1, duplicates: 1, conflicts: 1, maxSequence: 31 },
      anomalies: { present: ['terminal_conflict', 'after_terminal', 'replay'] },
    },
    { session: 'prism-duplicates', status: 'completed', counts: { duplicates: 2, conflicts: 0 }, textEqualsFinal: true },
  ],
};

export const PRISM_SCENARIOS: readonly ScenarioInput[] = [prismStream];
