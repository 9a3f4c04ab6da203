import type { MarkerKind, TimelinePoint } from '../analysis/timeline';
import { formatMs } from './format';
import type { ChartPalette } from './palette';

/**
 * The timeline's anomaly markers as SVG shapes: one definition for the app's chart (React
 * elements) and the HTML report (static markup), so a replay restart is the same crossed ring
 * and a duplicate the same small square in both. Shape and colour differ per kind.
 */

export type { MarkerKind };

/** Drawing (and legend) order: later kinds are drawn over earlier ones. */
export const MARKER_ORDER: readonly MarkerKind[] = ['duplicate', 'out_of_order', 'after_terminal', 'conflict', 'replay', 'violation', 'terminal'];

export const MARKER_LABEL: Record<MarkerKind, string> = {
  replay: 'replay restart',
  duplicate: 'duplicate',
  conflict: 'conflict',
  out_of_order: 'out of order',
  after_terminal: 'after terminal',
  violation: 'violation',
  terminal: 'terminal event',
};

/** One SVG element of a marker; attribute names as SVG spells them (`stroke-width`). */
export interface ShapePart {
  tag: 'circle' | 'rect' | 'path';
  attrs: Record<string, string | number>;
}

/** The marker of `kind` centred on (cx, cy), painted in `color` (a colour, or `currentColor`). */
export function markerShape(kind: MarkerKind, cx: number, cy: number, color: string): ShapePart[] {
  switch (kind) {
    case 'replay':
      return [
        { tag: 'circle', attrs: { cx, cy, r: 8, fill: 'none', stroke: color, 'stroke-width': 2.5 } },
        { tag: 'path', attrs: { d: `M${cx - 4},${cy} L${cx + 4},${cy} M${cx},${cy - 4} L${cx},${cy + 4}`, stroke: color, 'stroke-width': 2 } },
      ];
    case 'duplicate':
      return [{ tag: 'rect', attrs: { x: cx - 3.5, y: cy - 3.5, width: 7, height: 7, fill: color } }];
    case 'conflict':
      return [{ tag: 'path', attrs: { d: `M${cx - 5},${cy - 5} L${cx + 5},${cy + 5} M${cx - 5},${cy + 5} L${cx + 5},${cy - 5}`, stroke: color, 'stroke-width': 2.5 } }];
    case 'out_of_order':
      return [{ tag: 'path', attrs: { d: `M${cx},${cy - 6} L${cx + 6},${cy + 5} L${cx - 6},${cy + 5} Z`, fill: color } }];
    case 'after_terminal':
      return [{ tag: 'path', attrs: { d: `M${cx},${cy - 6} L${cx + 6},${cy} L${cx},${cy + 6} L${cx - 6},${cy} Z`, fill: color, stroke: '#fff', 'stroke-width': 0.8 } }];
    case 'violation':
      return [{ tag: 'rect', attrs: { x: cx - 5, y: cy - 5, width: 10, height: 10, fill: color, stroke: '#fff', 'stroke-width': 1 } }];
    case 'terminal':
      return [
        { tag: 'circle', attrs: { cx, cy, r: 7, fill: color, 'fill-opacity': 0.25, stroke: color, 'stroke-width': 2 } },
        { tag: 'circle', attrs: { cx, cy, r: 2.5, fill: color } },
      ];
  }
}

/** A marker's colour in a palette (a terminal event's by its state). */
export function markerColor(kind: MarkerKind, palette: ChartPalette, state?: string | null): string {
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
      return palette.terminal[state ?? 'completed'] ?? palette.terminal.completed ?? '#1a7f37';
  }
}

/** What a point says in its tooltip (and the app's hover readout). */
export function pointTitle(point: TimelinePoint): string {
  const kinds = point.kinds.length > 0 ? point.kinds.join(', ').replace(/_/g, ' ') : 'new';
  return `#${point.sequence ?? '—'} at +${formatMs(point.x)} · attempt ${point.attempt} · ${kinds}${point.chunk !== null ? ` · “${point.chunk.slice(0, 40)}”` : ''}`;
}
