import type { ObservationRow, SessionComparisonView } from '../../../../shared/api';
import { StatusChip } from '../../components/StatusChip';
import { countOf, formatCount, formatMs } from '../../data/format';

interface Props {
  observations: readonly ObservationRow[];
  comparison: SessionComparisonView | null;
  /** The observation shown above (its counters, charts, texts and frames). */
  shown: string;
  onShow(vantage: string): void;
}

/** A vantage in words: the connection, and the imported file it came from. */
export function vantageLabel(o: { connection: string; source?: string | undefined }): string {
  return o.source === undefined ? o.connection : `${o.source} · ${o.connection}`;
}

/** How many sequences a list of ranges holds, and the ranges themselves in short. */
function rangesText(ranges: readonly { from: number; to: number }[]): string {
  if (ranges.length === 0) return 'none';
  const shown = ranges.slice(0, 4).map((r) => (r.from === r.to ? `#${r.from}` : `#${r.from}–${r.to}`));
  return `${shown.join(', ')}${ranges.length > 4 ? ` +${ranges.length - 4} more` : ''}`;
}

/**
 * Who got what: one line per vantage that saw the session, side by side, each one a click away.
 * When a server-side tap saw it too, each client's line also says what was published and not
 * delivered, what arrived that was never published, and the publish→arrival latency.
 */
export function ObservationsPanel({ observations, comparison, shown, onShow }: Props) {
  const tapped = observations.some((o) => o.tap !== undefined);
  return (
    <section className="panel" aria-labelledby="observations-title" data-testid="observations" data-count={observations.length}>
      <h3 id="observations-title">
        Who got what <span className="muted">({countOf(observations.length, 'vantage')} saw this session)</span>
      </h3>
      <table className="observations">
        <thead>
          <tr>
            <th scope="col">Vantage</th>
            <th scope="col">Status</th>
            <th scope="col">Events</th>
            <th scope="col">Coverage</th>
            <th scope="col">Missing</th>
            <th scope="col">Lost vs. others</th>
            <th scope="col">Duplicates</th>
            <th scope="col">Behind first (p50 / p95)</th>
            {tapped && (
              <>
                <th scope="col">Published, not delivered</th>
                <th scope="col">Not published</th>
                <th scope="col">Publish → arrival (p50 / p95 / p99)</th>
              </>
            )}
            <th scope="col">
              <span className="sr-only">Show</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {observations.map((o, i) => {
            const compared = comparison?.observations[i];
            const isShown = o.vantage === shown;
            return (
              <tr key={o.vantage} data-testid="observation-row" data-vantage={o.vantage} className={isShown ? 'selected' : ''}>
                <th scope="row" className="mono">
                  {vantageLabel(o)}
                  {o.tap !== undefined && (
                    <span className="tag tag-tap" title="a server-side tap: what was published, read from Redis">
                      tap · {o.tap}
                    </span>
                  )}
                </th>
                <td>
                  <StatusChip status={o.status} />
                </td>
                <td>{formatCount(o.events)}</td>
                <td>{o.joinedLate ? `joined at #${o.coverage.fromSequence ?? '?'}` : 'from #1'}</td>
                <td className={o.missing > 0 ? 'hot' : ''}>{formatCount(o.missing)}</td>
                <td className={o.deliveryLoss > 0 ? 'hot' : ''} title={compared ? `not received: ${rangesText(compared.lost)}` : undefined}>
                  {o.deliveryLoss > 0 && compared ? `${formatCount(o.deliveryLoss)} (${rangesText(compared.lost)})` : formatCount(o.deliveryLoss)}
                </td>
                <td className={o.duplicates > 0 ? 'hot' : ''}>{formatCount(o.duplicates)}</td>
                <td>
                  {compared?.lagMs ? `${formatMs(compared.lagMs.p50)} / ${formatMs(compared.lagMs.p95)}` : compared ? `first for ${formatCount(compared.firstArrivals)}` : '—'}
                </td>
                {tapped && <PublishedCells row={o} />}
                <td>
                  <button type="button" className="secondary" aria-pressed={isShown} disabled={isShown} onClick={() => onShow(o.vantage)}>
                    {isShown ? 'Shown' : 'Show'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** A client's published-versus-delivered cells; a tap's say it is what was published. */
function PublishedCells({ row }: { row: ObservationRow }) {
  const published = row.published;
  if (row.tap !== undefined || published === undefined) {
    return (
      <td colSpan={3} className="muted">
        {row.tap !== undefined ? 'what was published' : '—'}
      </td>
    );
  }
  const latency = published.publishToArrivalMs;
  return (
    <>
      <td
        className={published.notDeliveredCount > 0 ? 'hot' : ''}
        data-testid="not-delivered"
        title={published.tapInterrupted ? 'a tap dropped while the session was open: it may have missed publishes' : undefined}
      >
        {published.notDeliveredCount > 0 ? `${formatCount(published.notDeliveredCount)} (${rangesText(published.notDelivered)})` : '0'}
        {published.leftOut > 0 ? <span className="muted"> · {formatCount(published.leftOut)} left out for it (toOthers)</span> : null}
      </td>
      <td className={published.notPublishedCount > 0 ? 'hot' : ''} data-testid="not-published">
        {published.notPublishedCount > 0 ? `${formatCount(published.notPublishedCount)} (${rangesText(published.notPublished)})` : '0'}
        {published.tapInterrupted ? ' · tap dropped' : ''}
      </td>
      <td data-testid="publish-latency">{latency ? `${formatMs(latency.p50)} / ${formatMs(latency.p95)} / ${formatMs(latency.p99)}` : '—'}</td>
    </>
  );
}
