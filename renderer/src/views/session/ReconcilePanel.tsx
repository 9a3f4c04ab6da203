import type { ReconcileResult } from '../../../../shared/api';
import { formatDateTime } from '../../data/format';

/** (f) the comparison with the app's own generation record, when the profile asks for it. */
export function ReconcilePanel({ result }: { result: ReconcileResult | null }) {
  return (
    <section className="panel" aria-labelledby="reconcile-title" data-testid="reconcile">
      <h3 id="reconcile-title">Reconciliation</h3>
      {result === null ? (
        <p className="muted">
          Not checked. Add a reconciliation URL (e.g. <code>http://127.0.0.1:8000/api/generations/{'{sessionId}'}</code>) to the connection profile to compare ended sessions
          with your app's record.
        </p>
      ) : result.error ? (
        <p className="error">
          Could not fetch <code>{result.url}</code>: {result.error}
        </p>
      ) : result.ok ? (
        <p>
          <span className="chip tone-ok">
            <span aria-hidden="true">✓</span> matches
          </span>{' '}
          the app record at <code>{result.url}</code> (checked {formatDateTime(result.checkedAt)}).
        </p>
      ) : (
        <>
          <p>
            <span className="chip tone-bad">
              <span aria-hidden="true">✕</span> {result.mismatches.length} mismatch{result.mismatches.length === 1 ? '' : 'es'}
            </span>{' '}
            with <code>{result.url}</code>
          </p>
          <table className="plain">
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
                  <td className="mono">{m.field}</td>
                  <td className="mono">{JSON.stringify(m.expected)?.slice(0, 120)}</td>
                  <td className="mono">{JSON.stringify(m.received)?.slice(0, 120)}</td>
                  <td>{m.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
