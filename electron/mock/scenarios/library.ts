import type { ScenarioInput } from '../../../shared/scenario';
import { LARAVEL_AI_SCENARIOS } from './laravel-ai';
import { PRISM_SCENARIOS } from './prism';
import { QUICK } from './quick';
import { VERCEL_SCENARIOS } from './vercel';

/**
 * The built-in scenario library: one scenario per seed failure mode of DESIGN §1 plus a mixed
 * fleet, then the same failures as the Laravel AI SDK and Prism broadcast them (laravel-ai.ts,
 * prism.ts) and as an app relays the Vercel AI SDK's UI message stream over Echo (vercel.ts). Timings are short (milliseconds per token, sub-second stalls) and the analyzer's
 * thresholds are scaled down to match, so `echoscope check builtin` runs the whole library in
 * seconds while keeping every silence far from its threshold (no flaky verdicts).
 */

export const crashRetry: ScenarioInput = {
  name: 'crash-retry',
  description: 'A worker dies after N tokens and the queue retries the job: the tokens come twice (or, with the idempotency guard, only the unsaved ones).',
  seed: 101,
  ...QUICK,
  tokens: 60,
  sessions: [
    { idPattern: 'crash-retry-{n}', count: 3, faults: [{ kind: 'crash', afterTokens: 40, retry: { tries: 3, backoffMs: 40 } }] },
    { id: 'crash-twice', faults: [{ kind: 'crash', afterTokens: 20, times: 2, retry: { tries: 3, backoffMs: 40 } }] },
    { id: 'crash-idempotent', faults: [{ kind: 'crash', afterTokens: 50, retry: { tries: 2, backoffMs: 40, idempotent: true } }] },
  ],
  expect: [
    { session: 'crash-retry-*', status: 'completed', counts: { replays: 1, duplicates: 40, conflicts: 0, missing: 0 }, textEqualsFinal: true, timeToTerminalMs: '<5000' },
    { session: 'crash-twice', status: 'completed', counts: { replays: 2, duplicates: 40 }, textEqualsFinal: true },
    { session: 'crash-idempotent', status: 'completed', counts: { replays: 0, duplicates: 10 }, anomalies: { absent: ['replay', 'gap'] }, textEqualsFinal: true },
  ],
};

export const truncation: ScenarioInput = {
  name: 'truncation',
  description: 'The provider stops early: truncated with max_tokens or stop_sequence, or completed with max_tokens as the only clue.',
  seed: 102,
  ...QUICK,
  tokens: 50,
  sessions: [
    { id: 'truncated-max-tokens', faults: [{ kind: 'truncate', afterTokens: 30 }] },
    { id: 'truncated-stop-sequence', faults: [{ kind: 'truncate', afterTokens: 12, code: 'stop_sequence' }] },
    { id: 'completed-but-cut', faults: [{ kind: 'truncate', afterTokens: 30, state: 'completed' }] },
  ],
  expect: [
    { session: 'truncated-max-tokens', status: 'truncated', terminationCode: 'max_tokens', counts: { maxSequence: 31 }, textEqualsFinal: true },
    { session: 'truncated-stop-sequence', status: 'truncated', terminationCode: 'stop_sequence', textEqualsFinal: true },
    { session: 'completed-but-cut', status: 'completed', terminationCode: 'max_tokens', textEqualsFinal: true },
    { session: '*', anomalies: { absent: ['gap', 'duplicate', 'stall'] } },
  ],
};

export const silentDeath: ScenarioInput = {
  name: 'silent-death',
  description: 'A deploy or an OOM kills the worker: no terminal event ever; the record stays active until the sweeper marks it orphaned.',
  seed: 103,
  ...QUICK,
  tokens: 40,
  sessions: [
    { idPattern: 'killed-{n}', count: 2, faults: [{ kind: 'silent-death', afterTokens: 20 }] },
    { id: 'killed-no-retry', faults: [{ kind: 'crash', afterTokens: 10 }] },
    { id: 'survivor' },
  ],
  expect: [
    { session: 'killed-*', status: 'orphaned', counts: { stalls: 1, maxSequence: '<=20' }, textEqualsFinal: false },
    { session: 'survivor', status: 'completed', anomalies: { absent: ['stall'] }, textEqualsFinal: true },
  ],
};

export const stall: ScenarioInput = {
  name: 'stall',
  description: 'The stream goes silent for longer than the heartbeat, then resumes and completes.',
  seed: 104,
  ...QUICK,
  tokens: 40,
  sessions: [
    { id: 'stall-once', faults: [{ kind: 'stall', afterTokens: 15, durationMs: 800 }] },
    { id: 'stall-short', faults: [{ kind: 'stall', afterTokens: 15, durationMs: 60 }] },
  ],
  expect: [
    { session: 'stall-once', status: 'completed', counts: { stalls: 1 }, anomalies: { present: ['stall'] }, textEqualsFinal: true },
    { session: 'stall-short', status: 'completed', counts: { stalls: 0 }, textEqualsFinal: true },
  ],
};

export const reorder: ScenarioInput = {
  name: 'reorder',
  description: 'Events arrive out of order: late events fill their holes (no gap); the correct text is in sequence order, the naive one is not.',
  seed: 105,
  ...QUICK,
  tokens: 50,
  sessions: [
    { id: 'reorder-listed', faults: [{ kind: 'reorder', sequences: [5, 20], window: 2 }] },
    { id: 'reorder-random', faults: [{ kind: 'reorder', probability: 0.1, window: 3 }] },
  ],
  expect: [
    { session: 'reorder-listed', counts: { outOfOrder: 2, missing: 0 }, textEqualsFinal: true },
    { session: 'reorder-random', counts: { outOfOrder: '>0', missing: 0 }, textEqualsFinal: true },
    { session: '*', status: 'completed', anomalies: { absent: ['gap', 'duplicate'] } },
  ],
};

export const gaps: ScenarioInput = {
  name: 'gaps',
  description: 'Events never arrive: the missing sequences are reported as ranges.',
  seed: 106,
  ...QUICK,
  tokens: 50,
  sessions: [
    { id: 'gaps-listed', faults: [{ kind: 'drop', sequences: [10, 11, 12, 30] }] },
    { id: 'gaps-random', faults: [{ kind: 'drop', probability: 0.08 }] },
  ],
  expect: [
    { session: 'gaps-listed', counts: { missing: 4, gaps: 2 }, textEqualsFinal: false },
    { session: 'gaps-random', counts: { missing: '>0' }, anomalies: { present: ['gap'] } },
    { session: '*', status: 'completed' },
  ],
};

export const afterTerminal: ScenarioInput = {
  name: 'after-terminal',
  description: 'Tokens keep coming after the terminal event; an errored attempt followed by a retry is the common cause.',
  seed: 107,
  ...QUICK,
  tokens: 30,
  sessions: [
    { id: 'late-tokens', faults: [{ kind: 'after-terminal', tokens: 3 }] },
    { id: 'errored-then-retry', faults: [{ kind: 'error', afterTokens: 10, retry: { backoffMs: 40 } }] },
    { id: 'errored-for-good', faults: [{ kind: 'error', afterTokens: 10 }] },
  ],
  expect: [
    { session: 'late-tokens', status: 'completed', counts: { afterTerminal: 3 }, anomalies: { present: ['after_terminal'] } },
    { session: 'errored-then-retry', status: 'completed', counts: { afterTerminal: 31, replays: 1, conflicts: 1 }, anomalies: { present: ['terminal_conflict'] } },
    { session: 'errored-for-good', status: 'errored', terminationCode: 'exception', counts: { afterTerminal: 0 } },
  ],
};

export const malformed: ScenarioInput = {
  name: 'malformed',
  description: 'Broken payloads: a string sequence, a missing or unknown state, broken JSON, and a payload over 10,240 bytes.',
  seed: 108,
  ...QUICK,
  tokens: 20,
  sessions: [
    { id: 'malformed-string-sequence', faults: [{ kind: 'malformed', variant: 'string-sequence', sequences: [4] }] },
    { id: 'malformed-missing-state', faults: [{ kind: 'malformed', variant: 'missing-state', sequences: [4] }] },
    { id: 'malformed-unknown-state', faults: [{ kind: 'malformed', variant: 'unknown-state', sequences: [4, 9] }] },
    { id: 'malformed-broken-json', faults: [{ kind: 'malformed', variant: 'broken-json', sequences: [4], resend: false }] },
    { id: 'oversize', faults: [{ kind: 'oversize', sequences: [6], bytes: 12_000 }] },
  ],
  expect: [
    { session: 'malformed-string-sequence', counts: { violations: 1, missing: 0 }, anomalies: { present: ['violation'] } },
    { session: 'malformed-missing-state', counts: { violations: 1, missing: 0 } },
    { session: 'malformed-unknown-state', counts: { violations: 2, missing: 0 } },
    { session: 'malformed-broken-json', counts: { violations: 1, missing: 1 } },
    { session: 'oversize', counts: { violations: 1, missing: 0 }, anomalies: { present: ['oversize'], absent: ['violation'] } },
    { session: '*', status: 'completed' },
  ],
};

export const disconnect: ScenarioInput = {
  name: 'disconnect',
  description: 'The server drops the subscriber’s socket mid-stream with a close code; the stream waits for the client to come back, so nothing is lost.',
  seed: 109,
  ...QUICK,
  tokens: 40,
  sessions: [
    // 4009 is fatal for pusher-js (it stops and reports `disconnected`); EchoScope's watcher reconnects.
    { id: 'dropped-4009', faults: [{ kind: 'disconnect', afterTokens: 15, code: 4009 }] },
    { id: 'steady' },
  ],
  expect: [
    { session: 'dropped-4009', status: 'completed', counts: { disconnects: 1, missing: 0 }, textEqualsFinal: true },
    { session: 'steady', status: 'completed', counts: { disconnects: 0 } },
  ],
};

export const mixedFleet: ScenarioInput = {
  name: 'mixed-fleet',
  description: 'A realistic mix: mostly healthy sessions on four queue workers, with crashes, truncations, duplicates, latency spikes and a cancel.',
  seed: 110,
  ...QUICK,
  tokens: { lognormal: { p50: 30, p95: 60 } },
  sessions: [
    { idPattern: 'fleet-ok-{n}', count: 12, staggerMs: 15, concurrency: 4 },
    { idPattern: 'fleet-crash-{n}', count: 2, tokens: 50, staggerMs: 30, faults: [{ kind: 'crash', afterTokens: 25, retry: { backoffMs: 40 } }] },
    { idPattern: 'fleet-truncated-{n}', count: 2, tokens: 50, faults: [{ kind: 'truncate', afterTokens: 20 }] },
    { id: 'fleet-duplicates', tokens: 40, faults: [{ kind: 'duplicate', probability: 0.15 }] },
    { id: 'fleet-spiky', tokens: 40, faults: [{ kind: 'latency-spike', sequences: [10, 25], delayMs: 120 }] },
    { id: 'fleet-cancelled', tokens: 40, faults: [{ kind: 'abandon', afterTokens: 12 }] },
  ],
  expect: [
    { session: 'fleet-ok-*', status: 'completed', anomalies: { absent: ['duplicate', 'gap', 'stall', 'out_of_order', 'replay'] }, textEqualsFinal: true },
    { session: 'fleet-crash-*', status: 'completed', counts: { replays: 1 } },
    { session: 'fleet-truncated-*', status: 'truncated' },
    { session: 'fleet-duplicates', status: 'completed', counts: { duplicates: '>0', conflicts: 0 }, textEqualsFinal: true },
    { session: 'fleet-spiky', status: 'completed', counts: { stalls: 0 } },
    { session: 'fleet-cancelled', status: 'abandoned', terminationCode: 'client_cancelled' },
  ],
};

/** The seed contract's scenarios (`chunk.delivered`, sequenced). */
export const proxyFaults: ScenarioInput = {
  name: 'proxy-faults',
  description:
    'The faults applied by the fault proxy between the server and EchoScope (target: proxy): two drops, a redelivery, a late event, an 800 ms latency spike, a broken payload, a socket closed mid-stream (4200); a crash-retry passes through untouched.',
  seed: 111,
  ...QUICK,
  tokens: 30,
  target: 'proxy',
  proxy: {
    seed: 5,
    faults: [
      { kind: 'drop', channel: 'private-ai.proxy-drop', nth: [5, 6] },
      { kind: 'duplicate', channel: 'private-ai.proxy-dup', nth: [10], copies: 2 },
      { kind: 'reorder', channel: 'private-ai.proxy-late', nth: [8], window: 2 },
      { kind: 'delay', channel: 'private-ai.proxy-slow', nth: [20], delayMs: 800 },
      { kind: 'malformed', channel: 'private-ai.proxy-broken', nth: [12] },
      // closed after its 35th event, as a load balancer or a restarting server does; pusher-js comes back at once (42xx) on a new
      // socket, which gets fewer than 35 events more (nth counts per socket), so it happens once
      { kind: 'disconnect', channel: 'private-ai.proxy-cut', nth: [35], code: 4200 },
    ],
  },
  sessions: [
    { id: 'proxy-drop' },
    { id: 'proxy-dup' },
    { id: 'proxy-late' },
    { id: 'proxy-slow' },
    { id: 'proxy-broken' },
    { id: 'proxy-crash', faults: [{ kind: 'crash', afterTokens: 10, retry: { tries: 2, backoffMs: 20 } }] },
    // 10 ms apart: the stream is still going (for 300 ms more) when the client is back
    { id: 'proxy-cut', tokens: 60, timing: { interTokenMs: 10 } },
  ],
  expect: [
    { session: 'proxy-drop', counts: { missing: 2, gaps: 1 } },
    { session: 'proxy-dup', counts: { duplicates: 2, missing: 0 } },
    { session: 'proxy-late', counts: { outOfOrder: 1, missing: 0 } },
    { session: 'proxy-slow', counts: { stalls: 1, missing: 0 } },
    { session: 'proxy-broken', counts: { violations: 1, missing: 0 } },
    { session: 'proxy-crash', counts: { replays: 1, duplicates: 10 } },
    // what the server published while the client was away went to nobody: the ground truth says how much
    { session: 'proxy-cut', counts: { disconnects: 1 } },
    { session: '*', status: 'completed' },
  ],
};

export const SEED_SCENARIOS: readonly ScenarioInput[] = [crashRetry, truncation, silentDeath, stall, reorder, gaps, afterTerminal, malformed, disconnect, mixedFleet, proxyFaults];

export const BUILTIN_SCENARIOS: readonly ScenarioInput[] = [...SEED_SCENARIOS, ...LARAVEL_AI_SCENARIOS, ...PRISM_SCENARIOS, ...VERCEL_SCENARIOS];

export function builtinScenario(name: string): ScenarioInput | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.name === name);
}
