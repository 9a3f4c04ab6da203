import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AnomalyKindSchema, SessionStatusSchema, type AppApi, type AppInfo } from '../../../../shared/api';
import { ANOMALY_LOOK } from '../../components/AnomalyBadges';
import { SessionTable } from '../../components/SessionTable';
import { StatusChip } from '../../components/StatusChip';
import { useAvailableHeight } from '../../components/use-element-height';
import { countOf, formatCount } from '../../data/format';
import type { SessionStore } from '../../data/session-store';
import { useSubscription } from '../../data/use-subscription';
import { UnrecognisedChannels } from './UnrecognisedChannels';
import { DEFAULT_QUERY, type SessionQuery, type SortKey } from '../../../../shared/api/session-query';

const HINT_KEY = 'echoscope.demoHintDismissed';

/** Rows of the Live table the host sends: the visible ones and a margin each side, so a scroll within it asks for nothing. */
export const LIVE_WINDOW_ROWS = 200;
const LIVE_WINDOW_MARGIN = 60;

const NO_COUNTS = Object.fromEntries(SessionStatusSchema.options.map((status) => [status, 0])) as Record<(typeof SessionStatusSchema.options)[number], number>;

/**
 * Sessions as they stream: status at a glance, counters, filters, newest first. The host filters
 * and sorts; this view subscribes to the window of rows its table shows (the `live` topic).
 */
export function LiveView({ api, store, info }: { api: AppApi; store: SessionStore; info: AppInfo | null }) {
  const [query, setQuery] = useState<SessionQuery>(DEFAULT_QUERY);
  const [offset, setOffset] = useState(0);
  const [hintDismissed, setHintDismissed] = useState(() => window.localStorage.getItem(HINT_KEY) === '1');
  const tableRef = useRef<HTMLDivElement>(null);
  const height = useAvailableHeight(tableRef, 260, 60);

  const live = useSubscription(api, 'live', { offset, limit: LIVE_WINDOW_ROWS, query }, { keepWhileChanging: true });
  const window_ = live.state;
  const rows = useMemo(() => window_?.rows ?? [], [window_]);
  const total = window_?.total ?? 0;
  const sessions = window_?.sessions ?? 0;
  const counts = window_?.counts ?? NO_COUNTS;
  // The rows this window shows feed the announcer's status changes.
  useEffect(() => store.upsert(rows), [store, rows]);

  // Scrolled out of the window: ask for the one around what shows.
  const onRange = useCallback((first: number, last: number) => {
    setOffset((current) => (first >= current && last <= current + LIVE_WINDOW_ROWS ? current : Math.max(0, first - LIVE_WINDOW_MARGIN)));
  }, []);

  const sortBy = (key: SortKey) => setQuery((q) => ({ ...q, sort: key, descending: q.sort === key ? !q.descending : key !== 'sessionId' && key !== 'age' }));

  return (
    <section className="view live-view" aria-labelledby="live-title">
      <div className="view-head">
        <h2 id="live-title">Live sessions</h2>
        <span className="muted" data-testid="session-count">
          {total === sessions ? countOf(sessions, 'session') : `${formatCount(total)} of ${countOf(sessions, 'session')}`}
        </span>
      </div>
      {info?.demo && !hintDismissed && (
        <div className="hint" role="note" data-testid="demo-hint">
          <p>
            <strong>You are watching the built-in demo</strong>: a mock Pusher-protocol server at <code>{info.demo.url}</code> streams healthy, replayed, truncated, silent and
            errored AI sessions. To watch your own Reverb, soketi or Pusher app, add it under <a href="#/connections">Connections</a> (host, port, app key, and the app secret or
            your <code>/broadcasting/auth</code> endpoint), or run <code>echoscope watch --url ws://host:port --key KEY --secret SECRET --discover private-ai.</code>
          </p>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              window.localStorage.setItem(HINT_KEY, '1');
              setHintDismissed(true);
            }}
          >
            Got it
          </button>
        </div>
      )}
      <div className="status-summary" aria-label="Sessions by status">
        {SessionStatusSchema.options.map((status) => (
          <button
            key={status}
            type="button"
            className={`summary-button ${query.status === status ? 'active' : ''}`}
            aria-pressed={query.status === status}
            onClick={() => setQuery((q) => ({ ...q, status: q.status === status ? 'all' : status }))}
            title={`Show only ${status} sessions`}
          >
            <StatusChip status={status} testId="status-summary" /> <span className="summary-count">{counts[status]}</span>
          </button>
        ))}
      </div>
      <form className="filters" role="search" aria-label="Filter sessions" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={query.status} onChange={(e) => setQuery((q) => ({ ...q, status: e.target.value as SessionQuery['status'] }))}>
            <option value="all">all</option>
            <option value="problems">problems only</option>
            {SessionStatusSchema.options.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <label>
          Anomaly
          <select value={query.anomaly} onChange={(e) => setQuery((q) => ({ ...q, anomaly: e.target.value as SessionQuery['anomaly'] }))}>
            <option value="any">any or none</option>
            {AnomalyKindSchema.options.map((kind) => (
              <option key={kind} value={kind}>
                {ANOMALY_LOOK[kind].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Session or channel
          <input type="search" value={query.text} placeholder="e.g. demo-3" onChange={(e) => setQuery((q) => ({ ...q, text: e.target.value }))} />
        </label>
      </form>
      {live.error && (
        <p className="error" role="alert" data-testid="live-error">
          {live.error.message}
        </p>
      )}
      <UnrecognisedChannels api={api} />
      <div ref={tableRef}>
        <SessionTable
          rows={rows}
          offset={window_?.offset ?? 0}
          total={total}
          onRange={onRange}
          query={query}
          onSort={sortBy}
          height={height}
          label="Live sessions"
          empty={sessions === 0 ? <NothingWatched demo={info?.demo !== null && info?.demo !== undefined} /> : undefined}
        />
      </div>
    </section>
  );
}

/** Live before any session: where sessions come from, and the way to watch one's own app. */
function NothingWatched({ demo }: { demo: boolean }) {
  return (
    <div className="empty nothing-watched" data-testid="live-empty">
      <p>
        <strong>No sessions yet.</strong> A session shows here as soon as a channel EchoScope watches receives its first token
        {demo ? ' — the built-in demo starts one every few seconds.' : '.'}
      </p>
      <p>
        To watch your own Reverb, soketi or Pusher app, add it under <a href="#/connections">Connections</a>: host, port and app key, with the app secret or your{' '}
        <code>/broadcasting/auth</code> endpoint, and the channels (or a prefix to discover). Recorded sessions can be imported under <a href="#/journal">Journal</a>.
      </p>
    </div>
  );
}
