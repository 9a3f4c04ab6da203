import { describe, expect, it } from 'vitest';
import { labelEvery, labelRows, textWidth, type LabelBox } from './labels';

/** Boxes in rows, as drawn: `height` px per row. */
const drawn = (labels: readonly LabelBox[], rows: readonly number[], height = 12) =>
  labels.map((label, i) => ({ left: label.x, right: label.x + label.width, top: rows[i]! * height, bottom: rows[i]! * height + height }));

const intersect = (a: ReturnType<typeof drawn>[number], b: ReturnType<typeof drawn>[number]) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

describe('chart label layout (issue 21: p50/p95/p99 labels do not collide)', () => {
  it('staggers labels closer than their width, so no two boxes intersect; a label far away stays in the first row', () => {
    const width = textWidth('p95', 10);
    const labels = [
      { x: 100, width },
      { x: 104, width },
      { x: 180, width },
    ];
    const rows = labelRows(labels);
    expect(rows).toEqual([0, 1, 0]);
    const boxes = drawn(labels, rows);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(intersect(boxes[i]!, boxes[j]!)).toBe(false);
  });

  it('puts three labels at one position in three rows, whatever order they come in, and reuses a row once it is clear', () => {
    expect(
      labelRows([
        { x: 50, width: 18 },
        { x: 50, width: 18 },
        { x: 50, width: 18 },
      ]),
    ).toEqual([0, 1, 2]);
    expect(
      labelRows([
        { x: 120, width: 18 },
        { x: 10, width: 18 },
        { x: 12, width: 18 },
      ]),
    ).toEqual([0, 0, 1]);
    expect(
      labelRows([
        { x: 0, width: 18 },
        { x: 5, width: 18 },
        { x: 24, width: 18 },
      ]),
    ).toEqual([0, 1, 0]);
  });

  it('labels every n-th tick so the widest label fits between two', () => {
    expect(labelEvery(100, 60)).toBe(1);
    expect(labelEvery(20, 60)).toBe(4);
    expect(labelEvery(0, 60)).toBe(1);
  });
});
