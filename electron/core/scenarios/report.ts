import type { PointKind, SessionVerdict, TimelineView } from '../../../shared/analysis';
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
  /**
   * How long EchoScope watched the session stream (ms): its first event to its first terminal
   * (the verdict's `durationMs`), or to its last event when no terminal came; null when it saw
   * no event. JUnit's per-session `time`.
   */
  durationMs: number | null;
  /**
   * What the HTML report draws for a failing or anomalous session (absent for the others, and
   * never written to report.json): its timeline and latency as the app's session detail draws them.
   */
  picture?: SessionPicture;
}

/** A failing or anomalous session's charts and marked frames, projected from the frames EchoScope received. */
export interface SessionPicture {
  /** The shared timeline projection (shared/analysis/timeline), as the app's session detail gets it; null when the frames were not kept. */
  view: TimelineView | null;
  /** Why there is no view, when there is none. */
  note?: string;
  /** The frames drawn as anomaly or terminal markers, in arrival order, with their payloads as received (at most `MAX_PICTURE_FRAMES`). */
  frames: PictureFrame[];
  /** Marked frames beyond those listed. */
  framesOmitted: number;
}

export interface PictureFrame {
  /** Milliseconds since the session's first event (the timeline's x). */
  x: number;
  sequence: number | null;
  attempt: number;
  kinds: PointKind[];
  event: string;
  /** The payload as received: a JSON payload pretty-printed, a raw string as it came; cut at `MAX_PAYLOAD_CHARS`. */
  payload: string;
  /** The payload's full length in characters. */
  payloadChars: number;
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
  /** `scenarios` counts those that ran; `scenariosSkipped` those set aside whole, `sessionsSkipped` every session set aside. */
  totals: { scenarios: number; scenariosFailed: number; scenariosSkipped: number; sessions: number; sessionsFailed: number; sessionsSkipped: number };
  /** Precision / recall per anomaly kind over the whole suite. */
  scores: DetectionScores;
  scenarios: ScenarioCheck[];
  /**
   * What was set aside: on a real server (`check --url`), the sessions that need the embedded
   * mock, by scenario; a scenario with none left did not run.
   */
  skipped: SkippedScenario[];
}

export interface SkippedScenario {
  name: string;
  reason: string;
  /** The sessions set aside. */
  sessions: string[];
  /** Whether the scenario ran with its other sessions (false: all of it was set aside). */
  ran: boolean;
}
