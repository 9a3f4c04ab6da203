import { createElement, memo, useLayoutEffect, useMemo, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import type { TimelinePoint } from '../../../shared/analysis/timeline';
import type { SessionDetail, SessionTimelineView } from '../../../shared/api';
import type { Theme } from '../app/theme';
import { useWidth } from '../components/use-width';
import {
  axisSeconds as seconds,
  formatMs,
  histogramLayout,
  linearScale,
  markerColor as paletteMarkerColor,
  markerShape,
  MARKER_LABEL,
  MARKER_ORDER,
  nearestIndex,
  pointTitle,
  niceDomain,
  niceTicks,
  silenceLabel,
  timelineXMax,
  type LinearScale,
  type ShapePart,
} from '../../../shared/charts';
import { countOf, formatCount } from '../data/format';
import { chartPalette, type ChartPalette } from './palette';
import { BottomAxis, ChartLegend, dotsPath, Grid, LeftAxis, linePath, plotArea, type PlotArea } from './svg-axes';

/**
 * The session detail's charts, drawn as plain SVG on our own scales (shared/charts, which the HTML report draws with too).
 * recharts (kept for the Fleet view) costs 50+ ms per chart to mount through its store, before a
 * single point is drawn; here a 100k-event session's downsampled timeline, both latency lines
 * and the histogram are one React render of a few thousand SVG elements.
 */

export interface SessionChartsProps {
  /** Classified and downsampled on the host (`sessions.timeline`). */
  timeline: SessionTimelineView;
  detail: SessionDetail;
  theme: Theme;
  /** The point an anomaly or a table row picked: drawn as a crosshair. */
  focus: { x: number; y: number | null } | null;
  onPick(point: TimelinePoint): void;
  /** The width the charts will have, when the page measured it already (no layout forced mid-render). */
  knownWidth?: number;
}

/** The figure's padding and border take 22 px of the measured width. */
const FIGURE_CHROME = 22;

type MarkerKind = keyof SessionTimelineView['markers'];

function markerColor(kind: MarkerKind, palette: ChartPalette, point?: TimelinePoint): string {
  return paletteMarkerColor(kind, palette, point?.state);
}

/** React props of a shared shape part (SVG's `stroke-width` is React's `strokeWidth`). */
function shapeProps(part: ShapePart): Record<string, string | number> {
  return Object.fromEntries(Object.entries(part.attrs).map(([name, value]) => [name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), value]));
}

/** One SVG marker per kind (shapes: shared/charts/markers.ts, as the HTML report draws them); `data-kind` lets tests and tools find them. */
function Marker({ kind, cx, cy, color, point }: { kind: MarkerKind; cx: number; cy: number; color: string; point: TimelinePoint | null }): ReactNode {
  // A legend swatch (no point) carries no data attributes: tests and tools count the chart's markers.
  const common = point ? { 'data-kind': kind, 'data-attempt': point.attempt, 'data-sequence': point.sequence ?? '', className: 'timeline-point' } : {};
  const parts = markerShape(kind, cx, cy, color);
  if (parts.length === 1) return createElement(parts[0]!.tag, { ...common, ...shapeProps(parts[0]!) });
  return (
    <g {...common} {...(kind === 'terminal' ? { 'data-state': point?.state ?? '' } : {})}>
      {parts.map((part, i) => createElement(part.tag, { key: i, ...shapeProps(part) }))}
    </g>
  );
}

/** Points of every drawn series, ascending by x (hover and click find the nearest one). */
function allPoints(series: SessionTimelineView): TimelinePoint[] {
  const out: TimelinePoint[] = [];
  for (const { points } of series.attempts) out.push(...points);
  for (const points of Object.values(series.markers)) if (points) out.push(...points);
  return out.sort((a, b) => a.x - b.x);
}

/** The drawn point nearest a pointer position (by screen distance, among those near it in x). */
function pointNear(points: readonly TimelinePoint[], xs: Float64Array, x: LinearScale, y: LinearScale, px: number, py: number): TimelinePoint | null {
  const middle = nearestIndex(xs, x.invert(px));
  if (middle < 0) return null;
  let best: TimelinePoint | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let i = Math.max(0, middle - 40); i < Math.min(points.length, middle + 40); i++) {
    const point = points[i] as TimelinePoint;
    const distance = Math.hypot(x(point.x) - px, y(point.y) - py);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = point;
    }
  }
  return bestDistance <= 24 ? best : null;
}

/** The pointer's position in the SVG's own coordinates. */
function pointerIn(event: MouseEvent<SVGSVGElement>): { px: number; py: number } {
  const box = event.currentTarget.getBoundingClientRect();
  return { px: event.clientX - box.left, py: event.clientY - box.top };
}

const DOT_DIAMETER = 5.2;

/** The drawn points and markers: memoized, so a hover readout does not redraw thousands of elements. */
const TimelinePoints = memo(function TimelinePoints({
  series,
  x,
  y,
  colorOf,
  palette,
}: {
  series: SessionTimelineView;
  x: LinearScale;
  y: LinearScale;
  colorOf(attempt: number): string;
  palette: ChartPalette;
}) {
  const markerKinds = MARKER_ORDER.filter((kind) => (series.markers[kind]?.length ?? 0) > 0);
  return (
    <g className="timeline-points">
      {series.attempts.map(({ attempt, points }) => (
        // One path of round dots per series, not an element per dot: a thousand <circle>s cost
        // the page ~60 ms of style and layout. The hover readout tells each dot's details.
        <path
          key={`attempt-${attempt}`}
          data-series={attempt === 1 ? 'events' : `replay attempt ${attempt}`}
          data-kind={attempt > 1 ? 'replay-attempt' : 'event'}
          data-attempt={attempt}
          data-points={points.length}
          d={dotsPath(points, x, y)}
          fill="none"
          stroke={colorOf(attempt)}
          strokeWidth={DOT_DIAMETER}
          strokeLinecap="round"
        />
      ))}
      {markerKinds.map((kind) => (
        <g key={kind} data-series={MARKER_LABEL[kind]}>
          {(series.markers[kind] ?? []).map((point) => (
            <g key={point.index} className="timeline-marker">
              <Marker kind={kind} cx={x(point.x)} cy={y(point.y)} color={markerColor(kind, palette, point)} point={point} />
              <title>{pointTitle(point)}</title>
            </g>
          ))}
        </g>
      ))}
    </g>
  );
});

/**
 * (a) the timeline: sequence against arrival, one series per broadcast attempt, anomalies as
 * distinct markers, gaps (sequence bands) and stalls (time bands) shaded, disconnects and the
 * terminal event as reference lines. Hover shows the nearest point; a click picks it.
 */
function TimelineChart({ timeline: series, palette, width, focus, onPick }: Omit<SessionChartsProps, 'theme' | 'detail'> & { palette: ChartPalette; width: number }) {
  const { stalls, disconnects, terminal, silence } = series;
  const [hover, setHover] = useState<TimelinePoint | null>(null);
  const colorOf = (attempt: number) => palette.attempts[(attempt - 1) % palette.attempts.length] ?? '#0969da';
  const chartWidth = width - FIGURE_CHROME;
  const height = 340;
  const geometry = useMemo(() => {
    let maxY = 1;
    for (const { points } of series.attempts) for (const point of points) if (point.y > maxY) maxY = point.y;
    for (const points of Object.values(series.markers)) for (const point of points ?? []) if (point.y > maxY) maxY = point.y;
    for (const gap of series.gaps) if (gap.to + 0.5 > maxY) maxY = gap.to + 0.5;
    const area = plotArea(chartWidth, height, { top: 12, right: 24, bottom: 28, left: 56 });
    // A session without a terminal event runs to now: its silence after the last frame is on the chart.
    const xMax = timelineXMax(series);
    const x = linearScale([0, xMax], [area.left, area.right]);
    const y = linearScale([0, maxY], [area.bottom, area.top]);
    const points = allPoints(series);
    return {
      area,
      x,
      y,
      points,
      xs: Float64Array.from(points, (p) => p.x),
      xTicks: niceTicks(0, xMax, Math.max(2, Math.floor((area.right - area.left) / 90))),
      yTicks: niceTicks(0, maxY, 6, true),
    };
  }, [series, chartWidth]);
  const { area, x, y, points, xs } = geometry;
  const markerKinds = MARKER_ORDER.filter((kind) => (series.markers[kind]?.length ?? 0) > 0);
  const clip = `timeline-clip-${chartWidth}`;

  return (
    <figure className="chart" data-testid="chart-timeline" data-drawn={series.drawn} data-total={series.total} aria-label="Sequence against arrival time">
      <figcaption>
        Timeline — sequence against arrival time{' '}
        <span className="muted">
          ({series.drawn === series.total ? countOf(series.total, 'event') : `${formatCount(series.drawn)} of ${countOf(series.total, 'event')} drawn, every anomaly kept`};{' '}
          {series.attempts.length > 1 ? `${formatCount(series.attempts.length)} broadcast attempts` : 'one broadcast attempt'})
        </span>
      </figcaption>
      <div className="chart-body">
        <svg
          width={chartWidth}
          height={height}
          role="img"
          aria-label={`Timeline of ${series.total} events: sequence against arrival time`}
          onMouseMove={(event) => {
            const { px, py } = pointerIn(event);
            setHover(pointNear(points, xs, x, y, px, py));
          }}
          onMouseLeave={() => setHover(null)}
          onClick={(event) => {
            const { px, py } = pointerIn(event);
            const point = pointNear(points, xs, x, y, px, py);
            if (point) onPick(point);
          }}
        >
          <defs>
            <clipPath id={clip}>
              <rect x={area.left} y={area.top - 8} width={area.right - area.left + 8} height={area.bottom - area.top + 8} />
            </clipPath>
          </defs>
          <Grid x={x} y={y} xTicks={geometry.xTicks} yTicks={geometry.yTicks} area={area} palette={palette} />
          {series.gaps.map((gap) => (
            <g key={`gap-${gap.from}`} className="timeline-gap">
              <rect x={area.left} width={area.right - area.left} y={y(gap.to + 0.5)} height={Math.max(2, y(gap.from - 0.5) - y(gap.to + 0.5))} fill={palette.gap} />
              <text x={area.right - 4} y={y((gap.from + gap.to) / 2) + 4} textAnchor="end" fontSize={11} fill={palette.text}>
                gap #{gap.from}
                {gap.to > gap.from ? `–${gap.to}` : ''}
              </text>
            </g>
          ))}
          {stalls.map((stall) => (
            <g key={`stall-${stall.at}`} className="timeline-stall">
              <rect x={x(stall.x1)} width={Math.max(2, x(stall.x2) - x(stall.x1))} y={area.top} height={area.bottom - area.top} fill={palette.stall} />
              <text x={(x(stall.x1) + x(stall.x2)) / 2} y={area.top + 12} textAnchor="middle" fontSize={11} fill={palette.text}>
                stall
              </text>
            </g>
          ))}
          {silence && <SilenceBand silence={silence} lastY={lastY(points)} x={x} y={y} area={area} palette={palette} />}
          <g clipPath={`url(#${clip})`}>
            <TimelinePoints series={series} x={x} y={y} colorOf={colorOf} palette={palette} />
          </g>
          {disconnects.map((d) => (
            <g key={`disc-${d.at}`} className="timeline-disconnect">
              <line x1={x(d.x)} x2={x(d.x)} y1={area.top} y2={area.bottom} stroke={palette.disconnect} strokeDasharray="6 3" strokeWidth={2} />
              <text x={x(d.x) + 4} y={area.top + 12} fontSize={11} fill={palette.disconnect}>
                disconnect{d.code !== null ? ` ${d.code}` : ''}
              </text>
            </g>
          ))}
          {terminal !== null && (
            <g className="timeline-terminal-line">
              <line x1={x(terminal.x)} x2={x(terminal.x)} y1={area.top} y2={area.bottom} stroke={palette.terminal[terminal.state] ?? palette.terminal.completed} strokeWidth={2} />
              <text x={x(terminal.x) - 4} y={area.top + 12} textAnchor="end" fontSize={11} fill={palette.text}>
                {terminal.state}
              </text>
            </g>
          )}
          {focus && (
            <line className="timeline-focus" x1={x(focus.x)} x2={x(focus.x)} y1={area.top} y2={area.bottom} stroke={palette.focus} strokeWidth={1.5} strokeDasharray="2 2" />
          )}
          {focus && focus.y !== null && <circle cx={x(focus.x)} cy={y(focus.y)} r={11} fill="none" stroke={palette.focus} strokeWidth={2.5} />}
          {hover && <circle className="timeline-hover" cx={x(hover.x)} cy={y(hover.y)} r={6} fill="none" stroke={palette.focus} strokeWidth={1.5} pointerEvents="none" />}
          <BottomAxis scale={x} ticks={geometry.xTicks} area={area} palette={palette} format={seconds} />
          <LeftAxis scale={y} ticks={geometry.yTicks} area={area} palette={palette} format={String} />
        </svg>
        {hover && <Readout area={area} at={x(hover.x)} width={chartWidth} text={pointTitle(hover)} />}
      </div>
      <ChartLegend
        items={[
          ...series.attempts.map(({ attempt }) => ({
            key: `attempt-${attempt}`,
            label: attempt === 1 ? 'events' : `replay attempt ${attempt}`,
            swatch: <circle r={3.5} fill={colorOf(attempt)} />,
          })),
          ...markerKinds.map((kind) => ({ key: kind, label: MARKER_LABEL[kind], swatch: <Marker kind={kind} cx={0} cy={0} color={markerColor(kind, palette)} point={null} /> })),
        ]}
      />
    </figure>
  );
}

/** The sequence the stream last reached (where its silence starts on the chart). */
function lastY(points: readonly TimelinePoint[]): number {
  let latest: TimelinePoint | undefined;
  for (const point of points) if (!latest || point.x >= latest.x) latest = point;
  return latest?.y ?? 0;
}

/** Under a second of quiet is a stream between tokens, not news: the band is drawn, the words are not. */
const SILENCE_LABEL_MS = 1000;

/**
 * The stretch from a session's last frame to now when it has no terminal event (streaming,
 * stalled, orphaned): shaded, a dashed line at the sequence it stopped at, and how long it has been silent.
 */
function SilenceBand({
  silence,
  lastY: at,
  x,
  y,
  area,
  palette,
}: {
  silence: NonNullable<SessionTimelineView['silence']>;
  lastY: number;
  x: LinearScale;
  y: LinearScale;
  area: PlotArea;
  palette: ChartPalette;
}) {
  const x1 = x(silence.x1);
  const x2 = x(silence.x2);
  const labelled = silence.ms >= SILENCE_LABEL_MS;
  return (
    <g className="timeline-silence" data-testid="timeline-silence" data-ms={Math.round(silence.ms)}>
      <rect x={x1} width={Math.max(1, x2 - x1)} y={area.top} height={area.bottom - area.top} fill={palette.axis} fillOpacity={0.1} />
      <line x1={x1} x2={x2} y1={y(at)} y2={y(at)} stroke={palette.axis} strokeDasharray="5 4" strokeWidth={1.5} />
      <line x1={x2} x2={x2} y1={area.top} y2={area.bottom} stroke={palette.axis} strokeDasharray="2 3" />
      <text x={x2 - 4} y={area.bottom - 6} textAnchor="end" fontSize={11} fill={palette.text}>
        now
      </text>
      {labelled && (
        <text x={(x1 + x2) / 2} y={Math.max(area.top + 28, y(at) - 8)} textAnchor="middle" fontSize={11} fill={palette.text}>
          {silenceLabel(silence.ms)}
        </text>
      )}
    </g>
  );
}

/** One line of text over the chart at a pointer position (kept inside the chart). */
function Readout({ area, at, width, text }: { area: PlotArea; at: number; width: number; text: string }) {
  const left = Math.min(Math.max(area.left, at + 12), width - 260);
  return (
    <div className="chart-readout" role="status" style={{ left, top: area.top }}>
      {text}
    </div>
  );
}

/** A horizontal reference line across a plot with a label at its right end. */
function ReferenceY({ y, area, color, label }: { y: number; area: PlotArea; color: string; label: string }) {
  return (
    <g className="chart-reference">
      <line x1={area.left} x2={area.right} y1={y} y2={y} stroke={color} strokeDasharray="4 3" />
      <text x={area.right + 3} y={y + 4} fontSize={10} fill={color}>
        {label}
      </text>
    </g>
  );
}

/** Inter-token gaps (and delivery latency) over time: one path per series, p50/p95 as reference lines. */
function LatencyLine({ timeline, detail, palette, width }: { timeline: SessionTimelineView; detail: SessionDetail; palette: ChartPalette; width: number }) {
  const { interToken, delivery } = timeline.latency;
  const p = detail.row.interTokenMs;
  const [hover, setHover] = useState<number | null>(null);
  const height = 220;
  const geometry = useMemo(() => {
    let minX = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = 0;
    for (const series of [interToken, delivery]) {
      for (const point of series) {
        if (point.x < minX) minX = point.x;
        if (point.x > maxX) maxX = point.x;
        if (point.y > maxY) maxY = point.y;
      }
    }
    if (!Number.isFinite(minX)) [minX, maxX] = [0, 1];
    const [y0, y1] = niceDomain(0, maxY, 5);
    const area = plotArea(width, height, { top: 10, right: 34, bottom: 28, left: 64 });
    const x = linearScale([minX, maxX], [area.left, area.right]);
    const y = linearScale([y0, y1], [area.bottom, area.top]);
    return {
      area,
      x,
      y,
      xs: Float64Array.from(interToken, (point) => point.x),
      xTicks: niceTicks(minX, maxX, Math.max(2, Math.floor((area.right - area.left) / 90))),
      yTicks: niceTicks(y0, y1, 5),
      interPath: linePath(interToken, x, y, true),
      deliveryPath: linePath(delivery, x, y),
    };
  }, [interToken, delivery, width]);
  const { area, x, y } = geometry;
  const hovered = hover === null ? undefined : interToken[hover];
  return (
    <div className="chart-body">
      <svg
        width={width}
        height={height}
        role="img"
        aria-label="Inter-token gap over time"
        onMouseMove={(event) => setHover(nearestIndex(geometry.xs, x.invert(pointerIn(event).px)))}
        onMouseLeave={() => setHover(null)}
      >
        <Grid x={x} y={y} xTicks={geometry.xTicks} yTicks={geometry.yTicks} area={area} palette={palette} />
        {p && <ReferenceY y={y(p.p95)} area={area} color={palette.duplicate} label="p95" />}
        {p && <ReferenceY y={y(p.p50)} area={area} color={palette.axis} label="p50" />}
        <path
          className="latency-line"
          data-series="inter-token gap"
          data-points={interToken.length}
          d={geometry.interPath}
          fill="none"
          stroke={palette.latency}
          strokeWidth={1.5}
        />
        {delivery.length > 0 && (
          <path
            className="latency-line"
            data-series="delivery latency"
            data-points={delivery.length}
            d={geometry.deliveryPath}
            fill="none"
            stroke={palette.delivery}
            strokeWidth={1.2}
          />
        )}
        {hovered && <circle cx={x(hovered.x)} cy={y(hovered.y)} r={4} fill={palette.latency} pointerEvents="none" />}
        <BottomAxis scale={x} ticks={geometry.xTicks} area={area} palette={palette} format={seconds} />
        <LeftAxis scale={y} ticks={geometry.yTicks} area={area} palette={palette} format={(v) => formatMs(v)} />
      </svg>
      {hovered && <Readout area={area} at={x(hovered.x)} width={width} text={`+${seconds(hovered.x)} · gap ${formatMs(hovered.y)}`} />}
      <ChartLegend
        items={[
          { key: 'inter', label: 'inter-token gap', swatch: <line x1={-7} x2={7} stroke={palette.latency} strokeWidth={2} /> },
          ...(delivery.length > 0 ? [{ key: 'delivery', label: 'delivery latency', swatch: <line x1={-7} x2={7} stroke={palette.delivery} strokeWidth={2} /> }] : []),
        ]}
      />
    </div>
  );
}

/** The inter-token gaps' histogram: one bar per bin (the overflow bin past p99 in the warning colour), p50/p95/p99 marked. */
function LatencyHistogram({ timeline, detail, palette, width }: { timeline: SessionTimelineView; detail: SessionDetail; palette: ChartPalette; width: number }) {
  const bins = timeline.latency.histogram;
  const height = 220;
  // Bars, the bin labels that fit, and the percentile labels in rows above the bars (none on another): shared/charts/histogram-layout.ts.
  const { area, y, yTicks, band, centre, labelTicks, marks } = histogramLayout(bins, detail.row.interTokenMs, width, height);
  const colors = { p50: palette.axis, p95: palette.duplicate, p99: palette.replay } as const;
  return (
    <svg width={width} height={height} role="img" aria-label="Histogram of inter-token gaps" className="latency-histogram">
      <Grid y={y} yTicks={yTicks} area={area} palette={palette} />
      {bins.map((bin, index) => (
        <rect
          key={bin.label}
          className="histogram-bar"
          data-count={bin.count}
          x={area.left + band * index + 0.5}
          width={Math.max(1, band - 1)}
          y={y(bin.count)}
          height={Math.max(0, area.bottom - y(bin.count))}
          fill={bin.label.startsWith('>') ? palette.duplicate : palette.latency}
        >
          <title>{`${bin.label} ms: ${bin.count} gaps`}</title>
        </rect>
      ))}
      {marks.map((mark) => (
        <g key={mark.label} className="chart-reference" data-mark={mark.label} data-row={mark.row}>
          <line x1={mark.x} x2={mark.x} y1={area.top} y2={area.bottom} stroke={colors[mark.label]} strokeDasharray="4 3" />
          <text x={mark.labelX} y={mark.labelY} fontSize={10} fill={colors[mark.label]}>
            {mark.label}
          </text>
        </g>
      ))}
      <BottomAxis scale={centre} ticks={labelTicks} area={area} palette={palette} format={(index) => bins[index]?.label ?? ''} />
      <LeftAxis scale={y} ticks={yTicks} area={area} palette={palette} format={String} />
    </svg>
  );
}

/** (b) latency: inter-token gaps over time (and delivery latency), their histogram, p50/p95/p99 and TTFT. */
function LatencyCharts({ timeline, detail, palette, width }: { timeline: SessionTimelineView; detail: SessionDetail; palette: ChartPalette; width: number }) {
  const p = detail.row.interTokenMs;
  const inner = width - FIGURE_CHROME;
  // Two charts side by side leave a 16 px gutter.
  const half = Math.max(260, Math.floor((inner - 16) / 2));
  const twoColumns = inner >= 2 * 260 + 16;
  return (
    <figure className="chart" data-testid="chart-latency" aria-label="Latency">
      <figcaption>
        Latency —{' '}
        <span className="muted">
          inter-token p50 {formatMs(p?.p50)} · p95 {formatMs(p?.p95)} · p99 {formatMs(p?.p99)} · max {formatMs(p?.max)} · TTFT {formatMs(detail.row.ttftMs)}
          {detail.row.deliveryMs ? ` · delivery p50 ${formatMs(detail.row.deliveryMs.p50)} p95 ${formatMs(detail.row.deliveryMs.p95)}` : ' · no delivery latency (no emitted_at)'}
        </span>
      </figcaption>
      {timeline.latency.samples === 0 ? (
        <p className="muted">Not enough events for latency yet.</p>
      ) : (
        <div className={twoColumns ? 'chart-pair' : undefined}>
          <LatencyLine timeline={timeline} detail={detail} palette={palette} width={twoColumns ? half : inner} />
          <LatencyHistogram timeline={timeline} detail={detail} palette={palette} width={twoColumns ? half : inner} />
        </div>
      )}
    </figure>
  );
}

/** The detail's charts. */
export default function SessionCharts(props: SessionChartsProps) {
  const ref = useRef<HTMLDivElement>(null);
  const width = useWidth(ref, props.knownWidth);
  const palette = chartPalette(props.theme);
  useLayoutEffect(() => {
    // Lets the benchmark (and curious users in devtools) time "charts drawn" (in the DOM) and
    // "charts painted": a frame callback runs before this frame's layout and paint, and a task
    // queued from it runs once they are done.
    if (width === 0) return;
    performance.mark('echoscope:charts-drawn', { detail: { points: props.timeline.drawn } });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => performance.mark('echoscope:charts-painted', { detail: { points: props.timeline.drawn } }), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [width, props.timeline]);
  return (
    <div ref={ref} className="session-charts" data-charts-ready={width > 0 ? 'true' : 'false'}>
      {width > 0 && (
        <>
          <TimelineChart timeline={props.timeline} focus={props.focus} onPick={props.onPick} palette={palette} width={width} />
          <LatencyCharts timeline={props.timeline} detail={props.detail} palette={palette} width={width} />
        </>
      )}
    </div>
  );
}
