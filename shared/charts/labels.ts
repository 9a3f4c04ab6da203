/**
 * Where chart labels go so that none covers another (issue 21: the histogram's p50/p95/p99 labels
 * sat on each other when the percentiles were close). Pure: positions in, rows out; the app's
 * charts and the HTML report lay their labels out alike.
 */

/** A label's box along the axis it is placed on: it starts at `x` and is `width` long. */
export interface LabelBox {
  x: number;
  width: number;
}

/** About how wide a line of text is, in px (the UI's sans-serif averages ~0.6 em a character, DejaVu Sans a little more: 0.65 keeps a margin). */
export function textWidth(text: string, fontSize: number): number {
  return Math.ceil(text.length * fontSize * 0.65);
}

/**
 * The row (0 = the first) each label goes in: labels are placed left to right, each in the
 * first row where its box stays `gap` px clear of every label already there. Labels that do
 * not come near each other all stay in row 0; three on top of each other take rows 0, 1, 2.
 */
export function labelRows(labels: readonly LabelBox[], gap = 3): number[] {
  const rows: number[] = new Array<number>(labels.length).fill(0);
  /** The right end of the last label placed in each row. */
  const ends: number[] = [];
  const order = labels.map((_, index) => index).sort((a, b) => labels[a]!.x - labels[b]!.x);
  for (const index of order) {
    const { x, width } = labels[index]!;
    let row = ends.findIndex((end) => x >= end + gap);
    if (row < 0) row = ends.length;
    ends[row] = x + width;
    rows[index] = row;
  }
  return rows;
}

/** Every how many evenly spaced ticks one is labelled so that labels `band` px apart, the widest `widest` px, do not touch. */
export function labelEvery(band: number, widest: number, gap = 8): number {
  if (!(band > 0)) return 1;
  return Math.max(1, Math.ceil((widest + gap) / band));
}

/**
 * Labels of vertical reference lines (a histogram's p50/p95/p99): each just right of its line
 * (`at`), pulled left to end by `limit` if it would run past it, and in the row `labelRows` gives.
 */
export function placeLineLabels(labels: readonly { text: string; at: number }[], fontSize: number, limit: number): { x: number; row: number }[] {
  const boxes = labels.map(({ text, at }) => {
    const width = textWidth(text, fontSize);
    return { x: Math.min(at + 3, limit - width), width };
  });
  const rows = labelRows(boxes);
  return boxes.map((box, i) => ({ x: box.x, row: rows[i]! }));
}
