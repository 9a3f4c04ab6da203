import type { ContractProfile } from '../contract';

export interface AnalyzerOptions {
  /**
   * Contract profile (already validated with parseContractProfile) every channel is read with.
   * Default (undefined or null): each channel's contract is detected from its first frames among
   * the built-in ones (contract-detection.ts).
   */
  profile?: ContractProfile | null;
  /** Silence (ms) after which a non-terminal session counts a stall. Default 8000. */
  stallAfterMs?: number;
  /** Silence (ms) before the journal's end after which a non-terminal session is orphaned. Default 300000. */
  orphanAfterMs?: number;
  /** Live: a hole is reported as a gap once it is this old (ms). Default 2000. */
  reorderWindowMs?: number;
  /** Anomalies kept per session; the rest are counted in `anomaliesDropped`. Default 1000. */
  maxAnomaliesPerSession?: number;
  /** Characters kept per session for `text` and for `naiveText` each. Default 1,000,000. */
  maxTextChars?: number;
  /** Gap ranges listed per session (`missing` stays exact). Default 1000. */
  maxGapRanges?: number;
  /**
   * When the job's start is unknown: a first event above #1 arriving within this long of the
   * subscription means EchoScope joined a running stream (coverage starts there); arriving later,
   * the lead was lost (a gap from 1). Default 2000.
   */
  lateJoinWindowMs?: number;
}

export type ResolvedOptions = Required<Omit<AnalyzerOptions, 'profile'>> & { profile: ContractProfile | null };

export const DEFAULT_OPTIONS: ResolvedOptions = {
  profile: null,
  stallAfterMs: 8000,
  orphanAfterMs: 300_000,
  reorderWindowMs: 2000,
  maxAnomaliesPerSession: 1000,
  maxTextChars: 1_000_000,
  maxGapRanges: 1000,
  lateJoinWindowMs: 2000,
};

export function resolveOptions(options: AnalyzerOptions = {}): ResolvedOptions {
  const resolved = { ...DEFAULT_OPTIONS };
  for (const key of Object.keys(options) as (keyof AnalyzerOptions)[]) {
    if (options[key] !== undefined) (resolved as Record<string, unknown>)[key] = options[key];
  }
  return resolved;
}
