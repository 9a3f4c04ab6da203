import { resolveOptions, roundMs, type AnalyzerOptions, type SessionTimes, type SessionVerdict, type Verdict } from '../../../shared/analysis';
import type { FrameRecord } from '../../../shared/journal';
import {
  addSessionScore,
  detectedAnomalies,
  emptyScores,
  evaluateExpect,
  expectedAnomalies,
  matchesSession,
  proxiedSessionTruth,
  mergeScores,
  zeroCounts,
  type GroundTruth,
  type Scenario,
} from '../../../shared/scenario';
import type { EmitTiming } from '../../mock/simulator';
import { sessionPicture } from './picture';
import type { CheckReport, ScenarioCheck, SessionCheck, SessionFailure, SessionPicture, SkippedScenario } from './report';

/**
 * How `check` judges a played scenario: each session's verdict against the scenario's `expect`
 * blocks and against the ground truth, its measured duration, and — for a failing or anomalous
 * session — the picture the HTML report draws. Separate from the run (sockets, timers) so what
 * a run observed can be judged the same way whatever played it.
 */

/** Frames EchoScope keeps per session channel for the report's charts, within a budget for the whole run. */
export class SessionFrames {
  private readonly byChannel = new Map<string, FrameRecord[]>();
  private readonly incomplete = new Set<string>();
  private kept = 0;

  /** `budget`: most frames kept over every channel (each holds its payload); past it a channel's frames are no longer kept and its charts are not drawn. */
  constructor(readonly budget = DEFAULT_FRAME_BUDGET) {}

  add(frame: FrameRecord): void {
    const channel = frame.channel;
    if (channel === undefined || this.incomplete.has(channel)) return;
    if (this.kept >= this.budget) {
      this.incomplete.add(channel);
      this.byChannel.delete(channel);
      return;
    }
    let frames = this.byChannel.get(channel);
    if (frames === undefined) this.byChannel.set(channel, (frames = []));
    frames.push(frame);
    this.kept++;
  }

  /** The channel's frames in arrival order; null when some were not kept (the budget ran out). */
  of(channel: string): readonly FrameRecord[] | null {
    return this.incomplete.has(channel) ? null : (this.byChannel.get(channel) ?? []);
  }
}

/** 250,000 frames: every built-in scenario many times over, and a bounded memory for a fleet of millions. */
export const DEFAULT_FRAME_BUDGET = 250_000;

export interface PlayedScenario {
  scenario: Scenario;
  truth: GroundTruth;
  /** The verdicts at the end of the run (`endOfJournal`). */
  verdict: Verdict;
  /** The analyzer's arrival times of a session (first event, last, first terminal). */
  times(sessionId: string): SessionTimes | undefined;
  frames: SessionFrames;
  /** The generation record the mock holds for a session at the end. */
  generation(sessionId: string): { progress: string; final_text: string | null } | undefined;
  /** What the verdicts were made with (the scenario's thresholds and contract profile). */
  analyzer: AnalyzerOptions;
  /** Problems of the run so far (a timeout, events that never arrived). */
  errors: string[];
  startedAt: string;
  durationMs: number;
  emitTiming: EmitTiming;
}

/** How long a session was watched: first event to first terminal, or to the last event without one; null when none came. */
export function watchedMs(times: SessionTimes | undefined): number | null {
  if (times === undefined || Number.isNaN(times.firstAt)) return null;
  const end = Number.isNaN(times.terminalAt) ? times.lastAt : times.terminalAt;
  return Number.isNaN(end) ? null : roundMs(end - times.firstAt);
}

/** Sessions per scenario the HTML report draws (failing ones first); the others are listed in its tables. */
export const MAX_PICTURES = 100;

const noPicture = (note: string): SessionPicture => ({ view: null, note, frames: [], framesOmitted: 0 });

/** Whether a verdict shows any anomaly (the report draws such sessions). */
export function isAnomalous(verdict: SessionVerdict): boolean {
  return verdict.anomalies.length > 0 || (verdict.anomaliesDropped ?? 0) > 0;
}

export function judgeScenario(played: PlayedScenario): ScenarioCheck {
  const { scenario, truth, verdict } = played;
  const errors = [...played.errors];
  const resolved = resolveOptions(played.analyzer);
  const stallAfterMs = resolved.stallAfterMs;
  const sessions: SessionCheck[] = truth.sessions.map((sessionTruth) => {
    const session = verdict.sessions.find((s) => s.sessionId === sessionTruth.sessionId) ?? null;
    const record = played.generation(sessionTruth.sessionId);
    // What the contract lets EchoScope check, as the verdict says: no anomaly of a kind it cannot know is expected.
    // Through the proxy, the client was given what the proxy made of the mock's events.
    const given = truth.proxy === undefined ? sessionTruth : proxiedSessionTruth(sessionTruth, truth.proxy);
    const expected = expectedAnomalies(given, { stallAfterMs, contract: scenario.contract, ...(session ? { checks: session.checks } : {}) });
    const detected = session ? detectedAnomalies(session) : zeroCounts();
    const failures: SessionFailure[] = [];
    if (!session) failures.push({ field: 'verdict', reason: 'EchoScope received no event of this session' });
    for (const kind of Object.keys(expected) as (keyof typeof expected)[]) {
      if (expected[kind] !== detected[kind]) {
        failures.push({ field: `truth.${kind}`, reason: `ground truth: ${expected[kind]} ${kind} expected, EchoScope reported ${detected[kind]}` });
      }
    }
    return {
      sessionId: sessionTruth.sessionId,
      passed: true,
      failures,
      verdict: session,
      expected,
      detected,
      record: record ? { progress: record.progress, finalText: record.final_text } : null,
      durationMs: watchedMs(played.times(sessionTruth.sessionId)),
    };
  });
  scenario.expect.forEach((expectation, i) => {
    const matching = sessions.filter((s) => matchesSession(expectation.session, s.sessionId));
    if (matching.length === 0) errors.push(`expect[${i}]: session "${expectation.session}" matches no session of the scenario`);
    for (const session of matching) {
      if (!session.verdict) continue;
      for (const failure of evaluateExpect(expectation, { verdict: session.verdict, finalText: session.record?.finalText ?? null })) {
        session.failures.push({ field: `expect[${i}].${failure.field}`, reason: failure.reason });
      }
    }
  });
  for (const session of sessions) session.passed = session.failures.length === 0;
  // Failing sessions are drawn first, then anomalous ones, at most MAX_PICTURES per scenario.
  const drawn = [...sessions.filter((s) => !s.passed), ...sessions.filter((s) => s.passed)].filter((s) => s.verdict !== null && (!s.passed || isAnomalous(s.verdict)));
  const thresholds = { stallAfterMs, orphanAfterMs: resolved.orphanAfterMs, reorderWindowMs: resolved.reorderWindowMs, profile: resolved.profile };
  drawn.forEach((session, rank) => {
    const v = session.verdict as SessionVerdict;
    const channel = truth.sessions.find((t) => t.sessionId === session.sessionId)?.channel ?? v.channel;
    const frames = played.frames.of(channel);
    if (rank >= MAX_PICTURES) session.picture = noPicture(`not drawn: the report draws the first ${MAX_PICTURES} failing or anomalous sessions of a scenario`);
    else if (frames === null)
      session.picture = noPicture(`not drawn: the run received more than ${played.frames.budget.toLocaleString('en-US')} frames, more than check keeps for charts`);
    else session.picture = sessionPicture(frames, v, played.times(session.sessionId), thresholds);
  });
  const scores = emptyScores();
  for (const session of sessions) addSessionScore(scores, session.expected, session.detected);
  return {
    name: scenario.name,
    description: scenario.description,
    seed: scenario.seed,
    passed: errors.length === 0 && sessions.every((s) => s.passed),
    startedAt: played.startedAt,
    durationMs: played.durationMs,
    errors,
    sessions,
    scores,
    truth,
    emitTiming: played.emitTiming,
  };
}

/** The suite's report from its scenarios' results. */
export function checkReport(suite: string, results: ScenarioCheck[], startedAt: string, durationMs: number, skipped: SkippedScenario[] = []): CheckReport {
  const scores = emptyScores();
  for (const result of results) mergeScores(scores, result.scores);
  const sessions = results.flatMap((r) => r.sessions);
  return {
    version: 1,
    suite,
    startedAt,
    durationMs,
    passed: results.every((r) => r.passed),
    totals: {
      scenarios: results.length,
      scenariosFailed: results.filter((r) => !r.passed).length,
      scenariosSkipped: skipped.filter((s) => !s.ran).length,
      sessions: sessions.length,
      sessionsFailed: sessions.filter((s) => !s.passed).length,
      sessionsSkipped: skipped.reduce((sum, s) => sum + s.sessions.length, 0),
    },
    scores,
    scenarios: results,
    skipped,
  };
}
