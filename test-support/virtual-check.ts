import { Analyzer } from '../shared/analysis/index';
import { scenarioProfile, type Scenario } from '../shared/scenario/index';
import { checkReport, judgeScenario, SessionFrames } from '../electron/core/scenarios/judge';
import type { CheckReport, ScenarioCheck } from '../electron/core/scenarios/report';
import { VirtualClock } from './virtual-clock';
import { watchInVirtualTime, type VirtualWatch } from './virtual-watch';

/**
 * `echoscope check`'s judgement of a scenario played in virtual time (test-support/virtual-watch):
 * the simulator and the subscriber share one clock, so every arrival is where the plan put it and
 * what is measured from arrivals (a session's watched time, a scenario's run time) is the value
 * the ground truth gives — no machine's jitter to allow for. The judging, pictures and reporters
 * are check's own; only the sockets are left out (check.test.ts and e2e/report.spec.ts run them).
 */
export interface VirtualCheck {
  watch: VirtualWatch;
  check: ScenarioCheck;
  report: CheckReport;
  /** When the run began and ended on the virtual clock. */
  startedAt: number;
  endedAt: number;
}

/** `frameBudget`: the frames check keeps for the report's charts (default check's own). */
export function checkInVirtualTime(scenario: Scenario, options: { start?: number; frameBudget?: number } = {}): VirtualCheck {
  const start = options.start ?? Date.UTC(2026, 11, 2, 10);
  const clock = new VirtualClock(start);
  const analyzerOptions = { ...scenario.analyzer, profile: scenarioProfile(scenario) };
  const watch = watchInVirtualTime(scenario, { clock, analyzer: analyzerOptions });
  const endedAt = clock.now();
  // check's analyzer, fed what the subscriber journalled (its arrival times are asked of it as check asks).
  const analyzer = new Analyzer(analyzerOptions);
  const frames = new SessionFrames(options.frameBudget);
  for (const record of watch.records) {
    analyzer.ingest(record);
    if (record.type === 'frame') frames.add(record);
  }
  const check = judgeScenario({
    scenario,
    truth: watch.run.truth,
    verdict: analyzer.verdicts(endedAt, { endOfJournal: true }),
    times: (sessionId) => analyzer.sessionTimes(sessionId),
    frames,
    generation: (sessionId) => watch.generations.get(sessionId),
    analyzer: analyzerOptions,
    errors: [],
    startedAt: new Date(start).toISOString(),
    durationMs: endedAt - start,
    emitTiming: watch.run.timing(),
  });
  return { watch, check, report: checkReport(`virtual:${scenario.name}`, [check], new Date(start).toISOString(), endedAt - start), startedAt: start, endedAt };
}
