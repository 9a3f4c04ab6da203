import type { SessionVerdict, TimelinePoint, TimelineView } from '../../../../shared/analysis';
import {
  axisSeconds,
  DARK_CHART_PALETTE,
  dotsPath,
  formatMs,
  histogramLayout,
  LIGHT_CHART_PALETTE,
  linearScale,
  linePath,
  markerShape,
  MARKER_LABEL,
  MARKER_ORDER,
  niceDomain,
  niceTicks,
  plotArea,
  pointTitle,
  timelineXMax,
  type ChartPalette,
  type MarkerKind,
  type PlotArea,
} from '../../../../shared/charts';
import { element, escapeHtml } from './markup';

/**
 * The session detail's charts (renderer/src/charts/SessionCharts.tsx) as static SVG for the HTML
 * report: the same projection (a `TimelineView`), scales, ticks, marker shapes, sizes and
 * palette (shared/charts), without the hover and click. Colours are CSS custom properties set
 * from the app's two palettes, light and dark by `prefers-color-scheme`; each element paints with
 * `currentColor` under a `c-…` class, so one SVG follows the reader's theme.
 */

/** The figure's padding and border take 22 px of its width (as in the app). */
const FIGURE_CHROME = 22;
const DOT_DIAMETER = 5.2;

/** Palette roles as CSS names: `--c-out-of-order`, class `c-out-of-order`. */
function paletteVariables(palette: ChartPalette): string {
  const entries: [string, string][] = [
    ['grid', palette.grid],
    ['axis', palette.axis],
    ['text', palette.text],
    ...palette.attempts.map((color, i): [string, string] => [`attempt-${i + 1}`, color]),
    ['duplicate', palette.duplicate],
    ['replay', palette.replay],
    ['conflict', palette.conflict],
    ['out-of-order', palette.outOfOrder],
    ['after-terminal', palette.afterTerminal],
    ['violation', palette.violation],
    ...Object.entries(palette.terminal).map(([state, color]): [string, string] => [`terminal-${state}`, color]),
    ['gap', palette.gap],
    ['stall', palette.stall],
    ['disconnect', palette.disconnect],
    ['latency', palette.latency],
    ['delivery', palette.delivery],
  ];
  return entries.map(([name, color]) => `--c-${name}:${color};`).join('');
}

/** The charts' colours: the app's light palette, its dark one when the reader's system is dark. */
export function chartCss(): string {
  const names = paletteVariables(LIGHT_CHART_PALETTE)
    .split(';')
    .filter(Boolean)
    .map((entry) => entry.slice(4, entry.indexOf(':')));
  return [
    `:root{${paletteVariables(LIGHT_CHART_PALETTE)}}`,
    `@media (prefers-color-scheme: dark){:root{${paletteVariables(DARK_CHART_PALETTE)}}}`,
    names.map((name) => `.c-${name}{color:var(--c-${name})}`).join(''),
  ].join('\n');
}

const ATTEMPT_COLOURS = LIGHT_CHART_PALETTE.attempts.length;
const attemptClass = (attempt: number): string => `c-attempt-${((attempt - 1) % ATTEMPT_COLOURS) + 1}`;
/** A terminal state's class; a state the palette has no colour for is drawn as completed. */
const terminalClass = (state: string | null | undefined): string =>
  `c-terminal-${state !== null && state !== undefined && state in LIGHT_CHART_PALETTE.terminal ? state : 'completed'}`;
const kindClass = (kind: MarkerKind, point?: TimelinePoint): string => (kind === 'terminal' ? terminalClass(point?.state) : `c-${kind.replace(/_/g, '-')}`);

function grid(area: PlotArea, y: (v: number) => number, yTicks: readonly number[], x?: (v: number) => number, xTicks: readonly number[] = []): string {
  const lines = [
    ...yTicks.map((tick) => element('line', { x1: area.left, x2: area.right, y1: y(tick), y2: y(tick) })),
    ...(x ? xTicks.map((tick) => element('line', { x1: x(tick), x2: x(tick), y1: area.top, y2: area.bottom })) : []),
  ];
  return element('g', { class: 'chart-grid c-grid', stroke: 'currentColor', 'stroke-dasharray': '3 3' }, lines.join(''));
}

function bottomAxis(scale: (v: number) => number, ticks: readonly number[], area: PlotArea, format: (v: number) => string): string {
  const parts = [element('line', { class: 'c-axis', x1: area.left, x2: area.right, y1: area.bottom, y2: area.bottom, stroke: 'currentColor' })];
  for (const tick of ticks) {
    const at = scale(tick);
    parts.push(element('line', { class: 'c-axis', x1: at, x2: at, y1: area.bottom, y2: area.bottom + 5, stroke: 'currentColor' }));
    parts.push(element('text', { x: at, y: area.bottom + 17, 'text-anchor': 'middle' }, escapeHtml(format(tick))));
  }
  return element('g', { class: 'chart-axis c-text', 'font-size': 11, fill: 'currentColor' }, parts.join(''));
}

function leftAxis(scale: (v: number) => number, ticks: readonly number[], area: PlotArea, format: (v: number) => string): string {
  const parts = [element('line', { class: 'c-axis', x1: area.left, x2: area.left, y1: area.top, y2: area.bottom, stroke: 'currentColor' })];
  for (const tick of ticks) {
    const at = scale(tick);
    parts.push(element('line', { class: 'c-axis', x1: area.left - 5, x2: area.left, y1: at, y2: at, stroke: 'currentColor' }));
    parts.push(element('text', { x: area.left - 8, y: at + 4, 'text-anchor': 'end' }, escapeHtml(format(tick))));
  }
  return element('g', { class: 'chart-axis c-text', 'font-size': 11, fill: 'currentColor' }, parts.join(''));
}

function marker(kind: MarkerKind, cx: number, cy: number): string {
  return markerShape(kind, cx, cy, 'currentColor')
    .map((part) => element(part.tag, part.attrs))
    .join('');
}

function legend(items: readonly { label: string; className: string; swatch: string }[]): string {
  const entries = items.map((item) =>
    element('li', {}, element('svg', { width: 16, height: 16, viewBox: '-8 -8 16 16', 'aria-hidden': 'true', class: item.className }, item.swatch) + escapeHtml(item.label)),
  );
  return element('ul', { class: 'chart-legend' }, entries.join(''));
}

/** An svg element sized for the report's column, shrinking with a narrow window. */
function svg(width: number, height: number, attrs: Record<string, string>, content: string): string {
  return element('svg', { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', ...attrs }, content);
}

/**
 * (a) the timeline: sequence against arrival, one series per broadcast attempt, anomalies as
 * distinct markers (each with its tooltip), gaps (sequence bands) and stalls (time bands)
 * shaded, disconnects and the terminal event as reference lines. `id` makes its clip path's id
 * unique in the page.
 */
export function timelineFigure(view: TimelineView, width: number, id: string): string {
  const chartWidth = width - FIGURE_CHROME;
  const height = 340;
  let maxY = 1;
  for (const { points } of view.attempts) for (const point of points) if (point.y > maxY) maxY = point.y;
  for (const points of Object.values(view.markers)) for (const point of points ?? []) if (point.y > maxY) maxY = point.y;
  for (const gap of view.gaps) if (gap.to + 0.5 > maxY) maxY = gap.to + 0.5;
  const area = plotArea(chartWidth, height, { top: 12, right: 24, bottom: 28, left: 56 });
  const xMax = timelineXMax(view);
  const x = linearScale([0, xMax], [area.left, area.right]);
  const y = linearScale([0, maxY], [area.bottom, area.top]);
  const xTicks = niceTicks(0, xMax, Math.max(2, Math.floor((area.right - area.left) / 90)));
  const yTicks = niceTicks(0, maxY, 6, true);
  const markerKinds = MARKER_ORDER.filter((kind) => (view.markers[kind]?.length ?? 0) > 0);
  const clip = `clip-${id}`;
  const parts: string[] = [
    element(
      'defs',
      {},
      element('clipPath', { id: clip }, element('rect', { x: area.left, y: area.top - 8, width: area.right - area.left + 8, height: area.bottom - area.top + 8 })),
    ),
    grid(area, y, yTicks, x, xTicks),
  ];
  for (const gap of view.gaps) {
    parts.push(
      element(
        'g',
        { class: 'timeline-gap' },
        element('rect', {
          class: 'c-gap',
          fill: 'currentColor',
          x: area.left,
          width: area.right - area.left,
          y: y(gap.to + 0.5),
          height: Math.max(2, y(gap.from - 0.5) - y(gap.to + 0.5)),
        }) +
          element(
            'text',
            { class: 'c-text', fill: 'currentColor', x: area.right - 4, y: y((gap.from + gap.to) / 2) + 4, 'text-anchor': 'end', 'font-size': 11 },
            `gap #${gap.from}${gap.to > gap.from ? `–${gap.to}` : ''}`,
          ),
      ),
    );
  }
  for (const stall of view.stalls) {
    parts.push(
      element(
        'g',
        { class: 'timeline-stall' },
        element('rect', { class: 'c-stall', fill: 'currentColor', x: x(stall.x1), width: Math.max(2, x(stall.x2) - x(stall.x1)), y: area.top, height: area.bottom - area.top }) +
          element('text', { class: 'c-text', fill: 'currentColor', x: (x(stall.x1) + x(stall.x2)) / 2, y: area.top + 12, 'text-anchor': 'middle', 'font-size': 11 }, 'stall'),
      ),
    );
  }
  const series: string[] = view.attempts.map(({ attempt, points }) =>
    element('path', {
      class: attemptClass(attempt),
      'data-series': attempt === 1 ? 'events' : `replay attempt ${attempt}`,
      'data-kind': attempt > 1 ? 'replay-attempt' : 'event',
      'data-attempt': attempt,
      'data-points': points.length,
      d: dotsPath(points, x, y),
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': DOT_DIAMETER,
      'stroke-linecap': 'round',
    }),
  );
  for (const kind of markerKinds) {
    const markers = (view.markers[kind] ?? []).map((point) =>
      element(
        'g',
        { class: `timeline-marker ${kindClass(kind, point)}`, 'data-kind': kind, 'data-attempt': point.attempt, 'data-sequence': point.sequence ?? '' },
        marker(kind, x(point.x), y(point.y)) + element('title', {}, escapeHtml(pointTitle(point))),
      ),
    );
    series.push(element('g', { 'data-series': MARKER_LABEL[kind] }, markers.join('')));
  }
  parts.push(element('g', { 'clip-path': `url(#${clip})` }, element('g', { class: 'timeline-points' }, series.join(''))));
  for (const d of view.disconnects) {
    parts.push(
      element(
        'g',
        { class: 'timeline-disconnect c-disconnect' },
        element('line', { x1: x(d.x), x2: x(d.x), y1: area.top, y2: area.bottom, stroke: 'currentColor', 'stroke-dasharray': '6 3', 'stroke-width': 2 }) +
          element('text', { x: x(d.x) + 4, y: area.top + 12, 'font-size': 11, fill: 'currentColor' }, `disconnect${d.code !== null ? ` ${d.code}` : ''}`),
      ),
    );
  }
  if (view.terminal !== null) {
    const at = x(view.terminal.x);
    parts.push(
      element(
        'g',
        { class: 'timeline-terminal-line' },
        element('line', { class: terminalClass(view.terminal.state), x1: at, x2: at, y1: area.top, y2: area.bottom, stroke: 'currentColor', 'stroke-width': 2 }) +
          element('text', { class: 'c-text', fill: 'currentColor', x: at - 4, y: area.top + 12, 'text-anchor': 'end', 'font-size': 11 }, escapeHtml(view.terminal.state)),
      ),
    );
  }
  parts.push(bottomAxis(x, xTicks, area, axisSeconds), leftAxis(y, yTicks, area, String));
  const caption = `Timeline — sequence against arrival time ${element(
    'span',
    { class: 'muted' },
    `(${view.drawn === view.total ? `${view.total} events` : `${view.drawn} of ${view.total} events drawn, every anomaly kept`}; ${view.attempts.length > 1 ? `${view.attempts.length} broadcast attempts` : 'one broadcast attempt'})`,
  )}`;
  const legendItems = [
    ...view.attempts.map(({ attempt }) => ({
      label: attempt === 1 ? 'events' : `replay attempt ${attempt}`,
      className: attemptClass(attempt),
      swatch: element('circle', { r: 3.5, fill: 'currentColor' }),
    })),
    ...markerKinds.map((kind) => ({ label: MARKER_LABEL[kind], className: kindClass(kind, view.markers[kind]?.[0]), swatch: marker(kind, 0, 0) })),
  ];
  return element(
    'figure',
    { class: 'chart', 'data-testid': 'chart-timeline', 'data-drawn': view.drawn, 'data-total': view.total, 'aria-label': 'Sequence against arrival time' },
    element('figcaption', {}, caption) +
      svg(chartWidth, height, { 'aria-label': `Timeline of ${view.total} events: sequence against arrival time` }, parts.join('')) +
      legend(legendItems),
  );
}

/** A horizontal reference line across a plot with a label at its right end. */
function referenceY(at: number, area: PlotArea, className: string, label: string): string {
  return element(
    'g',
    { class: `chart-reference ${className}` },
    element('line', { x1: area.left, x2: area.right, y1: at, y2: at, stroke: 'currentColor', 'stroke-dasharray': '4 3' }) +
      element('text', { x: area.right + 3, y: at + 4, 'font-size': 10, fill: 'currentColor' }, escapeHtml(label)),
  );
}

/** Inter-token gaps (and delivery latency) over time: one path per series, p50/p95 as reference lines. */
function latencyLine(view: TimelineView, verdict: SessionVerdict, width: number): string {
  const { interToken, delivery } = view.latency;
  const p = verdict.interTokenMs;
  const height = 220;
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
  const xTicks = niceTicks(minX, maxX, Math.max(2, Math.floor((area.right - area.left) / 90)));
  const yTicks = niceTicks(y0, y1, 5);
  const parts = [grid(area, y, yTicks, x, xTicks)];
  if (p) parts.push(referenceY(y(p.p95), area, 'c-duplicate', 'p95'), referenceY(y(p.p50), area, 'c-axis', 'p50'));
  parts.push(
    element('path', {
      class: 'latency-line c-latency',
      'data-series': 'inter-token gap',
      'data-points': interToken.length,
      d: linePath(interToken, x, y, true),
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': 1.5,
    }),
  );
  if (delivery.length > 0) {
    parts.push(
      element('path', {
        class: 'latency-line c-delivery',
        'data-series': 'delivery latency',
        'data-points': delivery.length,
        d: linePath(delivery, x, y),
        fill: 'none',
        stroke: 'currentColor',
        'stroke-width': 1.2,
      }),
    );
  }
  parts.push(
    bottomAxis(x, xTicks, area, axisSeconds),
    leftAxis(y, yTicks, area, (v) => formatMs(v)),
  );
  const swatch = element('line', { x1: -7, x2: 7, stroke: 'currentColor', 'stroke-width': 2 });
  return element(
    'div',
    { class: 'chart-body' },
    svg(width, height, { 'aria-label': 'Inter-token gap over time' }, parts.join('')) +
      legend([{ label: 'inter-token gap', className: 'c-latency', swatch }, ...(delivery.length > 0 ? [{ label: 'delivery latency', className: 'c-delivery', swatch }] : [])]),
  );
}

/** The inter-token gaps' histogram: one bar per bin (the overflow bin past p99 in the warning colour), p50/p95/p99 marked. */
function latencyHistogram(view: TimelineView, verdict: SessionVerdict, width: number): string {
  const bins = view.latency.histogram;
  const height = 220;
  // The app's geometry (shared/charts/histogram-layout.ts): percentile labels in rows above the bars, none on another.
  const { area, y, yTicks, band, centre, labelTicks, marks } = histogramLayout(bins, verdict.interTokenMs, width, height);
  const classes = { p50: 'c-axis', p95: 'c-duplicate', p99: 'c-replay' } as const;
  const parts = [grid(area, y, yTicks)];
  bins.forEach((bin, index) => {
    parts.push(
      element(
        'rect',
        {
          class: `histogram-bar ${bin.label.startsWith('>') ? 'c-duplicate' : 'c-latency'}`,
          'data-count': bin.count,
          x: area.left + band * index + 0.5,
          width: Math.max(1, band - 1),
          y: y(bin.count),
          height: Math.max(0, area.bottom - y(bin.count)),
          fill: 'currentColor',
        },
        element('title', {}, escapeHtml(`${bin.label} ms: ${bin.count} gaps`)),
      ),
    );
  });
  for (const mark of marks) {
    parts.push(
      element(
        'g',
        { class: `chart-reference ${classes[mark.label]}` },
        element('line', { x1: mark.x, x2: mark.x, y1: area.top, y2: area.bottom, stroke: 'currentColor', 'stroke-dasharray': '4 3' }) +
          element('text', { x: mark.labelX, y: mark.labelY, 'font-size': 10, fill: 'currentColor' }, mark.label),
      ),
    );
  }
  parts.push(
    bottomAxis(centre, labelTicks, area, (index) => bins[index]?.label ?? ''),
    leftAxis(y, yTicks, area, String),
  );
  return svg(width, height, { 'aria-label': 'Histogram of inter-token gaps', class: 'latency-histogram' }, parts.join(''));
}

/** (b) latency: inter-token gaps over time (and delivery latency), their histogram, p50/p95/p99 and TTFT. */
export function latencyFigure(view: TimelineView, verdict: SessionVerdict, width: number): string {
  const p = verdict.interTokenMs;
  const inner = width - FIGURE_CHROME;
  const half = Math.max(260, Math.floor((inner - 16) / 2));
  const twoColumns = inner >= 2 * 260 + 16;
  const caption = `Latency — ${element(
    'span',
    { class: 'muted' },
    escapeHtml(
      `inter-token p50 ${formatMs(p?.p50)} · p95 ${formatMs(p?.p95)} · p99 ${formatMs(p?.p99)} · max ${formatMs(p?.max)} · TTFT ${formatMs(verdict.ttftMs)}` +
        (verdict.deliveryMs ? ` · delivery p50 ${formatMs(verdict.deliveryMs.p50)} p95 ${formatMs(verdict.deliveryMs.p95)}` : ' · no delivery latency (no emitted_at)'),
    ),
  )}`;
  const body =
    view.latency.samples === 0
      ? element('p', { class: 'muted' }, 'Not enough events for latency.')
      : element(
          'div',
          { class: twoColumns ? 'chart-pair' : undefined },
          latencyLine(view, verdict, twoColumns ? half : inner) + latencyHistogram(view, verdict, twoColumns ? half : inner),
        );
  return element('figure', { class: 'chart', 'data-testid': 'chart-latency', 'aria-label': 'Latency' }, element('figcaption', {}, caption) + body);
}
