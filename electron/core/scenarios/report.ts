import type { SessionVerdict } from '../../../shared/analysis';
import type { AnomalyCounts, DetectionScores, GroundTruth } from '../../../shared/scenario';
import type { EmitTiming } from '../../mock/simulator';

/** The outcome of `echoscope check`: what every reporter renders. */

export interface SessionFailure {
  /** `expect[0].status`, `truth.duplicate`, `verdict`. */
  field: string;
  reason: string;
}

export interface SessionCheck {
  sessionId: string;
  passed: boolean;
  failures: SessionFailure[];
  /** null when EchoScope saw nothing of the session. */
  verdict: SessionVerdict | null;
  /** Anomalies the ground truth predicts vs those EchoScope reported. */
  expected: AnomalyCounts;
  detected: AnomalyCounts;
  /** The generation record's progress and final_text at the end of the run. */
  record: { progress: string; finalText: string | null } | null;
}

export interface ScenarioCheck {
  name: string;
  description: string;
  seed: number;
  passed: boolean;
  startedAt: string;
  durationMs: number;
  /** Problems of the scenario as a whole (an expect matching no session, a timeout, a crash). */
  errors: string[];
  sessions: SessionCheck[];
  scores: DetectionScores;
  truth: GroundTruth;
  emitTiming: EmitTiming;
}

export interface CheckReport {
  version: 1;
  suite: string;
  startedAt: string;
  durationMs: number;
  passed: boolean;
  totals: { scenarios: number; scenariosFailed: number; sessions: number; sessionsFailed: number };
  /** Precision / recall per anomaly kind over the whole suite. */
  scores: DetectionScores;
  scenarios: ScenarioCheck[];
}
