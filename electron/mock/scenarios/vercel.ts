import type { ScenarioInput } from '../../../shared/scenario';
import { QUICK } from './quick';

/**
 * The Vercel AI SDK's UI message stream as an app would relay it over Echo
 * (`contract: vercel-data-stream`): every chunk under one event name, `ai.chunk`, with its `type`
 * inside — `start {messageId}`, `start-step`, `text-start {id}`, `text-delta {id, delta}`…,
 * `text-end`, `finish-step`, `finish {finishReason}`; a cancel's `abort`; a failure's
 * `error {errorText}` with no `finish`. No id per event (a text part's deltas share one) and no
 * order in the ids: the verdict checks neither gaps, order nor redeliveries, so the set has no
 * drop, duplicate or reorder (the schema refuses them).
 *
 * Counting as the analyzer positions a stream (docs/detection.md): the deltas of an attempt are
 * 1…N in arrival order and its finish, abort or error N + 1; `start`, the steps, `text-start` and
 * `text-end` are not events of the session; a new `start` after text begins again at 1 (a replay,
 * and the re-sent positions are duplicates). Each expectation follows from that and from how the
 * case is built.
 */
export const vercelStream: ScenarioInput = {
  name: 'vercel-stream',
  description:
    'Vercel UI message chunks relayed over Echo as ai.chunk: healthy, cut at length, aborted, an error (and one retried), a crash and retry, a stall, a killed worker, an oversized delta.',
  seed: 401,
  contract: 'vercel-data-stream',
  ...QUICK,
  tokens: 30,
  sessions: [
    { id: 'vercel-ok' },
    { id: 'vercel-length', faults: [{ kind: 'truncate', afterTokens: 20 }] },
    { id: 'vercel-abort', faults: [{ kind: 'abandon', afterTokens: 12 }] },
    { id: 'vercel-error', faults: [{ kind: 'error', afterTokens: 10 }] },
    { id: 'vercel-crash-retry', faults: [{ kind: 'crash', afterTokens: 10, retry: { tries: 2, backoffMs: 40 } }] },
    { id: 'vercel-stall', faults: [{ kind: 'stall', afterTokens: 15, durationMs: 800 }] },
    { id: 'vercel-killed', faults: [{ kind: 'silent-death', afterTokens: 8 }] },
    { id: 'vercel-error-then-retry', faults: [{ kind: 'error', afterTokens: 10, retry: { backoffMs: 40 } }] },
    { id: 'vercel-oversize', faults: [{ kind: 'oversize', sequences: [5] }] },
    { id: 'vercel-broken-json', faults: [{ kind: 'malformed', variant: 'broken-json', sequences: [5] }] },
  ],
  expect: [
    // delta #5 first goes out cut mid-write (not JSON), then whole: one violation, nothing lost or repeated
    { session: 'vercel-broken-json', status: 'completed', counts: { violations: 1, events: 31, duplicates: 0 }, textEqualsFinal: true },
    // 30 deltas + finish stop
    { session: 'vercel-ok', status: 'completed', terminationCode: 'stop', counts: { events: 31, maxSequence: 31, replays: 0, stalls: 0 }, textEqualsFinal: true },
    // 20 deltas, then finish length at position 21
    { session: 'vercel-length', status: 'truncated', terminationCode: 'length', counts: { events: 21, maxSequence: 21 }, textEqualsFinal: true },
    // 12 deltas, then abort (its code is the chunk's kind)
    { session: 'vercel-abort', status: 'abandoned', terminationCode: 'abort', counts: { events: 13, maxSequence: 13 } },
    // 10 deltas, then error {errorText} and no finish
    { session: 'vercel-error', status: 'errored', terminationCode: 'error', counts: { events: 11, maxSequence: 11 } },
    // 10 deltas; a new start (new messageId) re-sends positions 1…10 and goes on to 30 + finish
    {
      session: 'vercel-crash-retry',
      status: 'completed',
      terminationCode: 'stop',
      counts: { events: 41, replays: 1, duplicates: 10, conflicts: 0, maxSequence: 31 },
      textEqualsFinal: true,
    },
    // 800 ms of silence after 15 deltas, past the 500 ms stall threshold, then the rest
    { session: 'vercel-stall', status: 'completed', counts: { events: 31, stalls: 1 }, anomalies: { present: ['stall'] }, textEqualsFinal: true },
    // 8 deltas and nothing more: stalled, then orphaned by the analyzer's 900 ms
    { session: 'vercel-killed', status: 'orphaned', counts: { events: 8, stalls: 1 } },
    // 10 deltas + error (position 11); the retry's new start begins again: its 30 deltas + finish
    // (1…31) all come after the error, re-send positions 1…11 (11 duplicates; 11 was the error's,
    // now text: 1 conflict), and its stop contradicts the error. The text keeps each position's
    // first chunk, so position 11 stays the error's empty one: the retry's 11th token is missing
    {
      session: 'vercel-error-then-retry',
      status: 'completed',
      counts: { events: 42, replays: 1, duplicates: 11, conflicts: 1, afterTerminal: 31, maxSequence: 31 },
      anomalies: { present: ['terminal_conflict', 'after_terminal', 'replay'] },
      textEqualsFinal: false,
    },
    // delta 5 padded past 10,240 bytes (refused whole, no position), then sent as it should have been
    { session: 'vercel-oversize', status: 'completed', counts: { maxSequence: 31, duplicates: 0 }, anomalies: { present: ['oversize'] }, textEqualsFinal: true },
    // (violations: only vercel-broken-json's, which the ground truth's scoring holds every session to)
    { session: '*', anomalies: { absent: ['gap', 'out_of_order'] } },
  ],
};

export const VERCEL_SCENARIOS: readonly ScenarioInput[] = [vercelStream];
