// @vitest-environment jsdom
/**
 * The session page's charts in jsdom (a fixed width stands in for the layout jsdom does not do):
 * a session without a terminal event runs to now with its silence shown; an ended one stops at its terminal.
 */
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildTimeline, timelineView } from '../../../shared/analysis/timeline';
import type { SessionDetail } from '../../../shared/api';
import type { FrameRecord } from '../../../shared/journal';
import SessionCharts from './SessionCharts';

vi.mock('../components/use-width', () => ({ useWidth: () => 1000 }));
afterEach(cleanup);

const T0 = 1_732_262_400_000;
const frame = (at: number, sequence: number, state = 'generating'): FrameRecord => ({
  type: 'frame',
  at: T0 + at,
  connection: 'c1',
  channel: 'private-ai.s1',
  event: 'chunk.delivered',
  data: { session_id: 's1', chunk: 't', sequence, state, termination_code: state === 'generating' ? null : 'end_turn' },
});

// The charts read the latency figures of the row only.
const detail = { row: { interTokenMs: { p50: 100, p95: 100, p99: 100, max: 100 }, ttftMs: null, deliveryMs: null } } as unknown as SessionDetail;
const reference = { gaps: [], anomalies: [], stallAfterMs: 8000 };

/** The time axis' tick labels, left to right. */
const xTicks = (chart: HTMLElement) => [...chart.querySelectorAll('.chart-axis')][0]!.querySelectorAll('text');

describe('the session timeline', () => {
  it("runs to now for an orphaned session, its silence shaded and labelled; an ended session's stops at its terminal", () => {
    const frames = Array.from({ length: 20 }, (_, i) => frame(i * 100, i + 1));
    const orphaned = timelineView(buildTimeline('s1', frames), { ...reference, terminalAt: null, terminalState: null, now: T0 + 42_000 }, 500);
    const open = render(<SessionCharts timeline={orphaned} detail={detail} theme="light" focus={null} onPick={() => undefined} />);
    const silence = open.getByTestId('timeline-silence');
    expect(silence.textContent).toContain('silent for 40 s');
    const openTicks = [...xTicks(open.getByTestId('chart-timeline'))].map((t) => t.textContent);
    expect(openTicks.at(-1)).toBe('40 s');
    cleanup();

    const ended = [...frames, frame(2000, 21, 'completed')];
    const completed = timelineView(buildTimeline('s1', ended), { ...reference, terminalAt: T0 + 2000, terminalState: 'completed', now: T0 + 42_000 }, 500);
    const done = render(<SessionCharts timeline={completed} detail={detail} theme="light" focus={null} onPick={() => undefined} />);
    expect(done.queryByTestId('timeline-silence')).toBeNull();
    const doneTicks = [...xTicks(done.getByTestId('chart-timeline'))].map((t) => t.textContent);
    expect(doneTicks.at(-1)).toBe('2.0 s');
  });
});
