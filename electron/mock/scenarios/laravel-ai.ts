import type { ScenarioInput } from '../../../shared/scenario';
import { QUICK } from './quick';

/**
 * The seed's failures as the Laravel AI SDK broadcasts them (`contract: laravel-ai`): per attempt
 * `stream_start`, `text_start`, a `text_delta` per token, `text_end`, `stream_end {reason}`; a
 * retried job under a new `invocation_id`; a failed job's `stream_failed`. No sequence numbers, so
 * no drops (a dropped delta leaves no trace) and no `missing`/`gaps`/`outOfOrder` expectations.
 *
 * Counting as the analyzer positions a stream (docs/detection.md): the deltas of an attempt are
 * 1…N and its end or error event N + 1; `stream_start`, `text_start` and `text_end` are not events
 * of the session. Each expectation below follows from that and from how the case is built.
 */

const CONTRACT = { contract: 'laravel-ai' as const, ...QUICK };

export const laravelAiHealthy: ScenarioInput = {
  name: 'laravel-ai-healthy',
  description: 'Healthy Laravel AI SDK streams: stream_start, 40 text_delta, stream_end stop.',
  seed: 201,
  ...CONTRACT,
  tokens: 40,
  sessions: [{ idPattern: 'lai-ok-{n}', count: 3, staggerMs: 10 }],
  expect: [
    {
      session: 'lai-ok-*',
      status: 'completed',
      terminationCode: 'stop',
      // 40 deltas + stream_end
      counts: { events: 41, uniqueSequences: 41, maxSequence: 41, duplicates: 0, replays: 0, stalls: 0, violations: 0 },
      anomalies: { absent: ['duplicate', 'replay', 'stall', 'violation'] },
      textEqualsFinal: true,
    },
  ],
};

export const laravelAiCrashRetry: ScenarioInput = {
  name: 'laravel-ai-crash-retry',
  description: 'A worker dies mid-stream and the queue retries: the retry streams again from stream_start under a new invocation_id.',
  seed: 202,
  ...CONTRACT,
  tokens: 60,
  sessions: [
    { idPattern: 'lai-crash-retry-{n}', count: 2, faults: [{ kind: 'crash', afterTokens: 40, retry: { tries: 3, backoffMs: 40 } }] },
    { id: 'lai-crash-twice', faults: [{ kind: 'crash', afterTokens: 20, times: 2, retry: { tries: 3, backoffMs: 40 } }] },
    // Every try crashes: BroadcastAgent's failed() broadcasts stream_failed.
    { id: 'lai-crash-every-try', faults: [{ kind: 'crash', afterTokens: 20, times: 2, retry: { tries: 2, backoffMs: 40 } }] },
  ],
  expect: [
    // 40 deltas, then a new invocation re-sends positions 1…40 and goes on to 60 + stream_end
    { session: 'lai-crash-retry-*', status: 'completed', terminationCode: 'stop', counts: { replays: 1, duplicates: 40, conflicts: 0, events: 101 }, textEqualsFinal: true },
    { session: 'lai-crash-twice', status: 'completed', counts: { replays: 2, duplicates: 40 }, textEqualsFinal: true },
    // 20 + 20 deltas, then stream_failed at position 21 of the second invocation
    { session: 'lai-crash-every-try', status: 'errored', terminationCode: 'stream_failed', counts: { replays: 1, duplicates: 20, events: 41, maxSequence: 21 } },
  ],
};

export const laravelAiTruncation: ScenarioInput = {
  name: 'laravel-ai-truncation',
  description: 'The provider stops early: stream_end length reads truncated; a stop sequence is reported as stop, so the cut is not visible.',
  seed: 203,
  ...CONTRACT,
  tokens: 50,
  sessions: [
    { id: 'lai-length', faults: [{ kind: 'truncate', afterTokens: 30 }] },
    { id: 'lai-stop-sequence', faults: [{ kind: 'truncate', afterTokens: 12, code: 'stop_sequence' }] },
  ],
  expect: [
    { session: 'lai-length', status: 'truncated', terminationCode: 'length', counts: { maxSequence: 31, events: 31 }, textEqualsFinal: true },
    { session: 'lai-stop-sequence', status: 'completed', terminationCode: 'stop', counts: { maxSequence: 13 }, textEqualsFinal: true },
    { session: '*', anomalies: { absent: ['duplicate', 'stall', 'replay'] } },
  ],
};

export const laravelAiFailed: ScenarioInput = {
  name: 'laravel-ai-failed',
  description: 'The job fails: stream_failed and no stream_end; retried, the next invocation streams after the terminal.',
  seed: 204,
  ...CONTRACT,
  tokens: 30,
  sessions: [
    { id: 'lai-failed', faults: [{ kind: 'error', afterTokens: 10 }] },
    { id: 'lai-failed-at-start', faults: [{ kind: 'error', afterTokens: 0 }] },
    { id: 'lai-failed-then-retry', faults: [{ kind: 'error', afterTokens: 10, retry: { backoffMs: 40 } }] },
  ],
  expect: [
    { session: 'lai-failed', status: 'errored', terminationCode: 'stream_failed', counts: { events: 11, afterTerminal: 0 } },
    { session: 'lai-failed-at-start', status: 'errored', terminationCode: 'stream_failed', counts: { events: 1 } },
    // stream_failed at position 11; the retry's 30 deltas + stream_end all come after it, re-sending 1…11 (11 is '' then a token: a conflict)
    {
      session: 'lai-failed-then-retry',
      status: 'completed',
      terminationCode: 'stop',
      counts: { afterTerminal: 31, replays: 1, duplicates: 11, conflicts: 1 },
      anomalies: { present: ['terminal_conflict', 'after_terminal'] },
    },
  ],
};

export const laravelAiSilentDeath: ScenarioInput = {
  name: 'laravel-ai-silent-death',
  description: 'The worker is killed: no stream_end, no stream_failed; the record is swept orphaned.',
  seed: 205,
  ...CONTRACT,
  tokens: 40,
  sessions: [
    { idPattern: 'lai-killed-{n}', count: 2, faults: [{ kind: 'silent-death', afterTokens: 20 }] },
    { id: 'lai-crash-no-retry', faults: [{ kind: 'crash', afterTokens: 10 }] },
    { id: 'lai-survivor' },
  ],
  expect: [
    { session: 'lai-killed-*', status: 'orphaned', counts: { stalls: 1, events: 20, maxSequence: 20 }, textEqualsFinal: false },
    { session: 'lai-crash-no-retry', status: 'orphaned', counts: { stalls: 1, events: 10 } },
    { session: 'lai-survivor', status: 'completed', terminationCode: 'stop', anomalies: { absent: ['stall'] }, textEqualsFinal: true },
  ],
};

export const laravelAiDuplicates: ScenarioInput = {
  name: 'laravel-ai-duplicates',
  description: 'A BroadcastEvent job is delivered again: the same event id twice is a duplicate, its text shown once.',
  seed: 206,
  ...CONTRACT,
  tokens: 40,
  sessions: [
    { id: 'lai-dup-listed', faults: [{ kind: 'duplicate', sequences: [3, 10, 25] }] },
    { id: 'lai-dup-copies', faults: [{ kind: 'duplicate', sequences: [5], copies: 3 }] },
  ],
  expect: [
    { session: 'lai-dup-listed', status: 'completed', counts: { duplicates: 3, conflicts: 0, events: 44, uniqueSequences: 41 }, textEqualsFinal: true },
    { session: 'lai-dup-copies', status: 'completed', counts: { duplicates: 3, conflicts: 0, events: 44 }, textEqualsFinal: true },
    { session: '*', anomalies: { absent: ['replay', 'stall'] } },
  ],
};

export const laravelAiInterruptions: ScenarioInput = {
  name: 'laravel-ai-interruptions',
  description: 'Silences and drops on the way: a stall past the heartbeat, latency spikes under it, a socket closed with 4009.',
  seed: 207,
  ...CONTRACT,
  tokens: 40,
  sessions: [
    { id: 'lai-stall', faults: [{ kind: 'stall', afterTokens: 15, durationMs: 800 }] },
    { id: 'lai-spiky', faults: [{ kind: 'latency-spike', sequences: [10, 25], delayMs: 120 }] },
    { id: 'lai-dropped-4009', faults: [{ kind: 'disconnect', afterTokens: 15, code: 4009 }] },
  ],
  expect: [
    { session: 'lai-stall', status: 'completed', counts: { stalls: 1 }, anomalies: { present: ['stall'] }, textEqualsFinal: true },
    { session: 'lai-spiky', status: 'completed', counts: { stalls: 0 }, textEqualsFinal: true },
    { session: 'lai-dropped-4009', status: 'completed', counts: { disconnects: 1, events: 41 }, textEqualsFinal: true },
  ],
};

export const laravelAiAfterTerminal: ScenarioInput = {
  name: 'laravel-ai-after-terminal',
  description: 'Deltas after stream_end, and a run cancelled with stream_end cancelled.',
  seed: 208,
  ...CONTRACT,
  tokens: 30,
  sessions: [
    { id: 'lai-late-tokens', faults: [{ kind: 'after-terminal', tokens: 3 }] },
    { id: 'lai-cancelled', faults: [{ kind: 'abandon', afterTokens: 12 }] },
  ],
  expect: [
    { session: 'lai-late-tokens', status: 'completed', terminationCode: 'stop', counts: { afterTerminal: 3, events: 34 }, anomalies: { present: ['after_terminal'] } },
    { session: 'lai-cancelled', status: 'abandoned', terminationCode: 'cancelled', counts: { events: 13, afterTerminal: 0 } },
  ],
};

export const laravelAiMalformed: ScenarioInput = {
  name: 'laravel-ai-malformed',
  description: 'Broken payloads on a stream: a delta cut mid-JSON (resent, or lost without a trace) and a delta over 10,240 bytes.',
  seed: 209,
  ...CONTRACT,
  tokens: 20,
  sessions: [
    { id: 'lai-broken-json', faults: [{ kind: 'malformed', variant: 'broken-json', sequences: [4] }] },
    { id: 'lai-broken-json-lost', faults: [{ kind: 'malformed', variant: 'broken-json', sequences: [4], resend: false }] },
    { id: 'lai-oversize', faults: [{ kind: 'oversize', sequences: [6], bytes: 12_000 }] },
  ],
  expect: [
    { session: 'lai-broken-json', status: 'completed', counts: { violations: 1, maxSequence: 21 }, anomalies: { present: ['violation'] }, textEqualsFinal: true },
    // the lost delta takes no position: 19 readable deltas + stream_end, and nothing can say one is missing
    { session: 'lai-broken-json-lost', status: 'completed', counts: { violations: 1, maxSequence: 20 }, textEqualsFinal: false },
    {
      session: 'lai-oversize',
      status: 'completed',
      counts: { violations: 1, maxSequence: 21 },
      anomalies: { present: ['oversize'], absent: ['violation'] },
      textEqualsFinal: true,
    },
  ],
};

export const laravelAiReorder: ScenarioInput = {
  name: 'laravel-ai-reorder',
  description:
    'Queued broadcast() sends one BroadcastEvent job per delta; racing workers deliver some late. The SDK’s ids are time-ordered (UUIDv7), so a late delta is out of order by its id.',
  seed: 210,
  ...CONTRACT,
  tokens: 40,
  sessions: [
    { id: 'lai-reorder-listed', faults: [{ kind: 'reorder', sequences: [5, 20], window: 2 }] },
    { id: 'lai-reorder-random', faults: [{ kind: 'reorder', probability: 0.1, window: 3 }] },
  ],
  expect: [
    // #5 and #20 each arrive after two later deltas: two late events; nothing is lost or repeated
    { session: 'lai-reorder-listed', status: 'completed', counts: { outOfOrder: 2, duplicates: 0, events: 41 } },
    { session: '*', status: 'completed', anomalies: { absent: ['duplicate', 'replay', 'stall'] } },
  ],
};

/**
 * In the reorder scenario the text is not `textEqualsFinal`: a stream's text is what arrived, in
 * arrival order (a client appending deltas shows the same); the late deltas are flagged out of
 * order by their time-ordered ids (docs/detection.md).
 */
export const LARAVEL_AI_SCENARIOS: readonly ScenarioInput[] = [
  laravelAiHealthy,
  laravelAiCrashRetry,
  laravelAiTruncation,
  laravelAiFailed,
  laravelAiSilentDeath,
  laravelAiDuplicates,
  laravelAiInterruptions,
  laravelAiAfterTerminal,
  laravelAiMalformed,
  laravelAiReorder,
];
