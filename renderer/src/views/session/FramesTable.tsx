import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppApi, FrameRowView } from '../../../../shared/api';
import { VirtualList } from '../../components/VirtualList';
import { formatCount, formatMs, formatPayload } from '../../data/format';
import { FramePayload } from './FramePayload';

const ROW_HEIGHT = 28;
/** Rows fetched per `sessions.frames` call: the table only ever asks for the windows in view. */
const PAGE = 200;

/** Arrival relative to the session's first event (a subscription frame may come just before it). */
const offset = (ms: number) => `${ms < 0 ? '−' : '+'}${formatMs(Math.abs(ms))}`;

export interface PickedFrame {
  index: number;
  at: number;
  x: number;
  y: number;
}

interface Props {
  api: AppApi;
  sessionId: string;
  /** The observation whose frames these are (null: the session's fullest). */
  vantage: string | null;
  /** Frames of the session, and which classification they follow (bumped on every reload of the detail). */
  total: number;
  version: number;
  selected: number | null;
  onSelect(frame: PickedFrame): void;
}

/** (e) every frame of the session as received, virtualized and fetched a window at a time; the picked one is highlighted and scrolled to. */
export function FramesTable({ api, sessionId, vantage, total, version, selected, onSelect }: Props) {
  const [pages, setPages] = useState<ReadonlyMap<number, readonly FrameRowView[]>>(new Map());
  const fetched = useRef(new Map<number, number>());
  const pending = useRef(new Set<string>());
  const [range, setRange] = useState<{ first: number; last: number }>({ first: 0, last: 0 });

  useEffect(() => {
    // Another session: nothing fetched applies. A reload of the same one keeps showing the old rows until the new ones come.
    setPages(new Map());
    fetched.current = new Map();
  }, [sessionId, vantage]);

  useEffect(() => {
    if (range.last <= range.first) return;
    for (let page = Math.floor(range.first / PAGE); page <= Math.floor((range.last - 1) / PAGE); page++) {
      const key = `${sessionId}|${vantage ?? ''}|${version}|${page}`;
      if (fetched.current.get(page) === version || pending.current.has(key)) continue;
      pending.current.add(key);
      void api.invoke('sessions.frames', { sessionId, ...(vantage === null ? {} : { vantage }), offset: page * PAGE, limit: PAGE }).then((result) => {
        pending.current.delete(key);
        if (!result.ok) return;
        fetched.current.set(page, version);
        setPages((current) => new Map(current).set(page, result.value.rows));
      });
    }
  }, [api, sessionId, vantage, version, range]);

  const onRange = useCallback((first: number, last: number) => setRange({ first, last }), []);
  const pickedRow = selected === null ? undefined : pages.get(Math.floor(selected / PAGE))?.[selected % PAGE];

  return (
    <section className="panel" aria-labelledby="frames-title">
      <h3 id="frames-title">
        Raw frames <span className="muted">({formatCount(total)})</span>
      </h3>
      <div className="frames-table" role="table" aria-label="Raw frames" aria-rowcount={total + 1} data-testid="frames-table">
        <div className="frames-grid frames-head" role="row">
          <div role="columnheader">#</div>
          <div role="columnheader">Arrival</div>
          <div role="columnheader">Seq</div>
          <div role="columnheader">State</div>
          <div role="columnheader">Seen as</div>
          <div role="columnheader">Payload</div>
        </div>
        <VirtualList
          count={total}
          rowHeight={ROW_HEIGHT}
          height={Math.min(360, Math.max(ROW_HEIGHT * 3, total * ROW_HEIGHT))}
          scrollToIndex={selected}
          onRange={onRange}
          role="rowgroup"
          renderRow={(index) => {
            const row = pages.get(Math.floor(index / PAGE))?.[index % PAGE];
            const point = row?.point;
            const frame = row?.frame;
            return (
              <div
                className={`frames-grid frame-row ${selected === index ? 'selected' : ''} ${point && point.analyzed && point.kind !== 'new' ? `kind-${point.kind}` : ''} ${point && !point.analyzed ? 'ignored' : ''}`}
                role="row"
                aria-rowindex={index + 2}
                aria-selected={selected === index}
                aria-busy={row ? undefined : true}
                data-testid="frame-row"
                onClick={() => {
                  if (point) onSelect({ index, at: point.at, x: point.x, y: point.y });
                }}
              >
                <div role="cell" className="mono">
                  {index + 1}
                </div>
                <div role="cell" className="mono">
                  {point ? offset(point.x) : '…'}
                </div>
                <div role="cell" className="mono">
                  {point ? (point.sequence ?? '—') : ''}
                </div>
                <div role="cell">{point ? (point.state ?? '—') : ''}</div>
                <div role="cell">
                  {point ? (!point.analyzed ? 'not analyzed (protocol or other event)' : point.kinds.length > 0 ? point.kinds.join(', ').replace(/_/g, ' ') : 'new') : ''}
                  {point && point.attempt > 1 ? ` · attempt ${point.attempt}` : ''}
                </div>
                <div role="cell" className="mono payload" title={frame ? formatPayload(frame.data, 2000) : undefined}>
                  {frame ? formatPayload(frame.data, 300) : ''}
                </div>
              </div>
            );
          }}
        />
      </div>
      {pickedRow === undefined ? (
        <p className="muted">Pick a frame (here, on the timeline or in the anomaly list) to read its payload in full.</p>
      ) : (
        <FramePayload number={selected! + 1} row={pickedRow} />
      )}
    </section>
  );
}
