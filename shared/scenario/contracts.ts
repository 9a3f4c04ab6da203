import { z } from 'zod';
import type { TerminalState } from '../contract/states';
import type { CombinationIssue } from './combinations';
import type { Fault, MalformedVariant } from './faults';

/**
 * Which broadcast contract a scenario's simulator speaks (docs/scenarios.md, "Contracts"): the
 * seed's `chunk.delivered` with sequence numbers (`echoscope`), or an event stream without them as
 * the Laravel AI SDK (`laravel-ai`) or Prism (`prism`) broadcasts it, or the Vercel AI SDK's UI
 * message stream as an app would relay it over Echo (`vercel-data-stream`) — their shapes, read
 * from the projects' source, are in docs/contracts-research.md §1, §2 and §3.
 *
 * The job the simulator plays is the same for every contract (attempts, tokens, faults); this
 * file says what each contract's wire makes of it: its terminal events, and which faults a stream
 * without sequence numbers cannot show.
 */

export const SCENARIO_CONTRACTS = ['echoscope', 'laravel-ai', 'prism', 'vercel-data-stream'] as const;
export const ScenarioContractSchema = z.enum(SCENARIO_CONTRACTS);
export type ScenarioContract = z.infer<typeof ScenarioContractSchema>;
export type StreamContract = Exclude<ScenarioContract, 'echoscope'>;

export function isStreamContract(contract: ScenarioContract): contract is StreamContract {
  return contract !== 'echoscope';
}

/** The seed's termination codes the simulator's job ends with (plan.ts). */
export type JobEndCode = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'client_cancelled' | 'exception';

/** How a stream contract ends a run: the event, the word it carries and the state that word means. */
export interface StreamTerminal {
  /** `end` is the contract's end event (`stream_end`, Vercel's `finish`), `abort` Vercel's `abort`, `error` its error event. */
  role: 'end' | 'abort' | 'error';
  /** The end's reason (`stream_end.reason`, Prism's `finish_reason`, Vercel's `finishReason`), or the abort's or error's code as the verdict shows it. */
  code: string;
  state: TerminalState;
}

/**
 * The terminal each contract broadcasts for each way the job ends.
 *
 * - `max_tokens` → `length` (laravel/ai `FinishReason::Length`; Prism's enum name `Length`).
 * - `stop_sequence` → `stop` / `Stop`: both map the provider's stop-sequence stop to a natural stop
 *   (laravel/ai `Gateway/Anthropic/Concerns/ParsesTextResponses.php` @`0273cec1…`
 *   `'end_turn', 'stop_sequence' => FinishReason::Stop`; Prism's provider maps likewise), so the
 *   cut is not visible on the wire: the stream reads `completed`.
 * - `client_cancelled` → `cancelled` (laravel/ai's later `FinishReason::Cancelled`). Prism has no such
 *   reason (refused below).
 * - `exception` → laravel-ai: `BroadcastAgent::failed()`'s `stream_failed` event (its name is the
 *   verdict's code); Prism: an `error` event with `error_type` `api_error` and `recoverable: false`.
 *
 * `vercel-data-stream` (research §3): `finish {finishReason}` with the AI SDK's `FinishReason`
 * (`stop`, `length`); a cancel is the `abort` chunk (abandoned; its code is the chunk's kind,
 * `abort`, as the verdict reads it); a failure is `error {errorText}` with no `finish` after it
 * (code `error`, the chunk's kind).
 */
export function streamTerminal(contract: StreamContract, code: JobEndCode): StreamTerminal {
  if (contract === 'vercel-data-stream') {
    switch (code) {
      case 'end_turn':
      case 'stop_sequence':
        return { role: 'end', code: 'stop', state: 'completed' };
      case 'max_tokens':
        return { role: 'end', code: 'length', state: 'truncated' };
      case 'client_cancelled':
        return { role: 'abort', code: 'abort', state: 'abandoned' };
      case 'exception':
        return { role: 'error', code: 'error', state: 'errored' };
    }
  }
  const prism = contract === 'prism';
  switch (code) {
    case 'end_turn':
    case 'stop_sequence':
      return { role: 'end', code: prism ? 'Stop' : 'stop', state: 'completed' };
    case 'max_tokens':
      return { role: 'end', code: prism ? 'Length' : 'length', state: 'truncated' };
    case 'client_cancelled':
      return { role: 'end', code: prism ? 'Other' : 'cancelled', state: prism ? 'completed' : 'abandoned' };
    case 'exception':
      return { role: 'error', code: prism ? PRISM_ERROR_TYPE : 'stream_failed', state: 'errored' };
  }
}

/** The `error_type` of the Prism `error` event the simulator sends for a failed job. */
export const PRISM_ERROR_TYPE = 'api_error';

/**
 * The one Echo event name the simulator's Vercel relay broadcasts every UI message chunk under,
 * the chunk's `type` inside (the contract's `kindField`): an app's `broadcastAs()`. No first-party
 * relay exists (research §3); one name is what a relay forwarding chunks as they come would do.
 */
export const VERCEL_RELAY_EVENT = 'ai.chunk';

/**
 * Every event name a contract's simulator publishes (what a watcher counts as the session's
 * frames). The seed's is the scenario's `event`.
 */
export const STREAM_EVENT_NAMES: Record<StreamContract, readonly string[]> = {
  'laravel-ai': ['stream_start', 'text_start', 'text_delta', 'text_end', 'stream_end', 'stream_failed'],
  prism: ['stream_start', 'step_start', 'text_start', 'text_delta', 'text_complete', 'step_finish', 'stream_end', 'error'],
  'vercel-data-stream': [VERCEL_RELAY_EVENT],
};

/**
 * What the verdict says EchoScope can check on each stream contract (its `checks`; none has
 * sequence numbers, so never gaps): order only with time-ordered ids, redeliveries only with an
 * id per event. The Vercel protocol's ids are per text part and random: neither. Kept equal to
 * the analyzer's `checksOf` by a test.
 */
export const STREAM_CHECKS: Record<StreamContract, { order: boolean; duplicates: boolean }> = {
  'laravel-ai': { order: true, duplicates: true },
  prism: { order: true, duplicates: true },
  'vercel-data-stream': { order: false, duplicates: false },
};

/** Malformed variants a stream contract can show: the others break the seed's `sequence` and `state`, fields a stream has not. */
export const STREAM_MALFORMED_VARIANTS: readonly MalformedVariant[] = ['broken-json'];

/**
 * Faults a scenario names that the contract cannot show, each with why and what is allowed
 * instead. Empty for the seed's contract, which shows every fault.
 */
export function contractFaultIssues(contract: ScenarioContract, faults: readonly Fault[]): CombinationIssue[] {
  if (!isStreamContract(contract)) return [];
  const issues: CombinationIssue[] = [];
  const vercel = contract === 'vercel-data-stream';
  const startEvent = vercel ? 'start' : 'stream_start';
  const endEvent = vercel ? 'finish' : 'stream_end';
  faults.forEach((fault, index) => {
    switch (fault.kind) {
      case 'duplicate':
        if (vercel) {
          issues.push({
            index,
            message:
              'duplicate cannot be shown by a vercel-data-stream: no id per event (a text part shares one), so a redelivery reads as new text (checks.duplicates: false; use laravel-ai, prism or echoscope)',
          });
        }
        break;
      case 'reorder':
        if (vercel) {
          issues.push({
            index,
            message:
              'reorder cannot be shown by a vercel-data-stream: no sequence number, and its ids are random, not time-ordered, so a late delta is just the next text (checks.order: false; use laravel-ai, prism or echoscope)',
          });
        }
        break;
      case 'drop':
        issues.push({
          index,
          message: `drop cannot be shown by a ${contract} stream: it carries no sequence number, so a dropped event leaves no trace (use contract: echoscope)`,
        });
        break;
      case 'malformed':
        if (!STREAM_MALFORMED_VARIANTS.includes(fault.variant)) {
          issues.push({
            index,
            field: ['variant'],
            message: `malformed variant ${fault.variant} breaks the seed's sequence or state field, which ${contract} events do not have; allowed for ${contract}: ${STREAM_MALFORMED_VARIANTS.join(', ')}`,
          });
        }
        break;
      case 'crash':
        if (fault.retry?.idempotent) {
          issues.push({
            index,
            field: ['retry', 'idempotent'],
            message: `a ${contract} retry re-streams from ${startEvent}${contract === 'laravel-ai' ? ' under a new invocation_id' : vercel ? ' with a new messageId' : ''}: there is no sequence to skip up to last_seq (use idempotent: false)`,
          });
        } else if (contract === 'prism' && fault.retry && fault.times >= fault.retry.tries) {
          issues.push({
            index,
            field: ['times'],
            message:
              'a crash on every try ends the job through its failed() hook, and Prism broadcasts nothing there (laravel-ai sends stream_failed): use times below retry.tries, or no retry',
          });
        }
        break;
      case 'truncate':
        if (fault.state === 'completed') {
          issues.push({
            index,
            field: ['state'],
            message: `${contract}'s ${endEvent} has a reason and no state (length reads truncated): use state: truncated, or code: stop_sequence, which the SDK reports as a natural stop`,
          });
        }
        break;
      case 'abandon':
        if (contract === 'prism') {
          issues.push({
            index,
            message: "Prism's finish_reason has no cancelled word (Stop, Length, ContentFilter, ToolCalls, Error, Other, Unknown): use silent-death for a run that just stops",
          });
        }
        break;
      default:
        break;
    }
  });
  return issues;
}
