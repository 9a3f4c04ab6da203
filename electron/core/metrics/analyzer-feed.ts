import { combineObservations, vantageKeyOf, type Analyzer, type SessionVerdict } from '../../../shared/analysis';
import type { MetricsRecorder } from './recorder';

/**
 * Feeds a recorder from an Analyzer driven directly (`check`, `watch`; the live monitor counts
 * its own changes): a chunk's gap right after its frame is ingested, the sessions that received
 * frames since the last `flush`, and every session once the run is over.
 */
export class AnalyzerMetrics {
  private readonly touched = new Set<string>();

  constructor(
    private readonly analyzer: Analyzer,
    private readonly recorder: MetricsRecorder,
  ) {}

  /** Right after `analyzer.ingest(record)` returned `key`. */
  ingested(key: string | undefined): void {
    if (key === undefined) return;
    this.touched.add(key);
    const gap = this.analyzer.interTokenMs;
    if (!Number.isNaN(gap)) this.recorder.chunkGap(gap, this.analyzer.contractName(key) ?? 'unknown');
  }

  /** The verdicts of the sessions that received frames since the last flush, as of `now` (cost: those sessions). */
  flush(now: number): void {
    for (const sessionId of this.touched) {
      const verdict = this.analyzer.sessionVerdict(sessionId, now, { includeText: false });
      if (verdict !== undefined) this.recorder.session(verdict);
    }
    this.touched.clear();
  }

  /**
   * The run is over: every session of the final verdict counts as ended with the status it has
   * now, and its bookkeeping is let go.
   */
  final(observations: readonly SessionVerdict[]): void {
    const bySession = new Map<string, SessionVerdict[]>();
    for (const o of observations) {
      const list = bySession.get(o.sessionId);
      if (list) list.push(o);
      else bySession.set(o.sessionId, [o]);
    }
    for (const [sessionId, list] of bySession) {
      this.recorder.session(list.length === 1 ? list[0]! : combineObservations(list), true);
      if (list.length > 1) for (const o of list) this.recorder.observationLoss(sessionId, vantageKeyOf(o), o, true);
      this.recorder.forget(sessionId);
    }
    this.touched.clear();
  }
}
