import type { ContractPreview } from '../../../../shared/api';
import { StatusChip } from '../../components/StatusChip';
import type { PreviewState } from './use-contract-preview';

type ValidPreview = Extract<ContractPreview, { valid: true }>;

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
      <p className="muted small">The newest frames the monitor holds, read with this draft. Live analysis does not change until you use the contract.</p>
      {state.phase === 'failed' && (
        <p className="error" role="alert">
          The preview failed: {state.message}
        </p>
      )}
      {preview === null ? <p className="muted">Reading the recorded frames…</p> : preview.valid ? <ValidPreviewBody preview={preview} /> : <InvalidPreview preview={preview} />}
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

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

function ValidPreviewBody({ preview }: { preview: ValidPreview }) {
  if (preview.frames === 0) {
    return (
      <p className="muted" role="status" data-testid="preview-summary">
        Nothing recorded yet: connect to a server (Connections) or import a journal (Journal), and the preview reads its frames.
      </p>
    );
  }
  return (
    <>
      <p role="status" data-testid="preview-summary">
        {preview.sessionsTotal === 0 ? 'No session found' : `Found ${plural(preview.sessionsTotal, 'session')}`} in {plural(preview.frames, 'frame')}
        {preview.kind === 'automatic' ? ', each channel’s contract detected.' : '.'}
      </p>
      <dl className="preview-stats" data-testid="preview-stats">
        <div>
          <dt>Frames read</dt>
          <dd data-testid="preview-frames-read">
            {preview.framesRead.toLocaleString()} <span className="muted">of {preview.frames.toLocaleString()}</span>
          </dd>
        </div>
        <div>
          <dt>On channels it read</dt>
          <dd>{preview.framesOnChannelsRead.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Channels read</dt>
          <dd>
            {preview.channelsRead.toLocaleString()} <span className="muted">of {preview.channels.toLocaleString()}</span>
          </dd>
        </div>
        <div>
          <dt>Sessions</dt>
          <dd data-testid="preview-sessions-total">{preview.sessionsTotal.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Violations</dt>
          <dd className={preview.violationsTotal > 0 ? 'bad-count' : undefined}>{preview.violationsTotal.toLocaleString()}</dd>
        </div>
      </dl>
      {preview.sessions.length > 0 && <PreviewSessions preview={preview} />}
      {preview.violations.length > 0 && (
        <div data-testid="preview-violations">
          <h5>First violations</h5>
          <ul className="preview-list">
            {preview.violations.map((violation, i) => (
              <li key={i}>
                <span className="mono">{violation.sessionId}</span>
                {violation.sequence !== undefined && <span className="muted"> #{violation.sequence}</span>}: {violation.reason}
                {violation.kind === 'oversize' && <span className="muted"> (oversize)</span>}
              </li>
            ))}
          </ul>
          {preview.violationsTotal > preview.violations.length && <p className="muted small">…and {plural(preview.violationsTotal - preview.violations.length, 'more')}.</p>}
        </div>
      )}
      {(preview.unrecognised.length > 0 || preview.unreadEvents.length > 0) && <NotRead preview={preview} />}
    </>
  );
}

function PreviewSessions({ preview }: { preview: ValidPreview }) {
  return (
    <div className="preview-table-wrap">
      <table className="preview-table" data-testid="preview-sessions">
        <caption className="muted small">
          {preview.sessionsTotal > preview.sessions.length ? `The first ${preview.sessions.length} of ${preview.sessionsTotal} sessions` : 'Sessions found'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Channel</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Events
            </th>
            <th scope="col" className="num">
              Dup.
            </th>
            <th scope="col" className="num">
              Replays
            </th>
            <th scope="col" className="num">
              Violations
            </th>
          </tr>
        </thead>
        <tbody>
          {preview.sessions.map((session) => (
            <tr key={session.sessionId} data-testid="preview-session" data-session={session.sessionId}>
              <td className="mono" title={session.sessionId}>
                {session.sessionId}
              </td>
              <td className="mono" title={session.channel}>
                {session.channel}
              </td>
              <td>
                <StatusChip status={session.status} testId="preview-status" />
              </td>
              <td className="num">{session.events.toLocaleString()}</td>
              <td className={session.duplicates > 0 ? 'num bad-count' : 'num'}>{session.duplicates.toLocaleString()}</td>
              <td className={session.replays > 0 ? 'num bad-count' : 'num'}>{session.replays.toLocaleString()}</td>
              <td className={session.violations > 0 ? 'num bad-count' : 'num'}>{session.violations.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
              <span className="mono">{channel.channel}</span> <span className="muted">— {plural(channel.frames, 'frame')}:</span> {channel.events.join(', ')}
              <div className="mono sample" title={channel.sample.data}>
                {channel.sample.event} {channel.sample.data}
              </div>
            </li>
          ))}
        </ul>
      )}
      {preview.unrecognisedTotal > preview.unrecognised.length && (
        <p className="muted small">…and {plural(preview.unrecognisedTotal - preview.unrecognised.length, 'more channel')}.</p>
      )}
      {preview.unreadEvents.length > 0 && (
        <p className="small">
          <span className="muted">Events not read: </span>
          {preview.unreadEvents.map((event, i) => (
            <span key={event.event}>
              {i > 0 && ', '}
              <code>{event.event}</code> <span className="muted">×{event.frames.toLocaleString()}</span>
            </span>
          ))}
        </p>
      )}
    </div>
  );
}
