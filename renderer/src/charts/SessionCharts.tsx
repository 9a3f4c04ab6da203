import { useLayoutEffect, useRef, type ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ComposedChart,
  Legend,
  Line,
  ReferenceArea,
  ReferenceDot,
  ReferenceLine,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
  useXAxisScale,
  useYAxisScale,
} from 'recharts';
import type { TimelinePoint } from '../../../shared/analysis/timeline';
import type { SessionDetail, SessionTimelineView } from '../../../shared/api';
import type { Theme } from '../app/theme';
import { useWidth } from '../components/use-width';
import { formatMs } from '../data/format';
import { chartPalette, type ChartPalette } from './palette';

export interface SessionChartsProps {
  /** Classified and downsampled on the host (`sessions.timeline`). */
  timeline: SessionTimelineView;
  detail: SessionDetail;
  theme: Theme;
  /** The point an anomaly or a table row picked: drawn as a crosshair. */
  focus: { x: number; y: number | null } | null;
  onPick(point: TimelinePoint): void;
}

/** Axis ticks: milliseconds under a second (so 0.45 s and 0.55 s do not both read "0.5s"), else seconds. */
const seconds = (ms: number) => (Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);

type MarkerKind = keyof SessionTimelineView['markers'];

/** Drawing (and legend) order: later kinds are drawn over earlier ones. */
const MARKER_ORDER: readonly MarkerKind[] = ['duplicate', 'out_of_order', 'after_terminal', 'conflict', 'replay', 'violation', 'terminal'];

const MARKER_LABEL: Record<MarkerKind, string> = {
  replay: 'replay restart',
  duplicate: 'duplicate',
  conflict: 'conflict',
  out_of_order: 'out of order',
  after_terminal: 'after terminal',
  violation: 'violation',
  terminal: 'terminal event',
};

function markerColor(kind: MarkerKind, palette: ChartPalette, point?: TimelinePoint): string {
  switch (kind) {
    case 'replay':
      return palette.replay;
    case 'duplicate':
      return palette.duplicate;
    case 'conflict':
      return palette.conflict;
    case 'out_of_order':
      return palette.outOfOrder;
    case 'after_terminal':
      return palette.afterTerminal;
    case 'violation':
      return palette.violation;
    case 'terminal':
      return palette.terminal[point?.state ?? 'completed'] ?? palette.terminal.completed ?? '#1a7f37';
  }
}

/** One SVG marker per kind: shape and colour differ, and `data-kind` lets tests and tools find them. */
function Marker({ kind, cx, cy, color, point }: { kind: MarkerKind; cx: number; cy: number; color: string; point: TimelinePoint }): ReactNode {
  const common = { 'data-kind': kind, 'data-attempt': point.attempt, 'data-sequence': point.sequence ?? '', className: 'timeline-point' };
  switch (kind) {
    case 'replay':
      return (
        <g {...common}>
          <circle cx={cx} cy={cy} r={8} fill="none" stroke={color} strokeWidth={2.5} />
          <path d={`M${cx - 4},${cy} L${cx + 4},${cy} M${cx},${cy - 4} L${cx},${cy + 4}`} stroke={color} strokeWidth={2} />
        </g>
      );
    case 'duplicate':
      return <rect {...common} x={cx - 3.5} y={cy - 3.5} width={7} height={7} fill={color} />;
    case 'conflict':
      return <path {...common} d={`M${cx - 5},${cy - 5} L${cx + 5},${cy + 5} M${cx - 5},${cy + 5} L${cx + 5},${cy - 5}`} stroke={color} strokeWidth={2.5} />;
    case 'out_of_order':
      return <path {...common} d={`M${cx},${cy - 6} L${cx + 6},${cy + 5} L${cx - 6},${cy + 5} Z`} fill={color} />;
    case 'after_terminal':
      return <path {...common} d={`M${cx},${cy - 6} L${cx + 6},${cy} L${cx},${cy + 6} L${cx - 6},${cy} Z`} fill={color} stroke="#fff" strokeWidth={0.8} />;
    case 'violation':
      return <rect {...common} x={cx - 5} y={cy - 5} width={10} height={10} fill={color} stroke="#fff" strokeWidth={1} />;
    case 'terminal':
      return (
        <g {...common} data-state={point.state ?? ''}>
          <circle cx={cx} cy={cy} r={7} fill={color} fillOpacity={0.25} stroke={color} strokeWidth={2} />
          <circle cx={cx} cy={cy} r={2.5} fill={color} />
        </g>
      );
  }
}

/** What a point's native tooltip says (a recharts Tooltip would need a recharts series per point). */
function pointTitle(point: TimelinePoint): string {
  const kinds = point.kinds.length > 0 ? point.kinds.join(', ').replace(/_/g, ' ') : 'new';
  return `#${point.sequence ?? '—'} at +${formatMs(point.x)} · attempt ${point.attempt} · ${kinds}${point.chunk !== null ? ` · “${point.chunk.slice(0, 40)}”` : ''}`;
}

/**
 * Every drawn point as plain SVG on the chart's scales: the ordinary events of each attempt as
 * dots, then the anomaly markers on top. A recharts Scatter costs about a millisecond per point
 * (2,000 points: seconds before the chart shows); these are a few thousand SVG elements with a
 * native tooltip and the same `data-*` attributes.
 */
function TimelinePoints({ series, colorOf, markerColorOf, onPick }: { series: SessionTimelineView; colorOf(attempt: number): string; markerColorOf(kind: MarkerKind, point: TimelinePoint): string; onPick(point: TimelinePoint): void }): ReactNode {
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  if (!xScale || !yScale) return null;
  const markerKinds = MARKER_ORDER.filter((kind) => (series.markers[kind]?.length ?? 0) > 0);
  return (
    <g className="timeline-points">
      {series.attempts.map(({ attempt, points }) => {
        const color = colorOf(attempt);
        return (
          <g key={`attempt-${attempt}`} data-series={attempt === 1 ? 'events' : `replay attempt ${attempt}`}>
            {points.map((point) => {
              const cx = xScale(point.x);
              const cy = yScale(point.y);
              if (cx === undefined || cy === undefined) return null;
              return (
                <circle
                  key={point.index}
                  className="timeline-point"
                  data-kind={point.attempt > 1 ? 'replay-attempt' : 'event'}
                  data-attempt={point.attempt}
                  data-sequence={point.sequence ?? ''}
                  cx={cx}
                  cy={cy}
                  r={2.6}
                  fill={color}
                  onClick={() => onPick(point)}
                >
                  <title>{pointTitle(point)}</title>
                </circle>
              );
            })}
          </g>
        );
      })}
      {markerKinds.map((kind) => (
        <g key={kind} data-series={MARKER_LABEL[kind]}>
          {(series.markers[kind] ?? []).map((point) => {
            const cx = xScale(point.x);
            const cy = yScale(point.y);
            if (cx === undefined || cy === undefined) return null;
            return (
              <g key={point.index} className="timeline-marker" onClick={() => onPick(point)}>
                <Marker kind={kind} cx={cx} cy={cy} color={markerColorOf(kind, point)} point={point} />
                <title>{pointTitle(point)}</title>
              </g>
            );
          })}
        </g>
      ))}
    </g>
  );
}

/**
 * (a) the timeline: sequence against arrival, one series per broadcast attempt, anomalies as
 * distinct markers, gaps (sequence bands) and stalls (time bands) shaded, disconnects and the
 * terminal event as reference lines.
 */
function TimelineChart({ timeline: series, palette, width, focus, onPick }: Omit<SessionChartsProps, 'theme'> & { palette: ChartPalette; width: number }) {
  const { maxX, stalls, disconnects, terminal } = series;
  const colorOf = (attempt: number) => palette.attempts[(attempt - 1) % palette.attempts.length] ?? '#0969da';
  // The dots are not a recharts series, so the sequence axis is given its extent.
  let maxY = 1;
  for (const { points } of series.attempts) for (const point of points) if (point.y > maxY) maxY = point.y;
  for (const points of Object.values(series.markers)) for (const point of points ?? []) if (point.y > maxY) maxY = point.y;
  const markerKinds = MARKER_ORDER.filter((kind) => (series.markers[kind]?.length ?? 0) > 0);

  return (
    <figure className="chart" data-testid="chart-timeline" data-drawn={series.drawn} data-total={series.total} aria-label="Sequence against arrival time">
      <figcaption>
        Timeline — sequence against arrival time{' '}
        <span className="muted">
          ({series.drawn === series.total ? `${series.total} events` : `${series.drawn} of ${series.total} events drawn, every anomaly kept`};{' '}
          {series.attempts.length > 1 ? `${series.attempts.length} broadcast attempts` : 'one broadcast attempt'})
        </span>
      </figcaption>
      <ComposedChart width={width - 22} height={340} margin={{ top: 10, right: 24, bottom: 8, left: 4 }}>
        <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
        <XAxis type="number" dataKey="x" domain={[0, Math.ceil(maxX * 1.02)]} tickFormatter={seconds} stroke={palette.axis} tick={{ fill: palette.text, fontSize: 11 }} name="arrival" />
        <YAxis type="number" dataKey="y" domain={[0, maxY]} allowDecimals={false} stroke={palette.axis} tick={{ fill: palette.text, fontSize: 11 }} width={48} name="sequence" />
        {series.gaps.map((gap) => (
          <ReferenceArea key={`gap-${gap.from}`} y1={gap.from - 0.5} y2={gap.to + 0.5} fill={palette.gap} stroke="none" ifOverflow="extendDomain" label={{ value: `gap #${gap.from}${gap.to > gap.from ? `–${gap.to}` : ''}`, fill: palette.text, fontSize: 11, position: 'insideRight' }} />
        ))}
        {stalls.map((stall) => (
          <ReferenceArea key={`stall-${stall.at}`} x1={stall.x1} x2={stall.x2} fill={palette.stall} stroke="none" label={{ value: 'stall', fill: palette.text, fontSize: 11, position: 'insideTop' }} />
        ))}
        {disconnects.map((d) => (
          <ReferenceLine key={`disc-${d.at}`} x={d.x} stroke={palette.disconnect} strokeDasharray="6 3" strokeWidth={2} label={{ value: `disconnect${d.code !== null ? ` ${d.code}` : ''}`, fill: palette.disconnect, fontSize: 11, position: 'insideTopLeft' }} />
        ))}
        {terminal !== null && (
          <ReferenceLine x={terminal.x} stroke={palette.terminal[terminal.state] ?? palette.terminal.completed} strokeWidth={2} label={{ value: terminal.state, fill: palette.text, fontSize: 11, position: 'insideTopRight' }} />
        )}
        {/* The axes need a series with data to exist: two invisible corner points (the drawn points are not a recharts series). */}
        <Scatter data={[{ x: 0, y: 0 }, { x: maxX, y: maxY }]} legendType="none" tooltipType="none" shape={() => null} isAnimationActive={false} />
        <TimelinePoints series={series} colorOf={colorOf} markerColorOf={(kind, point) => markerColor(kind, palette, point)} onPick={onPick} />
        {/* Legend entries only: the points are drawn by TimelinePoints. */}
        {series.attempts.map(({ attempt }) => (
          <Scatter key={`attempt-${attempt}`} name={attempt === 1 ? 'events' : `replay attempt ${attempt}`} data={[]} fill={colorOf(attempt)} isAnimationActive={false} />
        ))}
        {markerKinds.map((kind) => (
          <Scatter key={kind} name={MARKER_LABEL[kind]} data={[]} fill={markerColor(kind, palette)} isAnimationActive={false} />
        ))}
        {focus && <ReferenceLine x={focus.x} stroke={palette.focus} strokeWidth={1.5} strokeDasharray="2 2" />}
        {focus && focus.y !== null && <ReferenceDot x={focus.x} y={focus.y} r={11} fill="none" stroke={palette.focus} strokeWidth={2.5} />}
        <Legend verticalAlign="bottom" height={28} wrapperStyle={{ fontSize: 12 }} />
      </ComposedChart>
    </figure>
  );
}

/** (b) latency: inter-token gaps over time (and delivery latency), their histogram, p50/p95/p99 and TTFT. */
function LatencyCharts({ timeline, detail, palette, width }: { timeline: SessionTimelineView; detail: SessionDetail; palette: ChartPalette; width: number }) {
  const { interToken: drawnGaps, delivery: drawnDelivery, histogram: bins, samples } = timeline.latency;
  const p = detail.row.interTokenMs;
  const binOf = (ms: number) => bins.find((bin) => ms >= bin.from && ms <= bin.to)?.label;
  // The figure's padding and border take 22 px; two charts side by side leave a 16 px gutter.
  const inner = width - 22;
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
      {samples === 0 ? (
        <p className="muted">Not enough events for latency yet.</p>
      ) : (
        <div className={twoColumns ? 'chart-pair' : undefined}>
          <ComposedChart width={twoColumns ? half : inner} height={220} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
            <XAxis type="number" dataKey="x" domain={['dataMin', 'dataMax']} tickFormatter={seconds} stroke={palette.axis} tick={{ fill: palette.text, fontSize: 11 }} allowDuplicatedCategory={false} />
            <YAxis type="number" stroke={palette.axis} tick={{ fill: palette.text, fontSize: 11 }} width={64} tickFormatter={(v: number) => formatMs(v)} />
            {p && <ReferenceLine y={p.p95} stroke={palette.duplicate} strokeDasharray="4 3" label={{ value: 'p95', fill: palette.text, fontSize: 10, position: 'right' }} />}
            {p && <ReferenceLine y={p.p50} stroke={palette.axis} strokeDasharray="4 3" label={{ value: 'p50', fill: palette.text, fontSize: 10, position: 'right' }} />}
            <Line data={drawnGaps} dataKey="y" name="inter-token gap" stroke={palette.latency} dot={false} isAnimationActive={false} strokeWidth={1.5} />
            {drawnDelivery.length > 0 && <Line data={drawnDelivery} dataKey="y" name="delivery latency" stroke={palette.delivery} dot={false} isAnimationActive={false} strokeWidth={1.2} />}
            <Tooltip formatter={(value) => formatMs(Number(value))} labelFormatter={(label) => `+${seconds(Number(label))}`} isAnimationActive={false} />
            <Legend verticalAlign="bottom" height={24} wrapperStyle={{ fontSize: 12 }} />
          </ComposedChart>
          <BarChart width={twoColumns ? half : inner} height={220} data={bins} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} barCategoryGap={1}>
            <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" stroke={palette.axis} tick={{ fill: palette.text, fontSize: 10 }} interval="preserveStartEnd" />
            <YAxis allowDecimals={false} stroke={palette.axis} tick={{ fill: palette.text, fontSize: 11 }} width={40} />
            <Bar dataKey="count" name="gaps" isAnimationActive={false}>
              {bins.map((bin) => (
                <Cell key={bin.label} fill={bin.label.startsWith('>') ? palette.duplicate : palette.latency} />
              ))}
            </Bar>
            {p && binOf(p.p50) && <ReferenceLine x={binOf(p.p50)} stroke={palette.axis} strokeDasharray="4 3" label={{ value: 'p50', fill: palette.text, fontSize: 10, position: 'top' }} />}
            {p && binOf(p.p95) && <ReferenceLine x={binOf(p.p95)} stroke={palette.duplicate} strokeDasharray="4 3" label={{ value: 'p95', fill: palette.text, fontSize: 10, position: 'top' }} />}
            {p && binOf(p.p99) && <ReferenceLine x={binOf(p.p99)} stroke={palette.replay} strokeDasharray="4 3" label={{ value: 'p99', fill: palette.text, fontSize: 10, position: 'top' }} />}
            <Tooltip isAnimationActive={false} />
          </BarChart>
        </div>
      )}
    </figure>
  );
}

/** The detail's charts, in their own chunk (recharts loads only when a chart is shown). */
export default function SessionCharts(props: SessionChartsProps) {
  const ref = useRef<HTMLDivElement>(null);
  const width = useWidth(ref);
  const palette = chartPalette(props.theme);
  useLayoutEffect(() => {
    // Lets the benchmark (and curious users in devtools) time "charts drawn".
    if (width > 0) performance.mark('echoscope:charts-drawn', { detail: { points: props.timeline.drawn } });
  }, [width, props.timeline]);
  return (
    <div ref={ref} className="session-charts" data-charts-ready={width > 0 ? 'true' : 'false'}>
      {width > 0 && (
        <>
          <TimelineChart {...props} palette={palette} width={width} />
          <LatencyCharts timeline={props.timeline} detail={props.detail} palette={palette} width={width} />
        </>
      )}
    </div>
  );
}
