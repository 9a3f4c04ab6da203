import { describe, expect, it } from 'vitest';
import { histogramLayout } from './histogram-layout';
import { textWidth } from './labels';

/** 24 bins of 10 ms, as the host makes them (the last an overflow bin). */
const bins = Array.from({ length: 24 }, (_, i) => ({ from: i * 10, to: i * 10 + 10, count: 24 - i, label: i === 23 ? '>230' : `${i * 10}–${i * 10 + 10}` }));

describe('the latency histogram layout (issue 21: bins and p50/p95/p99 labels do not collide)', () => {
  it('puts close percentiles in rows of their own above the bars, no label box on another', () => {
    const layout = histogramLayout(bins, { p50: 12, p95: 14, p99: 25 }, 400, 220);
    const boxes = layout.marks.map((mark) => ({ left: mark.labelX, right: mark.labelX + textWidth(mark.label, 10), bottom: mark.labelY + 2, top: mark.labelY - 10 }));
    expect(layout.marks.map((mark) => mark.label)).toEqual(['p50', 'p95', 'p99']);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        expect(a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom, `${layout.marks[i]!.label} and ${layout.marks[j]!.label}`).toBe(false);
      }
    // every label sits above the plot (no bar reaches there), and inside the picture
    for (const box of boxes) {
      expect(box.bottom).toBeLessThanOrEqual(layout.area.top);
      expect(box.top).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(layout.marks.map((mark) => mark.row)).size).toBeGreaterThan(1);
  });

  it('keeps far-apart percentiles in one row, and labels only the bins whose labels fit', () => {
    const layout = histogramLayout(bins, { p50: 12, p95: 120, p99: 225 }, 400, 220);
    expect(layout.marks.map((mark) => mark.row)).toEqual([0, 0, 0]);
    const widest = Math.max(...bins.map((bin) => textWidth(bin.label, 11)));
    const xs = layout.labelTicks.map(layout.centre);
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThanOrEqual(widest);
  });

  it('has no marks without percentiles', () => {
    expect(histogramLayout(bins, null, 400, 220).marks).toEqual([]);
  });
});
