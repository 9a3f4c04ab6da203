/** What the session charts are drawn with, in the app (renderer/src/charts) and in the HTML report (static SVG). */
export { axisSeconds, formatMs } from './format';
export { markerColor, markerShape, MARKER_LABEL, MARKER_ORDER, pointTitle, type MarkerKind, type ShapePart } from './markers';
export { DARK_CHART_PALETTE, LIGHT_CHART_PALETTE, type ChartPalette } from './palette';
export { dotsPath, linePath, plotArea, type PlotArea } from './paths';
export { linearScale, nearestIndex, niceDomain, niceTicks, tickStep, type LinearScale } from './scale';
export { silenceLabel, timelineXMax } from './timeline-axis';
export { labelEvery, labelRows, placeLineLabels, textWidth, type LabelBox } from './labels';
export { histogramLayout, type HistogramLayout, type HistogramMark, type PercentileName } from './histogram-layout';
