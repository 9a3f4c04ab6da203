import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { AppApi, CommandResponse, ConnectionStatus } from '../../../../shared/api';
import { isSessionStatus } from '../../../../shared/contract/states';
import type { ConnectionRecord } from '../../../../shared/journal';
import type { Theme } from '../../app/theme';
import { connectionSegments, fleetRows, vantageLossRows } from '../../charts/fleet-data';
import { StatusChip } from '../../components/StatusChip';
import { formatCount } from '../../data/format';
import { useSubscription } from '../../data/use-subscription';
import { ConnectionTimeline } from './ConnectionTimeline';

const FleetCharts = lazy(() => import('../../charts/chart-components').then((m) => ({ default: m.FleetCharts })));

const BUCKETS = [
  { ms: 5_000, label: '5 s' },
  { ms: 10_000, label: '10 s' },
  { ms: 60_000, label: '1 min' },
  { ms: 300_000, label: '5 min' },
];
const POLL_MS = 2000;
const MAX_CONNECTION_RECORDS = 5000;
const CONNECTION_TAIL = { types: ['connection' as const], keep: MAX_CONNECTION_RECORDS };

type FleetSummary = CommandResponse<'fleet.summary'>;
type MockCounters = CommandResponse<'mock.counters'>;

/** The whole fleet: how sessions end over time, duplication and gaps, latency, connections, the mock's counters. */
export function FleetView({ api, connections, theme }: { api: AppApi; connections: Record<string, ConnectionStatus>; theme: Theme }) {
  const [bucketMs, setBucketMs] = useState(10_000);
  const [counters, setCounters] = useState<MockCounters>(null);
  const [openedAt] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  // The summary is the `fleet` topic's state; connection changes come from the record tail, connection records only.
  const fleet: FleetSummary | null = useSubscription(api, 'fleet', { bucketMs }, { keepWhileChanging: true }).state;
  const tail = useSubscription(api, 'tail', CONNECTION_TAIL).state;
  const records = useMemo(() => (tail?.items ?? []).filter((r): r is ConnectionRecord => r.type === 'connection'), [tail]);

  // The mock's counters are not a topic (they move with every message): asked for now and then, and the connection bars' clock with them.
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      const mock = await api.invoke('mock.counters', {});
      if (stopped) return;
      if (mock.ok) setCounters(mock.value);
      setNow(Date.now());
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api]);

  const rows = useMemo(() => (fleet ? fleetRows(fleet.buckets, fleet.bucketMs) : []), [fleet]);
  const loss = useMemo(() => (fleet ? vantageLossRows(fleet.lossByVantage, fleet.bucketMs) : undefined), [fleet]);
  const statuses = useMemo(() => Object.values(connections), [connections]);
  const segments = useMemo(() => connectionSegments(records, statuses, now), [records, statuses, now]);
  const timelineFrom = Math.min(openedAt, ...statuses.map((s) => s.since), ...records.map((r) => r.at));
  const summary = fleet?.summary;

  return (
    <section className="view" aria-labelledby="fleet-title">
      <div className="view-head">
        <h2 id="fleet-title">Fleet overview</h2>
        <label className="inline">
          Bucket
          <select value={bucketMs} onChange={(e) => setBucketMs(Number(e.target.value))}>
            {BUCKETS.map((b) => (
              <option key={b.ms} value={b.ms}>
                {b.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {summary && (
        <div className="status-summary" aria-label="Sessions by status">
          <span className="summary-total">
            <strong>{formatCount(summary.sessions)}</strong> sessions
          </span>
          {Object.entries(summary.byStatus).map(([status, count]) =>
            isStatus(status) ? (
              <span key={status} className="summary-item">
                <StatusChip status={status} testId="fleet-status" /> {count}
              </span>
            ) : null,
          )}
        </div>
      )}
      {rows.length === 0 ? (
        <p className="muted" data-testid="chart-terminal-states">
          No sessions yet.
        </p>
      ) : (
        <Suspense fallback={<p className="muted">Loading charts…</p>}>
          <FleetCharts rows={rows} theme={theme} {...(loss ? { loss } : {})} />
        </Suspense>
      )}
      <ConnectionTimeline segments={segments} from={timelineFrom} to={now} />
      <section className="panel" aria-labelledby="mock-title" data-testid="mock-counters">
        <h3 id="mock-title">Embedded mock provider</h3>
        {counters === null ? (
          <p className="muted">Not running in this host (no demo).</p>
        ) : (
          <table className="plain">
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Connections</th>
                <th scope="col">Subscriptions</th>
                <th scope="col">Channels</th>
                <th scope="col">Messages in</th>
                <th scope="col">Messages out</th>
              </tr>
            </thead>
            <tbody>
              {counters.map((c) => (
                <tr key={c.appId}>
                  <td className="mono">{c.appId}</td>
                  <td>{formatCount(c.connections)}</td>
                  <td>{formatCount(c.subscriptions)}</td>
                  <td>{formatCount(c.channels)}</td>
                  <td>{formatCount(c.messagesIn)}</td>
                  <td>{formatCount(c.messagesOut)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}

const isStatus = isSessionStatus;
