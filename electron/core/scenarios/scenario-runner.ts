import { resolve } from 'node:path';
import { AppError, type ScenarioProgress, type ScenarioRunEntry, type ScenarioRunView, type ScenarioSummary } from '../../../shared/api';
import type { ParsedRequest } from '../../../shared/api';
import { ANOMALY_KINDS } from '../../../shared/analysis';
import type { JournalRecord } from '../../../shared/journal';
import { FAULT_KINDS, sessionIdsOf, type FaultKind, type Scenario } from '../../../shared/scenario';
import type { MockServer } from '../../mock';
import { startScenario, type RunProgress, type ScenarioRun } from '../../mock/simulator';
import { checkScenario } from './check-runner';
import { builtinScenarios, loadSuite, parseScenarioText, ScenarioLoadError } from './load';
import type { ScenarioCheck } from './report';

export interface ScenarioRunnerOptions {
  /** The embedded mock provider `simulate` runs play on (the host's demo mock); null when there is none. */
  mock: () => MockServer | null;
  /**
   * Files or folders the user named on the command line: `load({path})` reads these and nothing
   * else. The renderer is the least trusted caller (any page that reaches the bridge speaks as
   * it), so a path from it must never open an arbitrary file; files picked in the UI arrive as text.
   */
  commandLinePaths?: readonly string[];
  /** How many runs `runs()` keeps (a page reload shows them again); beyond it the oldest that ended are let go. Default 50. */
  keptRuns?: number;
}

type LoadRequest = ParsedRequest<'scenarios.load'>;
type StartRequest = ParsedRequest<'scenarios.start'>;
type Listener = (progress: ScenarioProgress) => void;

interface ActiveRun {
  view: ScenarioRunView;
  run: ScenarioRun | null;
  last: ScenarioProgress;
  cancel: () => void;
}

/**
 * The App API's scenario service: lists the built-in library and loaded files, starts a run
 * (played on the embedded mock for the UI to watch, or a full `check`), stops it, and reports
 * progress to listeners. Requests arrive already validated by the `shared/api` schemas.
 */
export class ScenarioRunner {
  private readonly builtins: Scenario[] = builtinScenarios();
  private readonly loaded = new Map<string, Scenario>();
  private readonly kept = new Map<string, ActiveRun>();
  private readonly listeners = new Set<Listener>();
  private readonly startListeners = new Set<(sessionId: string, at: number) => void>();
  private readonly recordListeners = new Set<(record: JournalRecord) => void>();
  private nextRun = 1;

  private readonly allowedPaths: ReadonlySet<string>;

  constructor(private readonly options: ScenarioRunnerOptions) {
    this.allowedPaths = new Set((options.commandLinePaths ?? []).map((path) => resolve(path)));
  }

  list(): ScenarioSummary[] {
    return [...this.builtins.map((s) => summarize(s, 'builtin')), ...[...this.loaded.values()].map((s) => summarize(s, 'loaded'))];
  }

  async load(request: LoadRequest): Promise<ScenarioSummary[]> {
    if ('path' in request && !this.allowedPaths.has(resolve(request.path))) {
      throw new AppError(
        'invalid_request',
        'scenarios.load reads only the scenario files given on the command line (echoscope serve --scenario FILE); pick a file in the UI to load any other',
      );
    }
    let scenarios: Scenario[];
    try {
      scenarios = 'path' in request ? await loadSuite(request.path) : parseScenarioText(request.text, request.fileName ?? 'scenario');
    } catch (error) {
      if (error instanceof ScenarioLoadError) throw new AppError('invalid_request', error.message);
      throw error;
    }
    for (const scenario of scenarios) {
      if (this.builtins.some((b) => b.name === scenario.name)) throw new AppError('conflict', `"${scenario.name}" is a built-in scenario's name; rename yours`);
    }
    for (const scenario of scenarios) this.loaded.set(scenario.name, scenario);
    return scenarios.map((s) => summarize(s, 'loaded'));
  }

  start(request: StartRequest): ScenarioRunView {
    const found = this.loaded.get(request.name) ?? this.builtins.find((s) => s.name === request.name);
    if (!found) throw new AppError('not_found', `no scenario named "${request.name}"; scenarios.list shows what there is`);
    const scenario = request.seed === undefined ? found : { ...found, seed: request.seed };
    const runId = `run-${this.nextRun++}`;
    const view: ScenarioRunView = {
      runId,
      scenario: scenario.name,
      mode: request.mode,
      sessions: scenario.sessions
        .flatMap((group, g) => sessionIdsOf(scenario.name, group, g))
        .map((sessionId) => ({ sessionId, channel: `${scenario.channelPrefix}${sessionId}` })),
    };
    const initial = this.progressOf(view, null, 'running');
    if (request.mode === 'simulate') {
      const mock = this.options.mock();
      if (!mock) throw new AppError('conflict', 'no embedded mock provider is running; start the app with the demo (or use mode "check")');
      const active: ActiveRun = { view, run: null, last: initial, cancel: () => undefined };
      const run = startScenario(mock, scenario, {
        progressEveryMs: 250,
        onProgress: (p) => this.emit(active, this.progressOf(view, p, p.finished ? (p.stopped ? 'stopped' : 'finished') : 'running')),
        onSessionStart: (sessionId, at) => {
          for (const listener of this.startListeners) listener(sessionId, at);
        },
      });
      active.run = run;
      active.cancel = () => run.stop();
      this.kept.set(runId, active);
    } else {
      let cancelled = false;
      const active: ActiveRun = { view, run: null, last: initial, cancel: () => (cancelled = true) };
      this.kept.set(runId, active);
      checkScenario(scenario, {
        connectionPrefix: `check-${runId}-`,
        // The check's own connections feed the app too: its sessions open in the session page like any other.
        onRecord: (record) => {
          if (cancelled) return;
          for (const listener of this.recordListeners) listener(record);
        },
        onSessionStart: (sessionId, at) => {
          for (const listener of this.startListeners) listener(sessionId, at);
        },
      }).then(
        (result) => this.emit(active, { ...this.progressOf(view, null, cancelled ? 'stopped' : 'finished'), ...fromCheck(result) }),
        (error: unknown) => this.emit(active, { ...this.progressOf(view, null, 'failed'), error: error instanceof Error ? error.message : String(error) }),
      );
    }
    this.emit(this.kept.get(runId)!, initial);
    this.forgetOldRuns();
    return view;
  }

  /** Every run kept, newest first, with its latest progress: what the Scenarios view shows after a reload. */
  runs(): ScenarioRunEntry[] {
    return [...this.kept.values()].reverse().map((active) => ({ run: active.view, progress: active.last }));
  }

  stop(request: { runId: string }): { stopped: boolean } {
    const active = this.kept.get(request.runId);
    if (!active) throw new AppError('not_found', `no scenario run "${request.runId}"`);
    if (active.last.state !== 'running') return { stopped: false };
    active.cancel();
    if (active.view.mode === 'check') this.emit(active, { ...active.last, state: 'stopped' });
    return { stopped: true };
  }

  /** Progress of every run; returns the unsubscribe function. */
  onProgress(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every record a check run's own connections captured (the app journals and analyzes them); returns the unsubscribe function. */
  onRecord(listener: (record: JournalRecord) => void): () => void {
    this.recordListeners.add(listener);
    return () => this.recordListeners.delete(listener);
  }

  /** When a run begins a session's job (its known start, for TTFT). */
  onSessionStart(listener: (sessionId: string, at: number) => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  /** Stops every run (app shutdown). */
  dispose(): void {
    for (const active of this.kept.values()) if (active.last.state === 'running') active.cancel();
    this.listeners.clear();
  }

  /** Beyond `keptRuns`, the oldest runs that are over are let go (a running one is kept until it ends). */
  private forgetOldRuns(): void {
    const keep = this.options.keptRuns ?? 50;
    for (const [runId, active] of this.kept) {
      if (this.kept.size <= keep) return;
      if (active.last.state !== 'running') this.kept.delete(runId);
    }
  }

  private emit(active: ActiveRun, progress: ScenarioProgress): void {
    // A stopped check may still finish in the background; its late result must not resurrect it.
    if (active.last.state !== 'running' && progress.state !== active.last.state) return;
    active.last = progress;
    for (const listener of this.listeners) listener(progress);
  }

  private progressOf(view: ScenarioRunView, p: RunProgress | null, state: ScenarioProgress['state']): ScenarioProgress {
    return {
      runId: view.runId,
      scenario: view.scenario,
      mode: view.mode,
      state,
      sessions: p?.sessions ?? view.sessions.length,
      queued: p?.queued ?? 0,
      waiting: p?.waiting ?? 0,
      active: (p?.active ?? 0) + (p?.dead ?? 0),
      resolved: p?.resolved ?? 0,
      published: p?.published ?? 0,
      elapsedMs: p?.elapsedMs ?? 0,
    };
  }
}

function summarize(scenario: Scenario, origin: 'builtin' | 'loaded'): ScenarioSummary {
  const kinds = new Set<FaultKind>(scenario.sessions.flatMap((g) => g.faults.map((f) => f.kind)));
  return {
    name: scenario.name,
    description: scenario.description,
    origin,
    seed: scenario.seed,
    sessions: scenario.sessions.reduce((n, g, i) => n + sessionIdsOf(scenario.name, g, i).length, 0),
    faults: FAULT_KINDS.filter((k) => kinds.has(k)),
    expectations: scenario.expect.length,
  };
}

function fromCheck(result: ScenarioCheck): Partial<ScenarioProgress> {
  return {
    sessions: result.sessions.length,
    resolved: result.sessions.length,
    published: result.truth.sessions.reduce((n, s) => n + s.events.filter((e) => e.delivery !== 'dropped').length, 0),
    elapsedMs: result.durationMs,
    result: {
      passed: result.passed,
      sessionsFailed: result.sessions.filter((s) => !s.passed).length,
      failures: result.sessions
        .flatMap((s) => s.failures.map((f) => ({ sessionId: s.sessionId, ...f })))
        .concat(result.errors.map((e) => ({ sessionId: '', field: 'scenario', reason: e }))),
      scores: ANOMALY_KINDS.map((kind) => {
        const s = result.scores[kind];
        return { kind, expected: s.expected, detected: s.detected, precision: s.precision, recall: s.recall };
      }),
    },
  };
}
