import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import type { SessionRow } from '../../../shared/api';
import { sessionHref } from '../app/route';
import { formatAge, formatCount, formatMs } from '../data/format';
import type { SessionQuery, SortKey } from '../../../shared/api/session-query';
import { AnomalyBadges } from './AnomalyBadges';
import { StatusChip } from './StatusChip';
import { VirtualList } from './VirtualList';

const ROW_HEIGHT = 36;

interface Column {
  key: SortKey;
  label: string;
  title: string;
  numeric?: boolean;
}

const COLUMNS: Column[] = [
  { key: 'sessionId', label: 'Session', title: 'Session id and channel' },
  { key: 'status', label: 'Status', title: 'Session status' },
  { key: 'code', label: 'Code', title: 'Termination code of the terminal event, or that none came' },
  { key: 'events', label: 'Events', title: 'Events received (duplicates included)', numeric: true },
  { key: 'duplicates', label: 'Dup', title: 'Duplicate events', numeric: true },
  { key: 'replays', label: 'Replays', title: 'Replay restarts', numeric: true },
  { key: 'missing', label: 'Gaps', title: 'Missing sequences', numeric: true },
  { key: 'outOfOrder', label: 'OoO', title: 'Out-of-order events', numeric: true },
  { key: 'afterTerminal', label: 'After end', title: 'Events after the terminal event', numeric: true },
  { key: 'p95', label: 'p95 gap', title: 'p95 inter-token latency', numeric: true },
  { key: 'age', label: 'Age', title: 'Time since the first event', numeric: true },
];

function openSession(sessionId: string): void {
  window.location.hash = sessionHref(sessionId);
}

/**
 * A click anywhere on a row opens its session, like its link does. The link itself, other
 * controls, a modified click (new tab) and a click that ends a text selection keep their own meaning.
 */
function openFromRow(event: MouseEvent<HTMLElement>, sessionId: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (event.target instanceof Element && event.target.closest('a, button, input, select, textarea, [role="button"]')) return;
  if ((window.getSelection()?.toString() ?? '').length > 0) return;
  openSession(sessionId);
}

/** Counts that are not zero stand out (class `hot`): the eye finds trouble without reading numbers. */
function Count({ value, known = true, why }: { value: number; known?: boolean; why?: string }) {
  // What the session's contract cannot check is greyed out, never shown as 0.
  if (!known)
    return (
      <span className="unknown" title={why} data-unknown="true">
        —
      </span>
    );
  return <span className={value > 0 ? 'hot' : 'zero'}>{formatCount(value)}</span>;
}

const CANNOT = {
  gaps: 'Cannot be known: this stream carries no sequence numbers, so a lost event leaves no hole',
  order: 'Cannot be known: no sequence numbers and no time-ordered ids, arrival is the only order',
  duplicates: 'Cannot be known: no id per event, a redelivery cannot be told from a new event',
} as const;

interface Props {
  /** The rows, or a window of them: `rows[0]` is row `offset` of `total`. */
  rows: readonly SessionRow[];
  offset?: number;
  total?: number;
  /** Told which rows are rendered whenever that changes (the Live view subscribes to that window). */
  onRange?(first: number, last: number): void;
  query: Pick<SessionQuery, 'sort' | 'descending'>;
  onSort(key: SortKey): void;
  height: number;
  label: string;
  /** Shown instead of the rows when there are none (default: "No sessions match."). */
  empty?: ReactNode;
}

/** The sessions as a sortable, virtualized table (ARIA table semantics on divs, so only visible rows exist). */
export function SessionTable({ rows, offset = 0, total = rows.length, onRange, query, onSort, height, label, empty }: Props) {
  // One clock for the whole table: ages tick every second without a timer per row.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  return (
    <div className="session-table" role="table" aria-label={label} aria-rowcount={total + 1}>
      <div className="session-grid session-head" role="row" aria-rowindex={1}>
        {COLUMNS.map((column) => (
          <div
            key={column.key}
            role="columnheader"
            className={column.numeric ? 'num' : undefined}
            aria-sort={query.sort === column.key ? (query.descending ? 'descending' : 'ascending') : 'none'}
          >
            <button type="button" className="sort-button" title={`Sort by ${column.title.toLowerCase()}`} onClick={() => onSort(column.key)}>
              {column.label}
              <span aria-hidden="true">{query.sort === column.key ? (query.descending ? ' ▼' : ' ▲') : ''}</span>
            </button>
          </div>
        ))}
        <div role="columnheader">Anomalies</div>
      </div>
      {total === 0 ? (
        (empty ?? <p className="muted empty">No sessions match.</p>)
      ) : (
        <VirtualList
          count={total}
          rowHeight={ROW_HEIGHT}
          height={height}
          role="rowgroup"
          {...(onRange ? { onRange } : {})}
          renderRow={(index) => {
            const row = rows[index - offset];
            // Outside the window the host sent (scrolled past it, its rows on their way).
            if (row === undefined) return <div className="session-grid session-row pending" role="row" aria-rowindex={index + 2} aria-busy="true" />;
            return (
              <div
                className="session-grid session-row"
                role="row"
                aria-rowindex={index + 2}
                aria-label={`Session ${row.sessionId}, ${row.status}: open its detail`}
                tabIndex={0}
                data-testid="session-row"
                data-session={row.sessionId}
                data-status={row.status}
                onClick={(event) => openFromRow(event, row.sessionId)}
                onKeyDown={(event) => {
                  if (event.target !== event.currentTarget || (event.key !== 'Enter' && event.key !== ' ')) return;
                  // Space would scroll the list; Enter on the row (not its link) opens it too.
                  event.preventDefault();
                  openSession(row.sessionId);
                }}
              >
                <div role="cell" className="cell-id">
                  <a href={sessionHref(row.sessionId)} className="mono" title={row.channel}>
                    {row.sessionId}
                  </a>
                  {row.observations > 1 && (
                    <span
                      className="tag small"
                      data-testid="observation-count"
                      title={`${formatCount(row.observations)} vantages saw this session (connections, imported files): the row shows the worst of them`}
                    >
                      ×{formatCount(row.observations)} vantages
                    </span>
                  )}
                  {row.contract.name !== 'echoscope' && (
                    <span
                      className="tag small"
                      data-testid="row-contract"
                      title={`${row.contract.confidence === 'given' ? 'Given contract' : `Detected (${row.contract.confidence} confidence)`}: ${row.contract.reason}`}
                    >
                      {row.contract.name}
                    </span>
                  )}
                  {row.joinedLate && (
                    <span className="tag small" title="EchoScope began watching after the stream had started: the head was not observed (not missing)">
                      joined at #{row.coverage.fromSequence}
                    </span>
                  )}
                </div>
                <div role="cell" className="cell-status">
                  <StatusChip status={row.status} />
                  {row.replays > 0 && (
                    <span
                      className="tag small warn-tag"
                      data-testid="retried"
                      title={`The job streamed again from the start ${row.replays === 1 ? 'once' : `${formatCount(row.replays)} times`} (a crash and retry): the client was sent the tokens again, whatever the end`}
                    >
                      retried{row.replays > 1 ? ` ×${formatCount(row.replays)}` : ''}
                    </span>
                  )}
                </div>
                <div role="cell" className="mono cell-code" data-testid="termination-code">
                  {row.terminalAt === null ? (
                    <span
                      className={row.status === 'streaming' ? 'muted' : 'status-error'}
                      title={row.status === 'streaming' ? 'No terminal event yet' : 'No terminal event ever came: the stream stopped without saying how it ended'}
                    >
                      {row.status === 'streaming' ? '…' : 'no terminal event'}
                    </span>
                  ) : (
                    (row.terminationCode ?? <span className="muted">—</span>)
                  )}
                </div>
                <div role="cell" className="num">
                  {formatCount(row.events)}
                </div>
                <div role="cell" className="num">
                  <Count value={row.duplicates} known={row.checks.duplicates} why={CANNOT.duplicates} />
                </div>
                <div role="cell" className="num">
                  <Count value={row.replays} />
                </div>
                <div role="cell" className="num">
                  <Count value={row.missing} known={row.checks.gaps} why={CANNOT.gaps} />
                </div>
                <div role="cell" className="num">
                  <Count value={row.outOfOrder} known={row.checks.order} why={CANNOT.order} />
                </div>
                <div role="cell" className="num">
                  <Count value={row.afterTerminal} />
                </div>
                <div role="cell" className="num">
                  {formatMs(row.interTokenMs?.p95)}
                </div>
                <div role="cell" className="num">
                  {row.firstAt === null ? '—' : formatAge(now - row.firstAt)}
                </div>
                <div role="cell" className="cell-anomalies">
                  <AnomalyBadges kinds={row.anomalyKinds} />
                </div>
              </div>
            );
          }}
        />
      )}
    </div>
  );
}
