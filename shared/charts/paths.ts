/**
 * Geometry of the session charts shared by the app (React) and the HTML report (static SVG):
 * the plot area inside a chart's margins and the one-path-per-series drawing of lines and dots.
 */

/** The plot area of a chart, in SVG pixels. */
export interface PlotArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function plotArea(width: number, height: number, margin: { top: number; right: number; bottom: number; left: number }): PlotArea {
  return { left: margin.left, right: Math.max(margin.left + 1, width - margin.right), top: margin.top, bottom: Math.max(margin.top + 1, height - margin.bottom) };
}

/**
 * An SVG path through the points (one element for a whole series, whatever its length).
 * `step`: each value holds from the previous point to its own (an inter-token gap ends at its
 * token: a 5 s backoff is a flat 5 s bar, not a ramp rising for 5 s).
 */
export function linePath(points: readonly { x: number; y: number }[], x: (value: number) => number, y: (value: number) => number, step = false): string {
  const parts: string[] = [];
  for (let i = 0; i < points.length; i++) {
    const point = points[i] as { x: number; y: number };
    const px = x(point.x).toFixed(1);
    const py = y(point.y).toFixed(1);
    if (i === 0) parts.push(`M${px},${py}`);
    else if (step) parts.push(`V${py}H${px}`);
    else parts.push(`L${px},${py}`);
  }
  return parts.join('');
}

/** Round dots as one path (one element for a whole series): a zero-length segment per point, drawn by a round line cap. */
export function dotsPath(points: readonly { x: number; y: number }[], x: (value: number) => number, y: (value: number) => number): string {
  const parts: string[] = [];
  for (const point of points) parts.push(`M${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}h0`);
  return parts.join('');
}
