import { ANOMALY_KINDS, type AnomalyKind, type SessionVerdict } from '../analysis/verdict';
import type { AnomalyCounts } from './truth';
import { zeroCounts } from './truth';

/**
 * Detection quality per anomaly kind: EchoScope's reported anomalies against the ground
 * truth's expected ones, counted per session (TP = min(expected, detected), the excess is a
 * false positive, the shortfall a false negative). Precision / recall are null when undefined
 * (nothing detected / nothing to detect) so a report does not invent a perfect 1.0.
 */

export interface KindScore {
  kind: AnomalyKind;
  expected: number;
  detected: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number | null;
  recall: number | null;
}

export type DetectionScores = Record<AnomalyKind, KindScore>;

export function detectedAnomalies(verdict: SessionVerdict): AnomalyCounts {
  const counts = zeroCounts();
  for (const anomaly of verdict.anomalies) counts[anomaly.kind]++;
  return counts;
}

export function emptyScores(): DetectionScores {
  return Object.fromEntries(
    ANOMALY_KINDS.map((kind) => [kind, { kind, expected: 0, detected: 0, truePositives: 0, falsePositives: 0, falseNegatives: 0, precision: null, recall: null }]),
  ) as DetectionScores;
}

/** Adds one session's comparison into running scores (mutates and returns `scores`). */
export function addSessionScore(scores: DetectionScores, expected: AnomalyCounts, detected: AnomalyCounts): DetectionScores {
  for (const kind of ANOMALY_KINDS) {
    const s = scores[kind];
    const e = expected[kind];
    const d = detected[kind];
    s.expected += e;
    s.detected += d;
    s.truePositives += Math.min(e, d);
    s.falsePositives += Math.max(0, d - e);
    s.falseNegatives += Math.max(0, e - d);
    s.precision = s.truePositives + s.falsePositives === 0 ? null : s.truePositives / (s.truePositives + s.falsePositives);
    s.recall = s.truePositives + s.falseNegatives === 0 ? null : s.truePositives / (s.truePositives + s.falseNegatives);
  }
  return scores;
}

export function mergeScores(into: DetectionScores, other: DetectionScores): DetectionScores {
  for (const kind of ANOMALY_KINDS) {
    const a = into[kind];
    const b = other[kind];
    a.expected += b.expected;
    a.detected += b.detected;
    a.truePositives += b.truePositives;
    a.falsePositives += b.falsePositives;
    a.falseNegatives += b.falseNegatives;
    a.precision = a.truePositives + a.falsePositives === 0 ? null : a.truePositives / (a.truePositives + a.falsePositives);
    a.recall = a.truePositives + a.falseNegatives === 0 ? null : a.truePositives / (a.truePositives + a.falseNegatives);
  }
  return into;
}

/** Kinds whose detection is imperfect (precision or recall below 1 where defined). */
export function imperfectKinds(scores: DetectionScores): AnomalyKind[] {
  return ANOMALY_KINDS.filter((k) => (scores[k].precision ?? 1) < 1 || (scores[k].recall ?? 1) < 1);
}
