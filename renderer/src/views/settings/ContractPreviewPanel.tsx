import type { ContractPreview } from '../../../../shared/api';
import { StatusChip } from '../../components/StatusChip';
import { countOf, formatCount } from '../../data/format';
import type { PreviewState, ValidPreview } from './use-contract-preview';

/**
 * What the draft makes of the recorded frames (`contracts.preview`): how many frames it read,
 * the sessions it found, the first violations and what it did not read. Live analysis is not
 * changed until the contract is used.
 */
export function ContractPreviewPanel({ state, onRefresh }: { state: PreviewState; onRefresh(): void }) {
  const preview = state.phase === 'waiting' ? null : state.preview;
  const loading = state.phase === 'waiting' || (state.phase === 'ready' && state.loading);
  return (
    <section className="contract-preview" aria-labelledby="contract-preview-title" aria-busy={loading} data-testid="contract-preview" data-loading={loading}>
      <div className="contract-preview-head">
        <h4 id="contract-preview-title">Preview against recorded frames</h4>
        <button type="button" className="secondary small-button" onClick={onRefresh}>
          Read again
        </button>
      </div>
      <p className="muted small">
        The newest records the monitor holds{preview?.valid ? ` (${countOf(preview.records, 'record')})` : ''}, read with this draft. Live analysis does not change until you use
        the contract.
      </p>
      {state.phase === 'failed' && (
        <p className="error" role="alert">
          The preview failed: {state.message}
        </p>
      )}
      {preview === null ? (
        <p className="muted">Reading the recorded frames…</p>
      ) : preview.valid ? (
        <ValidPreviewBody preview={preview} />
      ) : (
        <>
          <InvalidPreview preview={preview} />
          {state.phase !== 'waiting' && state.lastValid !== null && (
            <div className="preview-stale" data-testid="preview-stale">
              <p className="muted small">As of the last draft that could work:</p>
              <ValidPreviewBody preview={state.lastValid} quiet />
            </div>
          )}
        </>
      )}
    </section>
  );
}

function InvalidPreview({ preview }: { preview: Extract<ContractPreview, { valid: false }> }) {
  return (
    <p className="muted" role="status" data-testid="preview-summary">
      Nothing to preview: this draft cannot work ({preview.issues.length === 1 ? 'one problem' : `${preview.issues.length} problems`}, listed in the form).
    </p>
  );
}

/** `quiet`: an earlier draft's preview, kept in view (no live status, no test ids of the current one). */
function ValidPreviewBody({ preview, quiet = false }: { preview: ValidPreview; quiet?: boolean }) {
  const statusRole = quiet ? undefined : 'status';
  const summaryId = quiet ? undefined : 'preview-summary';
  if (preview.frames === 0) {
    return (
      <p className="muted" role={statusRole} data-testid={summaryId}>
        Nothing recorded yet: connect to a server (Connections) or import a journal (Journal), and the preview reads its frames.
      </p>
    );
  }
  return (
    <>
      <p role={statusRole} data-testid={summaryId}>
        {preview.sessionsTotal === 0 ? 'No session found' : `Found ${countOf(preview.sessionsTotal, 'session')}`} in {countOf(preview.frames, 'frame')}
        {preview.kind === 'automatic' ? ', each channel’s contract detected.' : '.'}
      </p>
      <dl className="preview-stats" data-testid={quiet ? undefined : 'preview-stats'}>
        <div>
          <dt>Frames read</dt>
          <dd data-testid={quiet ? undefined : 'preview-frames-read'}>
            {formatCount(preview.framesRead)} <span className="muted">of {formatCount(preview.frames)}</span>
          </dd>
        </div>
        <div>
          <dt>On channels it read</dt>
          <dd>{formatCount(preview.framesOnChannelsRead)}</dd>
        </div>
        <div>
          <dt>Channels read</dt>
          <dd>
            {formatCount(preview.channelsRead)} <span className="muted">of {formatCount(preview.channels)}</span>
          </dd>
        </div>
        <div>
          <dt>Sessions</dt>
          <dd data-testid={quiet ? undefined : 'preview-sessions-total'}>{formatCount(preview.sessionsTotal)}</dd>
        </div>
        <div>
          <dt>Violations</dt>
          <dd className={preview.violationsTotal > 0 ? 'bad-count' : undefined}>{formatCount(preview.violationsTotal)}</dd>
        </div>
      </dl>
      {preview.sessions.length > 0 && <PreviewSessions preview={preview} quiet={quiet} />}
      {preview.violations.length > 0 && (
        <div data-testid={quiet ? undefined : 'preview-violations'}>
          <h5>First violations</h5>
          <ul className="preview-list">
            {violationGroups(preview.violations).map((group) => (
              <li key={`${group.sessionId}\u0000${group.reason}`}>
                <span className="mono">{group.sessionId}</span>
                {group.sequences.length > 0 && <span className="muted"> #{group.sequences.join(', #')}</span>}: {group.reason}
                {group.count > 1 && <span className="muted"> ×{formatCount(group.count)}</span>}
                {group.kind === 'oversize' && <span className="muted"> (oversize)</span>}
              </li>
            ))}
          </ul>
          {preview.violationsTotal > preview.violations.length && <p className="muted small">…and {countOf(preview.violationsTotal - preview.violations.length, 'more')}.</p>}
        </div>
      )}
      {!quiet && (preview.unrecognised.length > 0 || preview.unreadEvents.length > 0) && <NotRead preview={preview} />}
    </>
  );
}

/** The same reason in the same session, once with its count: five frames without a sequence are one line. */
function violationGroups(violations: ValidPreview['violations']): { sessionId: string; reason: string; kind: string; count: number; sequences: number[] }[] {
  const groups = new Map<string, { sessionId: string; reason: string; kind: string; count: number; sequences: number[] }>();
  for (const violation of violations) {
    const key = `${violation.sessionId}\u0000${violation.reason}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { sessionId: violation.sessionId, reason: violation.reason, kind: violation.kind, count: 0, sequences: [] };
      groups.set(key, group);
    }
    group.count++;
    if (violation.sequence !== undefined && group.sequences.length < 5) group.sequences.push(violation.sequence);
  }
  return [...groups.values()];
}

function PreviewSessions({ preview, quiet }: { preview: ValidPreview; quiet: boolean }) {
  return (
    <table className="preview-table" data-testid={quiet ? undefined : 'preview-sessions'}>
      <caption className="muted small">
        {preview.sessionsTotal > preview.sessions.length ? `The first ${formatCount(preview.sessions.length)} of ${countOf(preview.sessionsTotal, 'session')}` : 'Sessions found'}
      </caption>
      <thead>
        <tr>
          <th scope="col">Session · channel</th>
          <th scope="col" className="status-col">
            Status
          </th>
          <th scope="col" className="num">
            Events
          </th>
          <th scope="col" className="num">
            <abbr title="duplicates">Dup.</abbr>
          </th>
          <th scope="col" className="num">
            Replays
          </th>
          <th scope="col" className="num">
            <abbr title="violations">Viol.</abbr>
          </th>
        </tr>
      </thead>
      <tbody>
        {preview.sessions.map((session) => (
          <tr key={session.sessionId} data-testid={quiet ? undefined : 'preview-session'} data-session={session.sessionId}>
            <td title={`${session.sessionId} on ${session.channel}`}>
              <span className="mono">{session.sessionId}</span>
              <span className="mono muted preview-channel">{session.channel}</span>
            </td>
            <td>
              <StatusChip status={session.status} testId={quiet ? 'preview-status-stale' : 'preview-status'} />
            </td>
            <td className="num">{formatCount(session.events)}</td>
            <td className={session.duplicates > 0 ? 'num bad-count' : 'num'}>{formatCount(session.duplicates)}</td>
            <td className={session.replays > 0 ? 'num bad-count' : 'num'}>{formatCount(session.replays)}</td>
            <td className={session.violations > 0 ? 'num bad-count' : 'num'}>{formatCount(session.violations)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NotRead({ preview }: { preview: ValidPreview }) {
  return (
    <div data-testid="preview-unread">
      <h5>Not read by this draft</h5>
      {preview.unrecognised.length > 0 && (
        <ul className="preview-list">
          {preview.unrecognised.map((channel) => (
            <li key={`${channel.connection}\u0000${channel.channel}`} data-testid="preview-unread-channel">
              <span className="mono">{channel.channel}</span> <span className="muted">— {countOf(channel.frames, 'frame')}:</span> {channel.events.join(', ')}
              <div className="mono sample" title={channel.sample.data}>
                {channel.sample.event} {channel.sample.data}
              </div>
            </li>
          ))}
        </ul>
      )}
      {preview.unrecognisedTotal > preview.unrecognised.length && (
        <p className="muted small">…and {countOf(preview.unrecognisedTotal - preview.unrecognised.length, 'more channel')}.</p>
      )}
      {preview.unreadEvents.length > 0 && (
        <p className="small">
          <span className="muted">Events not read: </span>
          {preview.unreadEvents.map((event, i) => (
            <span key={event.event}>
              {i > 0 && ', '}
              <code>{event.event}</code> <span className="muted">×{formatCount(event.frames)}</span>
            </span>
          ))}
        </p>
      )}
    </div>
  );
}
