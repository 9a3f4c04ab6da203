import type { TerminalState } from '../contract';
import type { LatencySummary } from './histogram';

/** The verdict JSON of DESIGN §5 (`echoscope analyze --json`, `watch --json`, reports). */

export const ANOMALY_KINDS = [
  'duplicate',
  'conflict',
  'replay',
  'out_of_order',
  'gap',
  'stall',
  'after_terminal',
  'terminal_conflict',
  'violation',
  'oversize',
  'disconnect',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export type SessionStatus = TerminalState | 'streaming' | 'stalled' | 'orphaned';

export interface Anomaly {
  kind: AnomalyKind;
  /** Arrival time of the event that showed it (for `stall`: when the silence reached stallAfterMs). */
  at: number;
  sequence?: number;
  /** gap: last missing sequence of the range (`sequence` is the first). */
  to?: number;
  /** gap: how many sequences the range holds. */
  count?: number;
  /** conflict: the differing chunk and the first one seen (each cut to 80 characters). */
  chunk?: string;
  firstChunk?: string;
  /** replay: highest sequence reached before the restart. */
  restartedAfter?: number;
  /** out_of_order: the highest sequence when it arrived. */
  max?: number;
  /** terminal_conflict: the new terminal state and the one it contradicts. */
  state?: string;
  previous?: string;
  /** stall: length of the silence; `ongoing` when no event has resumed it yet. */
  silentMs?: number;
  ongoing?: boolean;
  /** violation / oversize: what is wrong. */
  reason?: string;
  /** disconnect: the connection and the state it went to. */
  connection?: string;
  code?: number;
}

export interface GapRange {
  from: number;
  to: number;
}

export interface SessionVerdict {
  sessionId: string;
  channel: string;
  status: SessionStatus;
  terminalStates: TerminalState[];
  terminationCode: string | null;
  events: number;
  uniqueSequences: number;
  maxSequence: number;
  duplicates: number;
  conflicts: number;
  replays: number;
  outOfOrder: number;
  afterTerminal: number;
  missing: number;
  gaps: GapRange[];
  stalls: number;
  violations: number;
  disconnects: number;
  ttftMs: number | null;
  durationMs: number | null;
  interTokenMs: LatencySummary | null;
  deliveryMs: LatencySummary | null;
  text: string;
  naiveText: string;
  /** Set only when a text hit the per-session cap (AnalyzerOptions.maxTextChars). */
  textTruncated?: true;
  naiveTextTruncated?: true;
  anomalies: Anomaly[];
  /** Set only when the per-session anomaly cap dropped some (counters stay exact). */
  anomaliesDropped?: number;
}

export interface VerdictSummary {
  sessions: number;
  byStatus: Partial<Record<SessionStatus, number>>;
  events: number;
  duplicates: number;
  conflicts: number;
  replays: number;
  outOfOrder: number;
  afterTerminal: number;
  missing: number;
  stalls: number;
  violations: number;
  disconnects: number;
  /** Frames that are not the profile's event on a profile channel (protocol frames, other events). */
  ignoredFrames: number;
}

export interface Verdict {
  version: 1;
  sessions: SessionVerdict[];
  summary: VerdictSummary;
}

export function summarize(sessions: readonly SessionVerdict[], ignoredFrames: number): VerdictSummary {
  const summary: VerdictSummary = {
    sessions: sessions.length,
    byStatus: {},
    events: 0,
    duplicates: 0,
    conflicts: 0,
    replays: 0,
    outOfOrder: 0,
    afterTerminal: 0,
    missing: 0,
    stalls: 0,
    violations: 0,
    disconnects: 0,
    ignoredFrames,
  };
  for (const s of sessions) {
    summary.byStatus[s.status] = (summary.byStatus[s.status] ?? 0) + 1;
    summary.events += s.events;
    summary.duplicates += s.duplicates;
    summary.conflicts += s.conflicts;
    summary.replays += s.replays;
    summary.outOfOrder += s.outOfOrder;
    summary.afterTerminal += s.afterTerminal;
    summary.missing += s.missing;
    summary.stalls += s.stalls;
    summary.violations += s.violations;
    summary.disconnects += s.disconnects;
  }
  return summary;
}
