import type { ConnectionSegment } from '../../charts/fleet-data';
import { formatClock } from '../../data/format';

const STATE_CLASS: Record<string, string> = { connected: 'ok', connecting: 'warn', initialized: 'warn', unavailable: 'warn', disconnected: 'muted', failed: 'bad' };

/** Connection states per connection as coloured, labelled bands (close codes in the band's title and the list below). */
export function ConnectionTimeline({ segments, from, to }: { segments: Map<string, ConnectionSegment[]>; from: number; to: number }) {
  const span = Math.max(1, to - from);
  const entries = [...segments.entries()];
  return (
    <figure className="chart" data-testid="chart-connections" aria-label="Connection states over time">
      <figcaption>
        Connection states <span className="muted">(since this window opened)</span>
      </figcaption>
      {entries.length === 0 ? (
        <p className="muted">No connections yet.</p>
      ) : (
        <ul className="conn-timeline">
          {entries.map(([connection, list]) => (
            <li key={connection}>
              <span className="conn-name mono">{connection}</span>
              <span className="conn-track" role="img" aria-label={`${connection}: ${list.map((s) => s.state).join(', then ')}`}>
                {list.map((segment, index) => {
                  const left = Math.max(0, (segment.from - from) / span);
                  const right = Math.min(1, (segment.to - from) / span);
                  if (right <= 0 || right <= left) return null;
                  return (
                    <span
                      key={index}
                      className={`conn-band band-${STATE_CLASS[segment.state] ?? 'muted'}`}
                      style={{ left: `${left * 100}%`, width: `${Math.max(0.4, (right - left) * 100)}%` }}
                      title={`${segment.state} from ${formatClock(segment.from)}${segment.code !== undefined ? ` (code ${segment.code})` : ''}${segment.reason ? `: ${segment.reason}` : ''}`}
                    />
                  );
                })}
              </span>
              <span className="conn-events">
                {list
                  .filter((s) => s.code !== undefined || (s.state !== 'connected' && s.reason))
                  .slice(-3)
                  .map((s, i) => (
                    <span key={i} className="tag">
                      {s.state} {formatClock(s.from)}
                      {s.code !== undefined ? ` · ${s.code}` : ''}
                      {s.reason ? ` · ${s.reason}` : ''}
                    </span>
                  ))}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p className="legend muted">
        <span className="conn-key band-ok" /> connected <span className="conn-key band-warn" /> connecting / unavailable <span className="conn-key band-bad" /> failed{' '}
        <span className="conn-key band-muted" /> disconnected
      </p>
    </figure>
  );
}
