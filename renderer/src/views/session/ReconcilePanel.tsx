import { useState } from 'react';
import type { ReconcileResult } from '../../../../shared/api';
import { countOf, formatDateTime } from '../../data/format';
import type { ReconcileTrigger } from '../../../../shared/analysis/reconcile';

interface Props {
  result: ReconcileResult | null;
  /** Fetches the record again and compares (`sessions.reconcile`); resolves with the new result or an error in words. */
  recheck?: () => Promise<ReconcileResult | string>;
}

const TRIGGER_WORDS: Record<ReconcileTrigger, string> = {
  terminal: 'terminal',
  activity: 'after-terminal activity',
  settled: 'quiet (settle window)',
  silent: 'gone silent (orphaned)',
  reconnect: 'reconnect',
  manual: 're-check',
  end: 'end of watch',
};

const show = (value: unknown) => JSON.stringify(value)?.slice(0, 140);

/** (f) the comparison with the app's own generation record, followed after the session ended; a user can re-run it. */
export function ReconcilePanel({ result: shown, recheck }: Props) {
  const [fresh, setFresh] = useState<ReconcileResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // The newer of what the detail brought and what a re-check answered.
  const result = fresh && (!shown || fresh.checkedAt >= shown.checkedAt) ? fresh : shown;

  const run = async () => {
    if (!recheck) return;
    setBusy(true);
    setProblem(null);
    const answer = await recheck();
    setBusy(false);
    if (typeof answer === 'string') setProblem(answer);
    else setFresh(answer);
  };

  return (
    <section className="panel" aria-labelledby="reconcile-title" data-testid="reconcile">
      <div className="view-head">
        <h3 id="reconcile-title">Reconciliation</h3>
        <span className="spacer" />
        {recheck && (
          <button type="button" className="secondary" data-testid="reconcile-recheck" disabled={busy} onClick={() => void run()}>
            {busy ? 'Checking…' : 'Check record again'}
          </button>
        )}
      </div>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {result === null ? (
        <p className="muted">
          Not checked. Add a reconciliation URL (e.g. <code>http://127.0.0.1:8000/api/generations/{'{sessionId}'}</code>) to the connection profile to compare ended sessions with
          your app's record.
        </p>
      ) : (
        <>
          {result.error && (
            <p className="error">
              Could not fetch <code>{result.url}</code>: {result.error}
              {result.mismatches.length > 0 ? ' — the last comparison that read the record stands below.' : ''}
            </p>
          )}
          {result.ok ? (
            <p>
              <span className="chip tone-ok">
                <span aria-hidden="true">✓</span> matches
              </span>{' '}
              the app record at <code>{result.url}</code> (checked {formatDateTime(result.checkedAt)}
              {result.recordVersion ? `, record version ${result.recordVersion}` : ''}).
            </p>
          ) : result.mismatches.length > 0 ? (
            <>
              <p>
                <span className="chip tone-bad">
                  <span aria-hidden="true">✕</span> {countOf(result.mismatches.length, 'mismatch', 'mismatches')}
                </span>{' '}
                with <code>{result.url}</code>
              </p>
              <table className="plain" data-testid="reconcile-mismatches">
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">App record</th>
                    <th scope="col">Received</th>
                    <th scope="col">Meaning</th>
                  </tr>
                </thead>
                <tbody>
                  {result.mismatches.map((m) => (
                    <tr key={m.field}>
                      <td className="mono">
                        {m.field}
                        {m.at !== undefined ? ` @${m.at}` : ''}
                      </td>
                      <td className="mono">{show(m.expected)}</td>
                      <td className="mono">{show(m.received)}</td>
                      <td>{m.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
          {result.resolved && result.resolved.length > 0 && (
            <>
              <h4>Resolved</h4>
              <ul data-testid="reconcile-resolved">
                {result.resolved.map((r) => (
                  <li key={`${r.field}-${r.resolvedAt}`}>
                    <span className="chip tone-ok">resolved</span> <span className="mono">{r.field}</span>: {r.detail} — seen from {formatDateTime(r.firstSeenAt)}, gone at{' '}
                    {formatDateTime(r.resolvedAt)}
                    {r.recordVersion ? ` (record version ${r.recordVersion})` : ''}
                  </li>
                ))}
              </ul>
            </>
          )}
          {result.history && result.history.length > 1 && (
            <details>
              <summary>{countOf(result.history.length, 'comparison')}</summary>
              <table className="plain" data-testid="reconcile-history">
                <thead>
                  <tr>
                    <th scope="col">Checked</th>
                    <th scope="col">After</th>
                    <th scope="col">Record version</th>
                    <th scope="col">Result</th>
                  </tr>
                </thead>
                <tbody>
                  {result.history.map((check) => (
                    <tr key={check.checkedAt}>
                      <td>{formatDateTime(check.checkedAt)}</td>
                      <td>{check.trigger ? TRIGGER_WORDS[check.trigger] : '—'}</td>
                      <td className="mono">
                        {check.recordVersion ?? '—'}
                        {check.savedAt !== undefined ? ` (saved ${String(check.savedAt)})` : ''}
                      </td>
                      <td>{check.error ? `error: ${check.error}` : check.mismatches.length === 0 ? 'matches' : check.mismatches.map((m) => m.field).join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
        </>
      )}
    </section>
  );
}
