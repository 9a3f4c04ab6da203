import { useCallback, useEffect, useState } from 'react';
import type { AppApi, ScenarioProgress, ScenarioRunView, ScenarioSummary } from '../../../../shared/api';
import { sessionHref } from '../../app/route';
import { FilePicker } from '../../components/FilePicker';
import { countOf, formatCount, formatMs } from '../../data/format';

type Mode = 'simulate' | 'check';

const pct = (value: number | null) => (value === null ? '—' : `${Math.round(value * 100)}%`);

/** Fault-injection scenarios: the built-in library and loaded files, run on the embedded mock, with live progress and scores. */
export function ScenariosView({ api }: { api: AppApi }) {
  const [scenarios, setScenarios] = useState<ScenarioSummary[]>([]);
  const [runs, setRuns] = useState<ScenarioRunView[]>([]);
  const [progress, setProgress] = useState<Record<string, ScenarioProgress>>({});
  const [mode, setMode] = useState<Mode>('simulate');
  const [seed, setSeed] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const refresh = useCallback(async () => {
    const result = await api.invoke('scenarios.list', {});
    if (result.ok) setScenarios(result.value);
    else setMessage({ error: true, text: result.error.message });
  }, [api]);

  // The runs live on the host: a reload (or another window) shows them with their progress and results.
  const loadRuns = useCallback(async () => {
    const result = await api.invoke('scenarios.runs', {});
    if (!result.ok) return;
    setRuns((shown) => [...shown.filter((run) => !result.value.some((entry) => entry.run.runId === run.runId)), ...result.value.map((entry) => entry.run)]);
    // A push that came while asking is newer than the answer.
    setProgress((pushed) => ({ ...Object.fromEntries(result.value.map((entry) => [entry.run.runId, entry.progress])), ...pushed }));
  }, [api]);

  useEffect(() => {
    void refresh();
    void loadRuns();
    return api.on('scenarios.progress', ({ items }) =>
      setProgress((previous) => {
        const next = { ...previous };
        for (const item of items) next[item.runId] = item;
        return next;
      }),
    );
  }, [api, refresh, loadRuns]);

  const start = async (name: string) => {
    const request: { name: string; mode: Mode; seed?: number } = { name, mode };
    if (seed.trim()) request.seed = Number(seed);
    const result = await api.invoke('scenarios.start', request);
    if (!result.ok) return setMessage({ error: true, text: result.error.message });
    setMessage({ error: false, text: `Started ${name} (${mode}).` });
    setRuns((previous) => [result.value, ...previous.filter((run) => run.runId !== result.value.runId)]);
  };

  const load = async (file: File) => {
    const result = await api.invoke('scenarios.load', { text: await file.text(), fileName: file.name });
    if (!result.ok) return setMessage({ error: true, text: `${file.name}: ${result.error.message}` });
    setMessage({ error: false, text: `Loaded ${result.value.map((s) => s.name).join(', ')} from ${file.name}.` });
    await refresh();
  };

  return (
    <section className="view" aria-labelledby="scenarios-title">
      <div className="view-head">
        <h2 id="scenarios-title">Scenarios</h2>
      </div>
      <p className="muted">
        Each scenario provokes failure modes on purpose (crashes with retries, truncation, silent death, stalls, reordering, gaps, malformed payloads, disconnects).{' '}
        <strong>Simulate</strong> plays it on the embedded mock and shows its sessions in Live; <strong>Check</strong> runs it like <code>echoscope check</code> and scores the
        detections against ground truth.
      </p>
      <div className="filters">
        <label>
          Mode
          <select value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            <option value="simulate">simulate (watch in Live)</option>
            <option value="check">check (expectations + scores)</option>
          </select>
        </label>
        <label>
          Seed <span className="muted">(optional)</span>
          <input value={seed} onChange={(e) => setSeed(e.target.value.replace(/[^0-9]/g, ''))} inputMode="numeric" placeholder="scenario's own" />
        </label>
        <FilePicker accept=".yaml,.yml,.json" label="Load scenario file…" hint="YAML or JSON, or drop it here" onFile={(file) => void load(file)} testId="scenario-drop" />
      </div>
      {message && (
        <p className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      {runs.length > 0 && (
        <section aria-labelledby="runs-title">
          <h3 id="runs-title">Runs</h3>
          <ul className="run-list">
            {runs.map((run) => (
              <ScenarioRunCard key={run.runId} run={run} progress={progress[run.runId]} onStop={() => void api.invoke('scenarios.stop', { runId: run.runId })} />
            ))}
          </ul>
        </section>
      )}
      <table className="plain scenario-table" data-testid="scenario-list">
        <thead>
          <tr>
            <th scope="col">Scenario</th>
            <th scope="col">Sessions</th>
            <th scope="col">Faults</th>
            <th scope="col">Expectations</th>
            <th scope="col">
              <span className="visually-hidden">Run</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {scenarios.map((scenario) => (
            <tr key={scenario.name} data-testid="scenario-row" data-scenario={scenario.name}>
              <td>
                <strong className="mono">{scenario.name}</strong> {scenario.origin === 'loaded' && <span className="tag">loaded</span>}
                <div className="muted">{scenario.description}</div>
              </td>
              <td>{formatCount(scenario.sessions)}</td>
              <td>{scenario.faults.join(', ') || 'none'}</td>
              <td>{formatCount(scenario.expectations)}</td>
              <td>
                <button type="button" onClick={() => void start(scenario.name)} aria-label={`Run ${scenario.name} (${mode})`}>
                  Run
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ScenarioRunCard({ run, progress, onStop }: { run: ScenarioRunView; progress: ScenarioProgress | undefined; onStop(): void }) {
  const state = progress?.state ?? 'running';
  const result = progress?.result;
  const done = progress ? progress.resolved : 0;
  return (
    <li className="panel run-card" data-testid="scenario-run" data-state={state} data-run={run.runId}>
      <div className="profile-head">
        <strong className="mono">{run.scenario}</strong>
        <span className="tag">{run.mode}</span>
        <span className={`chip tone-${state === 'running' ? 'live' : state === 'finished' ? (result && !result.passed ? 'bad' : 'ok') : 'bad'}`} data-testid="run-state">
          <span aria-hidden="true">{state === 'running' ? '▶' : state === 'finished' ? (result && !result.passed ? '✕' : '✓') : '⊘'}</span>{' '}
          {state === 'finished' && result ? (result.passed ? 'passed' : 'failed') : state}
        </span>
        {progress && (
          <span className="muted">
            {formatCount(done)}/{countOf(progress.sessions, 'session')} resolved · {formatCount(progress.active)} active · {countOf(progress.published, 'event')} published ·{' '}
            {formatMs(progress.elapsedMs)}
          </span>
        )}
        {state === 'running' && (
          <button type="button" className="secondary" onClick={onStop}>
            Stop
          </button>
        )}
      </div>
      {progress && <progress max={Math.max(1, progress.sessions)} value={done} aria-label={`${run.scenario} progress`} />}
      {progress?.error && <p className="error">{progress.error}</p>}
      {result && (
        <>
          {result.failures.length > 0 ? (
            <ul className="failures">
              {result.failures.map((f, i) => (
                <li key={i}>
                  <span className="chip tone-bad">
                    <span aria-hidden="true">✕</span> {f.sessionId ? <a href={sessionHref(f.sessionId)}>{f.sessionId}</a> : 'scenario'}
                  </span>{' '}
                  <span className="mono">{f.field}</span>: {f.reason}
                </li>
              ))}
            </ul>
          ) : (
            <p>
              <span className="chip tone-ok">
                <span aria-hidden="true">✓</span> every expectation met
              </span>
            </p>
          )}
          {result.scores.every((s) => s.expected === 0 && s.detected === 0) && <p className="muted">No anomalies injected, none detected.</p>}
          {result.scores.some((s) => s.expected > 0 || s.detected > 0) && (
            <table className="plain" data-testid="scenario-scores">
              <caption className="muted">Detections against ground truth, per anomaly kind</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Injected</th>
                  <th scope="col">Detected</th>
                  <th scope="col">Precision</th>
                  <th scope="col">Recall</th>
                </tr>
              </thead>
              <tbody>
                {result.scores
                  .filter((s) => s.expected > 0 || s.detected > 0)
                  .map((s) => (
                    <tr key={s.kind}>
                      <td>{s.kind.replace('_', ' ')}</td>
                      <td>{formatCount(s.expected)}</td>
                      <td>{formatCount(s.detected)}</td>
                      <td>{pct(s.precision)}</td>
                      <td>{pct(s.recall)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {run.sessions.length > 0 && (
        <details open={run.mode === 'simulate'}>
          <summary>{countOf(run.sessions.length, 'session')}</summary>
          <ul className="session-links">
            {run.sessions.map((s) => (
              <li key={s.sessionId}>
                {/* Both modes' sessions are watched by the app (a check on connections of its own): each opens in the session page. */}
                <a href={sessionHref(s.sessionId)} className="mono" data-testid="run-session-link">
                  {s.sessionId}
                </a>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}
