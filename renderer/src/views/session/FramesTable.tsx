import type { SessionTimeline } from '../../charts/timeline-data';
import { VirtualList } from '../../components/VirtualList';
import { formatMs, formatPayload } from '../../data/format';
import type { FrameRecord } from '../../../../shared/journal';

const ROW_HEIGHT = 28;

/** Arrival relative to the session's first event (a subscription frame may come just before it). */
const offset = (ms: number) => `${ms < 0 ? '−' : '+'}${formatMs(Math.abs(ms))}`;

/** (e) every frame of the session as received, virtualized; the picked one is highlighted and scrolled to. */
export function FramesTable({ frames, timeline, selected, onSelect }: { frames: readonly FrameRecord[]; timeline: SessionTimeline; selected: number | null; onSelect(index: number): void }) {
  return (
    <section className="panel" aria-labelledby="frames-title">
      <h3 id="frames-title">
        Raw frames <span className="muted">({frames.length})</span>
      </h3>
      <div className="frames-table" role="table" aria-label="Raw frames" aria-rowcount={frames.length + 1} data-testid="frames-table">
        <div className="frames-grid frames-head" role="row">
          <div role="columnheader">#</div>
          <div role="columnheader">Arrival</div>
          <div role="columnheader">Seq</div>
          <div role="columnheader">State</div>
          <div role="columnheader">Seen as</div>
          <div role="columnheader">Payload</div>
        </div>
        <VirtualList
          count={frames.length}
          rowHeight={ROW_HEIGHT}
          height={Math.min(360, Math.max(ROW_HEIGHT * 3, frames.length * ROW_HEIGHT))}
          scrollToIndex={selected}
          role="rowgroup"
          renderRow={(index) => {
            const frame = frames[index] as FrameRecord;
            const point = timeline.points[index];
            return (
              <div
                className={`frames-grid frame-row ${selected === index ? 'selected' : ''} ${point && point.analyzed && point.kind !== 'new' ? `kind-${point.kind}` : ''} ${point && !point.analyzed ? 'ignored' : ''}`}
                role="row"
                aria-rowindex={index + 2}
                aria-selected={selected === index}
                data-testid="frame-row"
                onClick={() => onSelect(index)}
              >
                <div role="cell" className="mono">
                  {index + 1}
                </div>
                <div role="cell" className="mono">
                  {offset(point?.x ?? frame.at - timeline.t0)}
                </div>
                <div role="cell" className="mono">
                  {point?.sequence ?? '—'}
                </div>
                <div role="cell">{point?.state ?? '—'}</div>
                <div role="cell">
                  {point ? (!point.analyzed ? 'not analyzed (protocol or other event)' : point.kinds.length > 0 ? point.kinds.join(', ').replace(/_/g, ' ') : 'new') : ''}
                  {point && point.attempt > 1 ? ` · attempt ${point.attempt}` : ''}
                </div>
                <div role="cell" className="mono payload" title={formatPayload(frame.data, 2000)}>
                  {formatPayload(frame.data, 300)}
                </div>
              </div>
            );
          }}
        />
      </div>
    </section>
  );
}
