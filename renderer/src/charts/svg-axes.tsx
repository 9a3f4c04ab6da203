import type { ReactNode } from 'react';
import type { ChartPalette, LinearScale, PlotArea } from '../../../shared/charts';

// The geometry is shared with the HTML report's static SVG (shared/charts/paths.ts).
export { dotsPath, linePath, plotArea, type PlotArea } from '../../../shared/charts';

/** Dashed grid lines at the ticks (vertical ones optional, as in a histogram). */
export function Grid({
  x,
  y,
  xTicks,
  yTicks,
  area,
  palette,
}: {
  x?: LinearScale;
  y: LinearScale;
  xTicks?: readonly number[];
  yTicks: readonly number[];
  area: PlotArea;
  palette: ChartPalette;
}): ReactNode {
  return (
    <g className="chart-grid" stroke={palette.grid} strokeDasharray="3 3">
      {yTicks.map((tick) => (
        <line key={`y${tick}`} x1={area.left} x2={area.right} y1={y(tick)} y2={y(tick)} />
      ))}
      {x && xTicks?.map((tick) => <line key={`x${tick}`} x1={x(tick)} x2={x(tick)} y1={area.top} y2={area.bottom} />)}
    </g>
  );
}

/** A bottom axis: baseline, tick marks and labels. `ticks` are values of the scale (or band centres with `labelOf`). */
export function BottomAxis({
  scale,
  ticks,
  area,
  palette,
  format,
}: {
  scale: (value: number) => number;
  ticks: readonly number[];
  area: PlotArea;
  palette: ChartPalette;
  format(value: number): string;
}): ReactNode {
  return (
    <g className="chart-axis" fontSize={11} fill={palette.text}>
      <line x1={area.left} x2={area.right} y1={area.bottom} y2={area.bottom} stroke={palette.axis} />
      {ticks.map((tick) => {
        const at = scale(tick);
        return (
          <g key={tick}>
            <line x1={at} x2={at} y1={area.bottom} y2={area.bottom + 5} stroke={palette.axis} />
            <text x={at} y={area.bottom + 17} textAnchor="middle">
              {format(tick)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** A left axis: baseline, tick marks and right-aligned labels. */
export function LeftAxis({
  scale,
  ticks,
  area,
  palette,
  format,
}: {
  scale: LinearScale;
  ticks: readonly number[];
  area: PlotArea;
  palette: ChartPalette;
  format(value: number): string;
}): ReactNode {
  return (
    <g className="chart-axis" fontSize={11} fill={palette.text}>
      <line x1={area.left} x2={area.left} y1={area.top} y2={area.bottom} stroke={palette.axis} />
      {ticks.map((tick) => {
        const at = scale(tick);
        return (
          <g key={tick}>
            <line x1={area.left - 5} x2={area.left} y1={at} y2={at} stroke={palette.axis} />
            <text x={area.left - 8} y={at + 4} textAnchor="end">
              {format(tick)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** The legend under a chart: a swatch (any SVG) and a label per entry. */
export function ChartLegend({ items }: { items: readonly { key: string; label: string; swatch: ReactNode }[] }): ReactNode {
  return (
    <ul className="chart-legend">
      {items.map((item) => (
        <li key={item.key}>
          <svg width={16} height={16} viewBox="-8 -8 16 16" aria-hidden="true">
            {item.swatch}
          </svg>
          {item.label}
        </li>
      ))}
    </ul>
  );
}
