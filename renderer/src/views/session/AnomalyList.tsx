import type { SessionDetail } from '../../../../shared/api';
import { ANOMALY_LOOK } from '../../components/AnomalyBadges';
import { formatMs } from '../../data/format';

type Anomaly = SessionDetail['anomalies'][number];

/** One line per anomaly, in words; the fields the analyzer attaches say what exactly happened. */
export function describeAnomaly(anomaly: Anomaly): string {
  const a = anomaly as Anomaly & Record<string, unknown>;
  const seq = typeof a.sequence === 'number' ? `#${a.sequence}` : '';
  switch (a.kind) {
    case 'duplicate':
      return `${seq} arrived again`;
    case 'conflict':
      return `${seq} re-sent with different text: “${String(a.chunk ?? '')}” instead of “${String(a.firstChunk ?? '')}”`;
    case 'replay':
      return `the stream restarted at ${seq} after reaching #${String(a.restartedAfter ?? '?')} (a retried job)`;
    case 'out_of_order':
      return `${seq} arrived after #${String(a.max ?? '?')}`;
    case 'gap':
      return `${typeof a.count === 'number' ? a.count : '?'} missing: ${seq}${typeof a.to === 'number' && a.to !== a.sequence ? `–${a.to}` : ''}`;
    case 'stall':
      return `no event for ${formatMs(typeof a.silentMs === 'number' ? a.silentMs : null)}${a.ongoing ? ' (still silent)' : ''}`;
    case 'after_terminal':
      return `${seq} arrived after the terminal event`;
    case 'terminal_conflict':
      return `${String(a.state ?? '?')} after ${String(a.previous ?? '?')}`;
    case 'violation':
    case 'oversize':
      return `${seq ? `${seq}: ` : ''}${String(a.reason ?? 'breaks the contract')}`;
    case 'disconnect':
      return `connection ${String(a.connection ?? '')} went ${String(a.state ?? 'down')}${typeof a.code === 'number' ? ` (close code ${a.code})` : ''} while the session was open`;
    case 'delivery_loss':
      return `${typeof a.count === 'number' ? a.count : '?'} received by another vantage but not here: ${seq}${typeof a.to === 'number' && a.to !== a.sequence ? `–${a.to}` : ''}`;
    case 'reconcile_mismatch':
      return `${String(a.field ?? 'record')}: ${String(a.detail ?? 'differs from the app record')}`;
  }
}

interface Props {
  anomalies: readonly Anomaly[];
  dropped: number;
  t0: number;
  selected: number | null;
  onPick(index: number): void;
}

/** (d) the anomaly list: each entry is a button that jumps to its point on the timeline and in the frames. */
export function AnomalyList({ anomalies, dropped, t0, selected, onPick }: Props) {
  return (
    <section className="panel" aria-labelledby="anomaly-title">
      <h3 id="anomaly-title">
        Anomalies{' '}
        <span className="muted">
          ({anomalies.length}
          {dropped > 0 ? ` shown, ${dropped} more counted` : ''})
        </span>
      </h3>
      {anomalies.length === 0 ? (
        <p className="muted" data-testid="anomaly-list" data-count={0}>
          None: this stream looks healthy.
        </p>
      ) : (
        <ol className="anomaly-list" data-testid="anomaly-list" data-count={anomalies.length}>
          {anomalies.map((anomaly, index) => {
            const look = ANOMALY_LOOK[anomaly.kind];
            return (
              <li key={`${anomaly.kind}-${anomaly.at}-${index}`}>
                <button
                  type="button"
                  className={`anomaly-item ${selected === index ? 'selected' : ''}`}
                  aria-pressed={selected === index}
                  data-kind={anomaly.kind}
                  onClick={() => onPick(index)}
                >
                  <span className={`badge tone-${look.tone}`}>
                    <span aria-hidden="true">{look.icon}</span> {look.label}
                  </span>
                  <span className="anomaly-when mono">+{formatMs(anomaly.at - t0)}</span>
                  <span className="anomaly-text">{describeAnomaly(anomaly)}</span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
