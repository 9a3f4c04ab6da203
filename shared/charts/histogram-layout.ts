import { labelEvery, placeLineLabels, textWidth } from './labels';
import { plotArea, type PlotArea } from './paths';
import { linearScale, niceDomain, niceTicks, type LinearScale } from './scale';

/**
 * The latency histogram's geometry, one for the app's chart and the HTML report's: bars, the
 * bin labels that fit, and the p50/p95/p99 lines with their labels in rows above the bars, so
 * close percentiles never put one label on another or on a bar (issue 21).
 */

export type PercentileName = 'p50' | 'p95' | 'p99';

export interface HistogramMark {
  label: PercentileName;
  /** The bin the percentile falls in, and the x of its line (the bin's centre). */
  index: number;
  x: number;
  /** Where its label starts, its baseline, and the row it was put in (0 is the lowest, next to the bars). */
  labelX: number;
  labelY: number;
  row: number;
}

export interface HistogramLayout {
  area: PlotArea;
  y: LinearScale;
  yTicks: number[];
  band: number;
  centre(index: number): number;
  /** The bins whose label is drawn (every n-th, so the widest fits between two). */
  labelTicks: number[];
  marks: HistogramMark[];
}

const BIN_FONT = 11;
const MARK_FONT = 10;
const ROW_HEIGHT = 12;

export function histogramLayout(
  bins: readonly { from: number; to: number; count: number; label: string }[],
  percentiles: Record<PercentileName, number> | null | undefined,
  width: number,
  height: number,
): HistogramLayout {
  const margin = { right: 16, bottom: 28, left: 44 };
  // The lines and labels along x first (they do not depend on the top margin), then as many rows above the bars as the labels took.
  const across = plotArea(width, height, { top: 0, ...margin });
  const band = (across.right - across.left) / Math.max(1, bins.length);
  const centre = (index: number) => across.left + band * (index + 0.5);
  const binOf = (ms: number) => bins.findIndex((bin) => ms >= bin.from && ms <= bin.to);
  const found = percentiles ? (['p50', 'p95', 'p99'] as const).map((label) => ({ label, index: binOf(percentiles[label]) })).filter((mark) => mark.index >= 0) : [];
  const placed = placeLineLabels(
    found.map((mark) => ({ text: mark.label, at: centre(mark.index) })),
    MARK_FONT,
    width - 2,
  );
  const rowCount = Math.max(1, ...placed.map((p) => p.row + 1));
  const area = plotArea(width, height, { top: 6 + rowCount * ROW_HEIGHT, ...margin });
  const marks = found.map((mark, i) => ({
    ...mark,
    x: centre(mark.index),
    labelX: placed[i]!.x,
    // Row 0 sits just above the bars, each next row one line higher.
    labelY: area.top - 4 - placed[i]!.row * ROW_HEIGHT,
    row: placed[i]!.row,
  }));
  const maxCount = Math.max(1, ...bins.map((bin) => bin.count));
  const [, y1] = niceDomain(0, maxCount, 5);
  const widest = Math.max(0, ...bins.map((bin) => textWidth(bin.label, BIN_FONT)));
  const every = labelEvery(band, widest);
  return {
    area,
    y: linearScale([0, y1], [area.bottom, area.top]),
    yTicks: niceTicks(0, y1, 5, true),
    band,
    centre,
    labelTicks: bins.map((_, index) => index).filter((index) => index % every === 0),
    marks,
  };
}
