import type { SessionDetail } from '../../../../shared/api';
import { ANOMALY_LOOK } from '../../components/AnomalyBadges';
import { formatCount, formatMs } from '../../data/format';

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

/** Kinds whose repeats on consecutive sequences read as one entry: "#1–#20 arrived again". */
const GROUPED = new Set<Anomaly['kind']>(['duplicate', 'after_terminal', 'out_of_order', 'violation']);

/** An entry of the list: one anomaly, or a run of the same kind on consecutive sequences (`first`..`last` indexes). */
export interface AnomalyEntry {
  first: number;
  last: number;
  /** Indexes of the anomalies it stands for. */
  members: number[];
  kind: Anomaly['kind'];
  count: number;
  text: string;
}

const sequenceOf = (anomaly: Anomaly): number | undefined => {
  const value = (anomaly as Anomaly & { sequence?: unknown }).sequence;
  return typeof value === 'number' ? value : undefined;
};

/**
 * The anomalies as the list shows them: a run of the same kind whose sequences follow each other
 * (#1, #2, … #20 arriving again after a retry) is one entry, "#1–#20 arrived again (20)", that jumps
 * to its first — other kinds between them (the replay found at #1, the duplicates that late frames
 * also are) make entries of their own after it; anything else stays one entry per anomaly, in order.
 */
export function groupAnomalies(anomalies: readonly Anomaly[]): AnomalyEntry[] {
  const entries: AnomalyEntry[] = [];
  const taken = new Uint8Array(anomalies.length);
  for (let i = 0; i < anomalies.length; i++) {
    if (taken[i]) continue;
    const anomaly = anomalies[i]!;
    const start = sequenceOf(anomaly);
    const members = [i];
    if (GROUPED.has(anomaly.kind) && start !== undefined) {
      // The run goes on past other kinds between its members (the replay found at #1, the duplicate
      // each late frame also is) and ends at the first of its kind that does not follow on.
      for (let j = i + 1; j < anomalies.length; j++) {
        const next = anomalies[j]!;
        if (next.kind !== anomaly.kind) continue;
        if (sequenceOf(next) !== start + members.length) break;
        members.push(j);
      }
    }
    for (const member of members) taken[member] = 1;
    const count = members.length;
    const text = count === 1 ? describeAnomaly(anomaly) : describeAnomaly(anomaly).replace(`#${start}`, `#${start}–#${start! + count - 1}`) + ` (${count})`;
    entries.push({ first: i, last: members[count - 1]!, kind: anomaly.kind, count, text, members });
  }
  return entries;
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
          ({formatCount(anomalies.length)}
          {dropped > 0 ? ` shown, ${formatCount(dropped)} more counted` : ''})
        </span>
      </h3>
      {anomalies.length === 0 ? (
        <p className="muted" data-testid="anomaly-list" data-count={0}>
          None: this stream looks healthy.
        </p>
      ) : (
        <ol className="anomaly-list" data-testid="anomaly-list" data-count={anomalies.length}>
          {groupAnomalies(anomalies).map((entry) => {
            const anomaly = anomalies[entry.first]!;
            const look = ANOMALY_LOOK[entry.kind];
            const picked = selected !== null && entry.members.includes(selected);
            return (
              <li key={`${entry.kind}-${anomaly.at}-${entry.first}`}>
                <button
                  type="button"
                  className={`anomaly-item ${picked ? 'selected' : ''}`}
                  aria-pressed={picked}
                  data-kind={entry.kind}
                  data-count={entry.count}
                  onClick={() => onPick(entry.first)}
                >
                  <span className={`badge tone-${look.tone}`}>
                    <span aria-hidden="true">{look.icon}</span> {look.label}
                  </span>
                  <span className="anomaly-when mono">+{formatMs(anomaly.at - t0)}</span>
                  <span className="anomaly-text">{entry.text}</span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
