import { isTerminalState, type ContractEventScratch, type ContractViolation, type TerminalState } from '../contract';
import { LatencyHistogram, roundMs } from './histogram';
import { Arrival, SequenceLedger } from './ledger';
import type { ResolvedOptions } from './options';
import { SessionText } from './text';
import type { Anomaly, GapRange, SessionStatus, SessionVerdict } from './verdict';

/** terminalStates longer than this is pathological; the first ones tell the story. */
const MAX_TERMINAL_STATES = 100;

/**
 * Everything the Analyzer keeps about one session. Per event it updates counters, the
 * sequence ledger (max + holes), two fixed-size histograms and the text store; it keeps no
 * per-event timestamps. Anomalies are capped (`maxAnomaliesPerSession`).
 */
export class SessionTracker {
  readonly channel: string;
  /** Connections this session received frames on (for disconnects). */
  readonly connections: string[] = [];

  private events = 0;
  private duplicates = 0;
  private conflicts = 0;
  private replays = 0;
  private outOfOrder = 0;
  private afterTerminal = 0;
  private stallsResumed = 0;
  private violations = 0;
  private disconnects = 0;

  private readonly ledger = new SequenceLedger();
  /** Highest sequence since the stream last restarted (replay detection). */
  private sinceRestartMax = 0;

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
    subscribedAt: number,
    private readonly options: ResolvedOptions,
  ) {
    this.channel = channel;
    this.subscribedAt = subscribedAt;
    this.text = new SessionText(options.maxTextChars);
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

  event(at: number, e: ContractEventScratch): void {
    this.activity(at, e.sequence);
    const wasTerminal = this.lastTerminalState !== null;
    this.events++;
    if (Number.isNaN(this.firstEventAt)) this.firstEventAt = at;
    const sequence = e.sequence;
    const arrival = this.ledger.add(sequence, at);

    if (arrival === Arrival.Duplicate) {
      this.duplicates++;
      this.note({ kind: 'duplicate', at, sequence });
      if (this.text.differsFromFirst(sequence, e.chunk)) {
        this.conflicts++;
        const anomaly: Anomaly = { kind: 'conflict', at, sequence, chunk: cut(e.chunk) };
        const first = this.text.firstChunk(sequence);
        if (first !== undefined) anomaly.firstChunk = cut(first);
        this.note(anomaly);
      }
      if (sequence === this.ledger.min && this.sinceRestartMax > sequence) {
        this.replays++;
        this.note({ kind: 'replay', at, sequence, restartedAfter: this.sinceRestartMax });
        this.sinceRestartMax = sequence;
      }
    } else {
      if (arrival === Arrival.Late) {
        this.outOfOrder++;
        this.note({ kind: 'out_of_order', at, sequence, max: this.ledger.max });
      }
      this.text.first(sequence, e.chunk);
      if (!Number.isNaN(this.lastNewEventAt)) this.interToken.record(at - this.lastNewEventAt);
      this.lastNewEventAt = at;
    }
    if (sequence > this.sinceRestartMax) this.sinceRestartMax = sequence;
    this.text.arrived(e.chunk);
    if (!Number.isNaN(e.emittedAt)) this.delivery.record(at - e.emittedAt);
    if (e.state === 'generating' && Number.isNaN(this.firstTokenAt)) this.firstTokenAt = at;

    if (wasTerminal) {
      this.afterTerminal++;
      this.note({ kind: 'after_terminal', at, sequence });
    }
    if (isTerminalState(e.state)) this.terminal(at, sequence, e.state, e.terminationCode, arrival === Arrival.Duplicate);
  }

  violation(at: number, violation: ContractViolation): void {
    this.activity(at, violation.sequence);
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

  verdict(nowMs: number, endOfJournal: boolean, includeText: boolean): SessionVerdict {
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
    const gaps: GapRange[] = [];
    let missing = 0;
    for (const hole of this.ledger.holes) {
      if (!ended && nowMs - hole.revealedAt < reorderWindowMs) continue;
      const count = hole.to - hole.from + 1;
      missing += count;
      if (gaps.length < maxGapRanges) {
        gaps.push({ from: hole.from, to: hole.to });
        derived.push({ kind: 'gap', at: hole.revealedAt, sequence: hole.from, to: hole.to, count });
      }
    }

    let anomalies: Anomaly[] = this.anomalies.slice();
    let dropped = this.anomaliesDropped;
    if (derived.length > 0) {
      const room = Math.max(0, this.options.maxAnomaliesPerSession - anomalies.length);
      dropped += Math.max(0, derived.length - room);
      anomalies = anomalies.concat(derived.slice(0, room));
      anomalies.sort((a, b) => a.at - b.at); // stable: same-time anomalies keep detection order
    }

    const verdict: SessionVerdict = {
      sessionId: this.sessionId,
      channel: this.channel,
      status,
      terminalStates: this.terminalStates.slice(),
      terminationCode: this.terminationCode,
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
      ttftMs: this.ttft(),
      durationMs: Number.isNaN(this.firstTerminalAt) ? null : roundMs(this.firstTerminalAt - this.firstEventAt),
      interTokenMs: this.interToken.summary(),
      deliveryMs: this.delivery.summary(),
      text: includeText ? this.text.text() : '',
      naiveText: includeText ? this.text.naiveText() : '',
      anomalies,
    };
    if (this.text.textTruncated) verdict.textTruncated = true;
    if (this.text.naiveTextTruncated) verdict.naiveTextTruncated = true;
    if (dropped > 0) verdict.anomaliesDropped = dropped;
    return verdict;
  }

  /**
   * Time to first token, only when EchoScope was subscribed before the session's first frame
   * and saw the stream from its start (sequence 1): joining mid-stream would give a lie.
   */
  private ttft(): number | null {
    if (Number.isNaN(this.subscribedAt) || Number.isNaN(this.firstTokenAt) || this.ledger.min !== 1) return null;
    return roundMs(this.firstTokenAt - this.subscribedAt);
  }
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
