export { Analyzer, analyzeJournal, vantageKeyOf, vantageLabel, type AnalyzeJournalOptions, type VerdictRequest } from './analyzer';
export { DEFAULT_OPTIONS, resolveOptions, type AnalyzerOptions } from './options';
export { LatencyHistogram, roundMs, type LatencySummary } from './histogram';
export { SequenceLedger, Arrival, type Hole, type SequenceRange } from './ledger';
export { countRanges, intersectRanges, normalizeRanges, subtractRanges, unionRanges } from './ranges';
export { MAX_REORDER_DEPTH } from './session';
export {
  ANOMALY_KINDS,
  combineObservations,
  summarize,
  type KnownStart,
  type ObservationComparison,
  type PublishedVsDelivered,
  type SessionComparison,
  type TtftFrom,
  type TtftNote,
  type Vantage,
  type Anomaly,
  type AnomalyKind,
  type GapRange,
  type SessionStatus,
  type SessionVerdict,
  type Verdict,
  type VerdictSummary,
} from './verdict';
export type { SessionTimes } from './session';
export {
  compareWithRecord,
  excerptAround,
  firstDifference,
  followRecord,
  recordVersion,
  RECONCILE_HISTORY_LIMIT,
  type FollowedRecord,
  type ReceivedSession,
  type ReconcileCheck,
  type ReconcileMismatch,
  type ReconcileTrigger,
  type ResolvedMismatch,
} from './reconcile';
export * from './timeline';
