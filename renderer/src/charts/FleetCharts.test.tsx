// @vitest-environment jsdom
/**
 * The Fleet's line charts drawn by recharts in jsdom (a fixed width stands in for the layout jsdom
 * does not do): an empty bucket breaks a line, and lines differ by dash as well as colour.
 */
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FleetRow } from './fleet-data';
import FleetCharts from './FleetCharts';

vi.mock('../components/use-width', () => ({ useWidth: () => 900 }));
afterEach(cleanup);

const row = (start: number, rate: number | null): FleetRow => ({
  start,
  sessions: rate === null ? 0 : 1,
  events: rate === null ? 0 : 10,
  duplicationRate: rate,
  gapRate: rate === null ? null : rate / 2,
  ttftP95: rate === null ? null : 100,
  interTokenP95: rate === null ? null : 20,
  completed: rate === null ? 0 : 1,
  truncated: 0,
  errored: 0,
  abandoned: 0,
  orphaned: 0,
  stalled: 0,
  streaming: 0,
});

describe('Fleet line charts', () => {
  it('do not draw a line across empty buckets, and tell lines apart by dash as well as colour', () => {
    // buckets 0–2 had sessions, 3–4 none, 5–7 again
    const rows = [row(0, 1), row(1, 2), row(2, 3), row(3, null), row(4, null), row(5, 2), row(6, 1), row(7, 4)];
    const { getByTestId } = render(<FleetCharts rows={rows} theme="light" />);
    const curves = [...getByTestId('chart-rates').querySelectorAll('path.recharts-line-curve')];
    expect(curves).toHaveLength(2);
    // each line is two runs: its path moves to a new start once, after the empty buckets
    for (const curve of curves) expect((curve.getAttribute('d') ?? '').match(/M/g)).toHaveLength(2);
    const dashes = curves.map((curve) => curve.getAttribute('stroke-dasharray'));
    expect(new Set(dashes).size).toBe(2);
  });
});
