import { describe, expect, it } from 'vitest';
import { buildTimeline, timelineView } from '../analysis/timeline';
import type { FrameRecord } from '../journal';
import { silenceLabel, timelineXMax } from './timeline-axis';

const T0 = 1_732_262_400_000;
const frame = (at: number, sequence: number, state = 'generating'): FrameRecord => ({
  type: 'frame',
  at: T0 + at,
  connection: 'c1',
  channel: 'private-ai.s1',
  event: 'chunk.delivered',
  data: { session_id: 's1', chunk: 't', sequence, state, termination_code: state === 'generating' ? null : 'end_turn' },
});

describe("the timeline's time axis (issue 21: a dead session's silence is visible)", () => {
  const reference = { gaps: [], anomalies: [], stallAfterMs: 8000 };
  const now = T0 + 60_000;

  it('reaches now for a session without a terminal event (orphaned), with the silence from its last frame', () => {
    const frames = [frame(0, 1), frame(100, 2), frame(200, 3)];
    const view = timelineView(buildTimeline('s1', frames), { ...reference, terminalAt: null, terminalState: null, now }, 500);
    expect(view.silence).toEqual({ x1: 200, x2: 60_000, ms: 59_800 });
    expect(timelineXMax(view)).toBeGreaterThanOrEqual(60_000);
    expect(silenceLabel(view.silence!.ms)).toBe('silent for 60 s');
  });

  it('ends at the terminal event for an ended session, whatever the clock says', () => {
    const frames = [frame(0, 1), frame(100, 2), frame(200, 3, 'completed')];
    const view = timelineView(buildTimeline('s1', frames), { ...reference, terminalAt: T0 + 200, terminalState: 'completed', now }, 500);
    expect(view.silence).toBeNull();
    expect(timelineXMax(view)).toBe(Math.ceil(200 * 1.02));
  });

  it('has no silence for a recording (no clock given) or a clock not past the last frame', () => {
    const timeline = buildTimeline('s1', [frame(0, 1), frame(200, 2)]);
    expect(timelineView(timeline, { ...reference, terminalAt: null, terminalState: null }, 500).silence).toBeNull();
    expect(timelineView(timeline, { ...reference, terminalAt: null, terminalState: null, now: T0 + 150 }, 500).silence).toBeNull();
  });
});
