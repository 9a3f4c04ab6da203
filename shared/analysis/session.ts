import { isTerminalState, type ContractEventScratch, type ContractViolation, type TerminalState } from '../contract';
import { LatencyHistogram, roundMs } from './histogram';
import { Arrival, SequenceLedger, type Hole, type SequenceRange } from './ledger';
import type { ResolvedOptions } from './options';
import { FrameFlag, packClassification } from './classification';
import { intersectRanges, normalizeRanges } from './ranges';
import { SessionText } from './text';
import {
  ALL_CHECKS,
  UNSTATED_CHOICE,
  type Anomaly,
  type GapRange,
  type KnownStart,
  type PublishedVsDelivered,
  type SessionStatus,
  type SessionVerdict,
  type TtftNote,
  type Vantage,
} from './verdict';

/** terminalStates longer than this is pathological; the first ones tell the story. */
const MAX_TERMINAL_STATES = 100;

/**
 * An unseen #1 arriving after higher sequences is a reorder, not a restart, only while the
 * attempt is this shallow (its highest sequence at most 1 + this) and younger than the reorder
 * window: queue workers racing each other swap neighbours, a retry starts over after a failure.
 */
export const MAX_REORDER_DEPTH = 8;

/** Delivery loss found by comparing an observation with the session's other observations. */
export interface DeliveryLoss {
  ranges: SequenceRange[];
  count: number;
  /** Arrival time at the first observation that got each range's first sequence (NaN when unknown). */
  at: number[];
}

/**
 * Everything the Analyzer keeps about one *observation*: one session seen from one vantage (a
 * connection, an imported file's connection). Per event it updates counters, the sequence
 * ledger (min, max + holes), the current attempt's range, two fixed-size histograms and the
 * text store; it keeps no per-event timestamps. Anomalies are capped (`maxAnomaliesPerSession`).
 */
export class SessionTracker {
  readonly channel: string;
  readonly vantage: Vantage;
  /** `vantage` as one string (connection, or source + connection): what the analyzer matches frames on. */
  readonly vantageKey: string;

  private events = 0;
  private duplicates = 0;
  private conflicts = 0;
  private replays = 0;
  private outOfOrder = 0;
  private afterTerminal = 0;
  private stallsResumed = 0;
  private violations = 0;
  private disconnects = 0;

  readonly ledger = new SequenceLedger();
  /** The attempt being received: 1, then +1 at each restart (replay). */
  private attempt = 1;
  /** Lowest and highest sequence of the current attempt; NaN before the first event. */
  private attemptMin = Number.NaN;
  private attemptMax = Number.NaN;
  private attemptFirstAt = Number.NaN;
  /** Ranges of the attempts before the current one: holes outside every attempt were never observed. */
  private readonly earlierAttempts: SequenceRange[] = [];
  /** Lowest sequence of the first attempt: where this observation's coverage begins. */
  private firstAttemptMin = Number.NaN;
  /** Lag behind the session's first observation of each event (comparisons; set by the analyzer). */
  lag: LatencyHistogram | null = null;
  /** Events this observation received before any other observation of the session did. */
  firstArrivals = 0;
  /** A server-side tap's observation: what was published (`vantage.tap`). */
  readonly tap: boolean;
  /** Publish (a tap's arrival) to this client observation's arrival, per event (set by the analyzer). */
  publishLag: LatencyHistogram | null = null;

  private firstEventAt = Number.NaN;
  /** Last frame of any kind attributed to the session: what a stall is measured from. */
  private lastActivityAt = Number.NaN;
  private lastNewEventAt = Number.NaN;
  private firstTokenAt = Number.NaN;
  readonly subscribedAt: number;

  private firstTerminalAt = Number.NaN;
  private readonly terminalStates: TerminalState[] = [];
  private lastTerminalState: TerminalState | null = null;
  private terminationCode: string | null = null;
  /** What the contract said went wrong (an error event's message), when it says. */
  private terminationDetail: string | null = null;
  /** State of each terminal event's sequence, to tell a redelivered terminal from a new one. */
  private terminalBySequence: Map<number, TerminalState> | null = null;

  private readonly interToken = new LatencyHistogram();
  private readonly delivery = new LatencyHistogram();
  private readonly text: SessionText;

  private readonly anomalies: Anomaly[] = [];
  private anomaliesDropped = 0;

  constructor(
    readonly sessionId: string,
    channel: string,
    vantage: Vantage,
    vantageKey: string,
    /** When the vantage's subscription to the channel was confirmed; NaN when unknown. */
    subscribedAt: number,
    private readonly options: ResolvedOptions,
  ) {
    this.channel = channel;
    this.vantage = vantage;
    this.vantageKey = vantageKey;
    this.tap = vantage.tap !== undefined;
    this.subscribedAt = subscribedAt;
    this.text = new SessionText(options.maxTextChars);
  }

  get firstAt(): number {
    return this.firstEventAt;
  }

  /** When the session was first seen, last heard from, and first ended (NaN where not yet). */
  get times(): SessionTimes {
    return { firstAt: this.firstEventAt, lastAt: this.lastActivityAt, terminalAt: this.firstTerminalAt };
  }

  get isTerminal(): boolean {
    return this.lastTerminalState !== null;
  }

  /** A session is open from its first frame until its first terminal event. */
  get isOpen(): boolean {
    return this.lastTerminalState === null;
  }

  /** Its vantage dropped while the session was open (a tap that did may have missed publishes). */
  get interrupted(): boolean {
    return this.disconnects > 0;
  }

  /** The last frame's classification (see classification.ts), set by `event` and `violation`. */
  classification = 0;
  /** The inter-token gap the last frame added to `interTokenMs` (ms); NaN when it added none. */
  lastGapMs = Number.NaN;

  /**
   * The frame's event, decoded into `e`. Returns true when the sequence was new to this
   * observation (for the comparison's lag). Takes the frame, not its time: a number passed to a
   * call that is not inlined is boxed, one allocation per frame.
   */
  event(frame: { readonly at: number }, e: ContractEventScratch): boolean {
    const at = frame.at;
    this.lastGapMs = Number.NaN;
    this.activity(at, e.sequence);
    const wasTerminal = this.lastTerminalState !== null;
    this.events++;
    if (Number.isNaN(this.firstEventAt)) this.firstEventAt = at;
    const sequence = e.sequence;
    const arrival = this.ledger.add(sequence, at);
    const duplicate = arrival === Arrival.Duplicate;

    let restart = false;
    if (Number.isNaN(this.attemptMax)) {
      this.attemptMin = sequence;
      this.attemptMax = sequence;
      this.attemptFirstAt = at;
    } else if (e.attempt > 0) {
      // The contract names the attempt (an event stream's run id or start event): a later one is a restart.
      restart = e.attempt > this.attempt;
    } else if (sequence < this.attemptMax) {
      // A restart falls back to the attempt's lowest sequence (seen again), or to an unseen #1
      // after higher ones — what a retry looks like when the observation joined mid-stream.
      if (duplicate) restart = sequence === this.attemptMin;
      else restart = sequence === 1 && !this.shallowReorder(at);
    }

    let flags: number = FrameFlag.Analyzed | (duplicate ? FrameFlag.Duplicate : FrameFlag.FirstSeen);
    if (duplicate) {
      this.duplicates++;
      this.note({ kind: 'duplicate', at, sequence });
      if (this.text.differsFromFirst(sequence, e.chunk)) {
        flags |= FrameFlag.Conflict;
        this.conflicts++;
        const anomaly: Anomaly = { kind: 'conflict', at, sequence, chunk: cut(e.chunk) };
        const first = this.text.firstChunk(sequence);
        if (first !== undefined) anomaly.firstChunk = cut(first);
        this.note(anomaly);
      }
    }
    if (restart) {
      flags |= FrameFlag.Restart;
      this.replays++;
      this.note({ kind: 'replay', at, sequence, restartedAfter: this.attemptMax });
      this.earlierAttempts.push({ from: this.attemptMin, to: this.attemptMax });
      this.attempt = e.attempt > this.attempt ? e.attempt : this.attempt + 1;
      this.attemptMin = sequence;
      this.attemptMax = sequence;
      this.attemptFirstAt = at;
    } else {
      // Order is judged within the attempt: a retry's own events are in order however far below
      // the earlier attempt's highest sequence they are.
      if (!duplicate && (sequence < this.attemptMax || e.late)) {
        flags |= FrameFlag.OutOfOrder;
        this.outOfOrder++;
        this.note({ kind: 'out_of_order', at, sequence, max: this.attemptMax });
      }
      if (sequence > this.attemptMax) this.attemptMax = sequence;
      if (sequence < this.attemptMin) this.attemptMin = sequence;
    }
    if (this.attempt === 1) this.firstAttemptMin = this.attemptMin;

    if (duplicate) this.text.arrived(e.chunk);
    else {
      this.text.firstArrived(sequence, e.chunk);
      if (!Number.isNaN(this.lastNewEventAt)) {
        this.lastGapMs = at - this.lastNewEventAt;
        this.interToken.record(this.lastGapMs);
      }
      this.lastNewEventAt = at;
    }
    if (!Number.isNaN(e.emittedAt)) this.delivery.record(at - e.emittedAt);
    if (e.state === 'generating' && Number.isNaN(this.firstTokenAt)) this.firstTokenAt = at;

    if (wasTerminal) {
      flags |= FrameFlag.AfterTerminal;
      this.afterTerminal++;
      this.note({ kind: 'after_terminal', at, sequence });
    }
    if (isTerminalState(e.state)) {
      flags |= FrameFlag.Terminal;
      this.terminal(at, sequence, e.state, e.terminationCode, duplicate);
      if (e.detail !== null && !duplicate) this.terminationDetail = e.detail;
    }
    this.classification = packClassification(flags, this.attempt);
    return !duplicate;
  }

  /** An unseen #1 right after a few higher ones, early in the attempt: neighbours swapped in delivery. */
  private shallowReorder(at: number): boolean {
    return this.attemptMax - 1 <= MAX_REORDER_DEPTH && at - this.attemptFirstAt < this.options.reorderWindowMs;
  }

  violation(at: number, violation: ContractViolation): void {
    this.activity(at, violation.sequence);
    this.classification = packClassification(FrameFlag.Analyzed | FrameFlag.Violation, this.attempt);
    this.violations++;
    const anomaly: Anomaly = { kind: violation.kind, at, reason: violation.reason };
    if (violation.sequence !== undefined) anomaly.sequence = violation.sequence;
    this.note(anomaly);
  }

  disconnected(at: number, connection: string, state: string, code: number | undefined): void {
    this.disconnects++;
    const anomaly: Anomaly = { kind: 'disconnect', at, connection, state };
    if (code !== undefined) anomaly.code = code;
    this.note(anomaly);
  }

  /** Stall bookkeeping shared by every frame attributed to the session. */
  private activity(at: number, sequence: number | undefined): void {
    const last = this.lastActivityAt;
    if (this.lastTerminalState === null && !Number.isNaN(last) && at - last >= this.options.stallAfterMs) {
      this.stallsResumed++;
      const anomaly: Anomaly = { kind: 'stall', at: last + this.options.stallAfterMs, silentMs: roundMs(at - last) };
      if (sequence !== undefined) anomaly.sequence = sequence;
      this.note(anomaly);
    }
    if (Number.isNaN(last) || at > last) this.lastActivityAt = at;
  }

  private terminal(at: number, sequence: number, state: TerminalState, code: string | null, duplicate: boolean): void {
    const known = this.terminalBySequence?.get(sequence);
    // A redelivered terminal event (same sequence, same state) is a duplicate, not news.
    if (duplicate && known === state) return;
    if (known === undefined) (this.terminalBySequence ??= new Map()).set(sequence, state);
    if (Number.isNaN(this.firstTerminalAt)) this.firstTerminalAt = at;
    const previous = this.lastTerminalState;
    if (previous !== null && previous !== state) {
      this.note({ kind: 'terminal_conflict', at, sequence, state, previous });
    }
    if (this.terminalStates.length < MAX_TERMINAL_STATES) this.terminalStates.push(state);
    this.lastTerminalState = state;
    this.terminationCode = code;
  }

  private note(anomaly: Anomaly): void {
    if (this.anomalies.length < this.options.maxAnomaliesPerSession) this.anomalies.push(anomaly);
    else this.anomaliesDropped++;
  }

  /**
   * Did this observation begin after the stream had? Its first attempt's lowest sequence is above
   * 1, and either the job's start is known and came before the subscription (or no subscription
   * is known), or — start unknown — the first event arrived within `lateJoinWindowMs` of the
   * subscription (subscribed long before a first event that is not #1 ⇒ the head was lost).
   */
  joinedLate(start: KnownStart | undefined): boolean {
    if (!(this.firstAttemptMin > 1)) return false;
    if (Number.isNaN(this.subscribedAt)) return true;
    const began = start === undefined ? 'unknown' : startedBefore(start, this.subscribedAt);
    if (began !== 'unknown') return began;
    return this.firstEventAt - this.subscribedAt < this.options.lateJoinWindowMs;
  }

  /**
   * The earliest time after `nowMs` at which this observation's verdict can change with no new
   * frame: the stall and orphan thresholds of an open session, and each hole leaving the reorder
   * window (then it counts as a gap). Infinity when time alone changes nothing (a terminal
   * session reports every hole at once). What the monitor's deadline heap is keyed on.
   */
  nextChangeAt(nowMs: number): number {
    if (this.lastTerminalState !== null || Number.isNaN(this.lastActivityAt)) return Number.POSITIVE_INFINITY;
    const { stallAfterMs, orphanAfterMs, reorderWindowMs } = this.options;
    let next = Number.POSITIVE_INFINITY;
    const stall = this.lastActivityAt + stallAfterMs;
    const orphan = this.lastActivityAt + orphanAfterMs;
    if (stall > nowMs) next = stall;
    else if (orphan > nowMs) next = orphan;
    const ledger = this.ledger;
    // the lead 1..min−1 (when it is a hole) was revealed by the first event
    if (ledger.unique > 0 && ledger.min > 1) {
      const lead = ledger.firstAt + reorderWindowMs;
      if (lead > nowMs && lead < next) next = lead;
    }
    for (const hole of ledger.holes) {
      const aged = hole.revealedAt + reorderWindowMs;
      if (aged > nowMs && aged < next) next = aged;
    }
    return next;
  }

  /** Sequences this observation received, as ranges (for the comparison). */
  received(): SequenceRange[] {
    return this.ledger.ranges();
  }

  /** Where coverage begins: 1, or the sequence it joined at. */
  coverageFrom(start: KnownStart | undefined): number {
    return this.joinedLate(start) ? this.firstAttemptMin : 1;
  }

  /**
   * Holes that count as loss: those between sequences this observation saw within one attempt's
   * range (after a late join and a retry, a hole between the retry's end and the join point was
   * never observed), plus the lead `1..min−1` when it did not join late.
   */
  private lossHoles(late: boolean): Hole[] {
    const ledger = this.ledger;
    let holes: Hole[] = ledger.holes;
    if (this.earlierAttempts.length > 0 && holes.length > 0) {
      const covered = normalizeRanges([...this.earlierAttempts, { from: this.attemptMin, to: this.attemptMax }]);
      const clipped: Hole[] = [];
      for (const hole of holes) {
        for (const part of intersectRanges([hole], covered)) clipped.push({ from: part.from, to: part.to, revealedAt: hole.revealedAt });
      }
      holes = clipped;
    }
    if (!late && ledger.unique > 0 && ledger.min > 1) holes = [{ from: 1, to: ledger.min - 1, revealedAt: ledger.firstAt }, ...holes];
    return holes;
  }

  verdict(nowMs: number, endOfJournal: boolean, includeText: boolean, start?: KnownStart, loss?: DeliveryLoss, published?: PublishedVsDelivered): SessionVerdict {
    const { stallAfterMs, orphanAfterMs, reorderWindowMs, maxGapRanges } = this.options;
    const terminal = this.lastTerminalState;
    const silentMs = nowMs - this.lastActivityAt;
    let status: SessionStatus;
    let ongoingStall = false;
    if (terminal !== null) status = terminal;
    else if (silentMs >= orphanAfterMs) status = 'orphaned';
    else if (silentMs >= stallAfterMs) status = 'stalled';
    else status = 'streaming';
    if (terminal === null && silentMs >= stallAfterMs) ongoingStall = true;

    const derived: Anomaly[] = [];
    if (ongoingStall) {
      derived.push({ kind: 'stall', at: this.lastActivityAt + stallAfterMs, silentMs: roundMs(silentMs), ongoing: true });
    }
    // A session that ended (terminal, or the journal is over) reports every hole; a live one
    // only the holes older than the reorder window.
    const ended = endOfJournal || terminal !== null;
    const late = this.joinedLate(start);
    const gaps: GapRange[] = [];
    let missing = 0;
    for (const hole of this.lossHoles(late)) {
      if (!ended && nowMs - hole.revealedAt < reorderWindowMs) continue;
      const count = hole.to - hole.from + 1;
      missing += count;
      if (gaps.length < maxGapRanges) {
        gaps.push({ from: hole.from, to: hole.to });
        derived.push({ kind: 'gap', at: hole.revealedAt, sequence: hole.from, to: hole.to, count });
      }
    }

    if (loss !== undefined) {
      loss.ranges.forEach((range, i) => {
        if (i >= maxGapRanges) return;
        const at = loss.at[i];
        derived.push({
          kind: 'delivery_loss',
          at: at !== undefined && !Number.isNaN(at) ? at : this.lastActivityAt,
          sequence: range.from,
          to: range.to,
          count: range.to - range.from + 1,
        });
      });
    }

    let anomalies: Anomaly[] = this.anomalies.slice();
    let dropped = this.anomaliesDropped;
    if (derived.length > 0) {
      const room = Math.max(0, this.options.maxAnomaliesPerSession - anomalies.length);
      dropped += Math.max(0, derived.length - room);
      anomalies = anomalies.concat(derived.slice(0, room));
      anomalies.sort((a, b) => a.at - b.at); // stable: same-time anomalies keep detection order
    }

    const ttft = this.ttft(late, start);
    const verdict: SessionVerdict = {
      sessionId: this.sessionId,
      channel: this.channel,
      connection: this.vantage.connection,
      ...(this.vantage.source !== undefined ? { source: this.vantage.source } : {}),
      ...(this.vantage.tap !== undefined ? { tap: this.vantage.tap } : {}),
      ...(published !== undefined ? { published } : {}),
      status,
      terminalStates: this.terminalStates.slice(),
      terminationCode: this.terminationCode,
      ...(this.terminationDetail === null ? {} : { terminationDetail: this.terminationDetail }),
      events: this.events,
      uniqueSequences: this.ledger.unique,
      maxSequence: this.ledger.max,
      duplicates: this.duplicates,
      conflicts: this.conflicts,
      replays: this.replays,
      outOfOrder: this.outOfOrder,
      afterTerminal: this.afterTerminal,
      missing,
      gaps,
      stalls: this.stallsResumed + (ongoingStall ? 1 : 0),
      violations: this.violations,
      disconnects: this.disconnects,
      deliveryLoss: loss?.count ?? 0,
      attempts: this.attempt,
      lastAttempt: Number.isNaN(this.attemptMax) ? null : { attempt: this.attempt, from: this.attemptMin, to: this.attemptMax },
      joinedLate: late,
      // the contract's: set by the Analyzer, which knows it
      checks: ALL_CHECKS,
      contract: UNSTATED_CHOICE,
      coverage: {
        subscribedAt: Number.isNaN(this.subscribedAt) ? null : this.subscribedAt,
        fromSequence: this.ledger.unique === 0 ? null : late ? this.firstAttemptMin : 1,
      },
      ttftMs: ttft.ms,
      ttftFrom: ttft.from,
      durationMs: Number.isNaN(this.firstTerminalAt) ? null : roundMs(this.firstTerminalAt - this.firstEventAt),
      interTokenMs: this.interToken.summary(),
      deliveryMs: this.delivery.summary(),
      text: includeText ? this.text.text() : '',
      naiveText: includeText ? this.text.naiveText() : '',
      anomalies,
    };
    if (ttft.note !== undefined) verdict.ttftNote = ttft.note;
    if (this.text.textTruncated) verdict.textTruncated = true;
    if (this.text.naiveTextTruncated) verdict.naiveTextTruncated = true;
    if (dropped > 0) verdict.anomaliesDropped = dropped;
    return verdict;
  }

  /**
   * Time to first token, only from a known start of the job (a scenario run, the app record's
   * `initiated_at`) and only when the observation saw the stream from its beginning. A
   * subscription is no start: subscribed long before the job, it measures idle waiting.
   */
  private ttft(late: boolean, start: KnownStart | undefined): { ms: number | null; from: KnownStart['from'] | null; note?: TtftNote } {
    if (Number.isNaN(this.firstTokenAt)) return { ms: null, from: null, note: 'no_token' };
    if (late) return { ms: null, from: null, note: 'joined_late' };
    if (start === undefined) return { ms: null, from: null, note: 'no_known_start' };
    // Subscribed after the job began (or the journal does not say when): the first token seen may be a retry's.
    // Within a coarse start's resolution (a record saved to the second) the order is unknown: measured from the start, like a subscription before it.
    if (Number.isNaN(this.subscribedAt) || startedBefore(start, this.subscribedAt) === true) return { ms: null, from: null, note: 'joined_late' };
    return { ms: roundMs(Math.max(0, this.firstTokenAt - start.at)), from: start.from };
  }
}

/**
 * Did the job certainly begin before `at`? True when even the latest instant its start can name
 * is before it, false when its earliest is not, `unknown` within a coarse start's resolution.
 */
function startedBefore(start: KnownStart, at: number): boolean | 'unknown' {
  if (start.at >= at) return false;
  if (start.at + (start.precisionMs ?? 0) <= at) return true;
  return 'unknown';
}

function cut(chunk: string): string {
  return chunk.length > 80 ? `${chunk.slice(0, 80)}…` : chunk;
}

/** Arrival times of a session, for time-bucketed fleet views (not part of the verdict JSON). */
export interface SessionTimes {
  firstAt: number;
  lastAt: number;
  terminalAt: number;
}
