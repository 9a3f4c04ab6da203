import { useEffect, useRef, useState, type ReactNode } from 'react';

interface Props {
  count: number;
  rowHeight: number;
  /** Viewport height in px. */
  height: number;
  renderRow(index: number): ReactNode;
  /** Scrolls so this row is visible whenever it changes (e.g. an anomaly was picked). */
  scrollToIndex?: number | null;
  overscan?: number;
  /** Told which rows are rendered (first inclusive, last exclusive) whenever that changes, e.g. to fetch them. */
  onRange?(first: number, last: number): void;
  className?: string;
  role?: string;
  'aria-label'?: string;
  'aria-rowcount'?: number;
  'data-testid'?: string;
}

/**
 * A windowed list with fixed row height: only the rows in view (plus a few) are in the DOM,
 * so thousands of sessions or a 100k-frame session scroll like ten.
 */
export function VirtualList({ count, rowHeight, height, renderRow, scrollToIndex = null, overscan = 8, onRange, className, ...aria }: Props) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const frame = useRef<number | null>(null);

  useEffect(() => {
    if (scrollToIndex === null || !viewport.current) return;
    const top = scrollToIndex * rowHeight;
    const element = viewport.current;
    if (top < element.scrollTop || top + rowHeight > element.scrollTop + height) element.scrollTop = Math.max(0, top - height / 3);
  }, [scrollToIndex, rowHeight, height]);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const onScroll = () => {
    // One state update per animation frame, however many scroll events the wheel fires.
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      if (viewport.current) setScrollTop(viewport.current.scrollTop);
    });
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  useEffect(() => onRange?.(first, last), [onRange, first, last]);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} className="virtual-row" style={{ top: i * rowHeight, height: rowHeight }}>
        {renderRow(i)}
      </div>,
    );
  }
  return (
    <div ref={viewport} className={`virtual-viewport ${className ?? ''}`} style={{ height }} onScroll={onScroll} {...aria}>
      <div className="virtual-canvas" style={{ height: count * rowHeight }} role="presentation">
        {rows}
      </div>
    </div>
  );
}
