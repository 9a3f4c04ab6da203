import type { AnomalyKind, SessionChecks } from '../analysis/verdict';
import { ANOMALY_KINDS } from '../analysis/verdict';
import type { ContractState } from '../contract/states';
import { isStreamContract, type ScenarioContract } from './contracts';
import type { FaultKind, MalformedVariant } from './faults';
import type { ProxyTruth } from '../proxy/truth';

/**
 * Ground truth (DESIGN §7): what the simulator sent and which faults it applied, per session
 * and per sequence. Deterministic: times are planned offsets from the session's start (waiting
 * for a subscriber is not part of the plan), so the same scenario and seed give the same truth.
 */

export type TruthDelivery = 'sent' | 'dropped' | 'malformed' | 'oversize';

export interface TruthEvent {
  /** Planned ms since the session started. */
  t: number;
  attempt: number;
  /**
   * The sequence the job meant to send (a malformed payload may spell it differently). On a
   * stream contract, which has none, the event's position within its attempt as a correct reader
   * numbers it: in the order events first arrive, a redelivery (same `id`) keeping its place, a
   * broken or oversized payload taking none.
   */
  sequence: number;
  /** A stream contract's event id (time-ordered, increasing in generation order within the session); none on `vercel-data-stream`, which has no id per event. */
  id?: string;
  /** What the wire says: on a stream contract, the state its end reason or error event means. */
  state: ContractState;
  chunk: string;
  /** The seed's termination code; on a stream contract the end's reason or the error's code as broadcast. */
  terminationCode: string | null;
  /** `dropped` was never published; `malformed` / `oversize` went out broken. */
  delivery: TruthDelivery;
  variant?: MalformedVariant;
  /** Faults that shaped this event: `duplicate`, `reorder`, `after-terminal`, `latency-spike`, … */
  faults?: FaultKind[];
}

export interface TruthFault {
  kind: FaultKind | 'retry' | 'failed' | 'sweep';
  attempt: number;
  /** Planned ms since the session started. */
  t: number;
  /** Tokens of the attempt sent before it (for moment and ending faults). */
  afterSequence?: number;
  detail: string;
  code?: number;
  /**
   * `false` for a fault the scenario names that had nothing to act on in this session (a draw by
   * probability that chose no event, a moment after more tokens than a sampled count gave):
   * `detail` says why. The schema refuses what can be known not to happen; this is the rest.
   */
  applied?: false;
}

/** How the generation record ended (its `progress`). */
export type GenerationOutcome = 'completed' | 'truncated' | 'failed' | 'orphaned';

export interface SessionTruth {
  sessionId: string;
  channel: string;
  /** Index of the scenario's session group. */
  group: number;
  attempts: number;
  outcome: GenerationOutcome;
  /** The record's final_text (null when the job never resolved with text). */
  finalText: string | null;
  terminationCode: string | null;
  /** Every event in the order it was handed to the server (a reordered event in its late place). */
  events: TruthEvent[];
  faults: TruthFault[];
  /**
   * With `target: proxy`: `eventDigest` of each published event's data as the server was given
   * it, in publish order (the events of `publishedEvents`), so a client that came back on a new
   * socket is placed where its events fall (shared/scenario/proxied.ts).
   */
  publishedDigests?: string[];
}

export interface GroundTruth {
  version: 1;
  scenario: string;
  seed: number;
  /** The contract the simulator spoke (the seed's, `echoscope`, unless the scenario says otherwise). */
  contract: ScenarioContract;
  sessions: SessionTruth[];
  /** With `target: proxy`: what the proxy did to each event it passed (shared/proxy/truth.ts). */
  proxy?: ProxyTruth;
}

/** Events that reached the server (everything but drops), in publish order. */
export function publishedEvents(session: SessionTruth): TruthEvent[] {
  return session.events.filter((e) => e.delivery !== 'dropped');
}

export type AnomalyCounts = Record<AnomalyKind, number>;

export function zeroCounts(): AnomalyCounts {
  return Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as AnomalyCounts;
}

export interface ExpectationSettings {
  stallAfterMs: number;
  /** The contract the truth was played in (default the seed's). */
  contract?: ScenarioContract;
  /**
   * What the verdict says the contract lets EchoScope check (default everything): an anomaly of
   * a kind that cannot be checked is never expected — `gap` without `checks.gaps`, `out_of_order`
   * without `checks.order`, and without `checks.duplicates` no `duplicate` or `conflict` from a
   * redelivery (an event arriving again within its attempt). A restart's re-sent positions are
   * still expected: the reader knows the restart from the contract's start event, not from ids,
   * and counts the new attempt's positions it had already seen as duplicates (the analyzer does).
   */
  checks?: SessionChecks;
}

/**
 * The anomalies a correct detector must report for one session, derived from what was sent
 * (publish order is arrival order on one socket) and which faults were applied. This is the
 * reference `check` scores EchoScope's analyzer against: counted per anomaly, the way the
 * verdict lists them (one `gap` per missing range, one `stall` per silence).
 */
export function expectedAnomalies(session: SessionTruth, settings: ExpectationSettings): AnomalyCounts {
  const counts = zeroCounts();
  const stream = settings.contract !== undefined && isStreamContract(settings.contract);
  // A stream's positions are arrival positions: a late event is out of order only by its id
  // (ids are made in generation order): one that sorts below an id its attempt already had.
  let lateById = 0;
  const seenIds = new Set<string>();
  let attemptMaxId: string | null = null;
  const firstChunk = new Map<number, string>();
  /** The attempt that first sent each position (a duplicate from the same attempt is a redelivery). */
  const firstAttempt = new Map<number, number>();
  let redelivered = 0;
  let redeliveredConflicts = 0;
  /** Events positioned so far (a stream without ids: position 1 after any of them opens a new attempt). */
  let positioned = 0;
  const terminalBySequence = new Map<number, string>();
  let max = 0;
  let min = Number.POSITIVE_INFINITY;
  let sinceRestartMax = 0;
  let terminal: string | null = null;
  let lastT = Number.NaN;

  for (const event of session.events) {
    if (event.delivery === 'dropped') continue;
    if (terminal === null && !Number.isNaN(lastT) && event.t - lastT >= settings.stallAfterMs) counts.stall++;
    lastT = Number.isNaN(lastT) ? event.t : Math.max(lastT, event.t);
    if (event.delivery === 'malformed') {
      counts.violation++;
      continue;
    }
    if (event.delivery === 'oversize') {
      counts.oversize++;
      continue;
    }
    const seq = event.sequence;
    const wasTerminal = terminal !== null;
    const first = firstChunk.get(seq);
    const duplicate = first !== undefined;
    if (stream && event.id !== undefined && !seenIds.has(event.id)) {
      // position 1 of a new id opens an attempt: the first, or a retry starting over (a replay, whatever came before it)
      if (seq === 1) {
        if (seenIds.size > 0) counts.replay++;
        attemptMaxId = null;
      }
      if (attemptMaxId !== null && event.id < attemptMaxId) lateById++;
      else attemptMaxId = event.id;
      seenIds.add(event.id);
    } else if (stream && event.id === undefined) {
      // no id per event (the Vercel stream): every event is new, and position 1 after others is a new start
      if (seq === 1 && positioned > 0) counts.replay++;
    }
    positioned++;
    if (duplicate) {
      counts.duplicate++;
      const conflict = first !== event.chunk;
      if (conflict) counts.conflict++;
      if (firstAttempt.get(seq) === event.attempt) {
        redelivered++;
        if (conflict) redeliveredConflicts++;
      }
      if (seq === min && sinceRestartMax > seq) {
        if (!stream) counts.replay++;
        sinceRestartMax = seq;
      }
    } else {
      if (seq < max) counts.out_of_order++;
      firstChunk.set(seq, event.chunk);
      firstAttempt.set(seq, event.attempt);
      if (seq > max) max = seq;
      if (seq < min) min = seq;
    }
    if (seq > sinceRestartMax) sinceRestartMax = seq;
    if (wasTerminal) counts.after_terminal++;
    if (event.state !== 'generating') {
      const known = terminalBySequence.get(seq);
      if (!(duplicate && known === event.state)) {
        if (known === undefined) terminalBySequence.set(seq, event.state);
        if (terminal !== null && terminal !== event.state) counts.terminal_conflict++;
        terminal = event.state;
      }
    }
  }
  // Holes in 1..max, one anomaly per missing range.
  let inHole = false;
  for (let seq = 1; seq <= max; seq++) {
    const missing = !firstChunk.has(seq);
    if (missing && !inHole) counts.gap++;
    inHole = missing;
  }
  // A session that never ended is still silent when the run is judged (the run waits for the sweeper).
  if (terminal === null && !Number.isNaN(lastT)) counts.stall++;
  counts.disconnect = session.faults.filter((f) => f.kind === 'disconnect' && f.applied !== false).length;
  if (stream) counts.out_of_order += lateById;
  if (settings.checks?.gaps === false) counts.gap = 0;
  if (settings.checks?.order === false) counts.out_of_order = 0;
  if (settings.checks?.duplicates === false) {
    counts.duplicate -= redelivered;
    counts.conflict -= redeliveredConflicts;
  }
  return counts;
}
