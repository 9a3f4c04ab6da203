// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionDetail } from '../../../../shared/api';
import { AnomalyList, groupAnomalies } from './AnomalyList';

type Anomaly = SessionDetail['anomalies'][number];
afterEach(cleanup);

/** A crash + retry as the analyzer lists it: #1 again with the restart found at that frame, then #2–#20 again, a gap, then #22 and #23 after the end. */
const anomalies = [
  { kind: 'duplicate', at: 100, sequence: 1 },
  { kind: 'replay', at: 100, sequence: 1, restartedAfter: 20 },
  ...Array.from({ length: 19 }, (_, i) => ({ kind: 'duplicate', at: 101 + i, sequence: i + 2 })),
  { kind: 'gap', at: 130, sequence: 21, to: 21, count: 1 },
  { kind: 'duplicate', at: 140, sequence: 5 },
  { kind: 'after_terminal', at: 150, sequence: 22 },
  { kind: 'after_terminal', at: 151, sequence: 23 },
] as unknown as Anomaly[];

describe('the anomaly list', () => {
  it('groups a run of the same kind on consecutive sequences into one entry, and keeps the rest one each', () => {
    const entries = groupAnomalies(anomalies);
    expect(entries.map((e) => [e.kind, e.first, e.last, e.text])).toEqual([
      // the run of #1–#20 goes on past the replay found at #1's frame, which follows it
      ['duplicate', 0, 20, '#1–#20 arrived again (20)'],
      ['replay', 1, 1, 'the stream restarted at #1 after reaching #20 (a retried job)'],
      ['gap', 21, 21, '1 missing: #21'],
      // not consecutive with #20: its own entry
      ['duplicate', 22, 22, '#5 arrived again'],
      ['after_terminal', 23, 24, '#22–#23 arrived after the terminal event (2)'],
    ]);
  });

  it('groups runs that interleave: frames after the end are each a duplicate and an after-terminal event', () => {
    const late = [3, 4, 5].flatMap((sequence) => [
      { kind: 'after_terminal', at: 200 + sequence, sequence },
      { kind: 'duplicate', at: 200 + sequence, sequence },
    ]) as unknown as Anomaly[];
    expect(groupAnomalies(late).map((e) => e.text)).toEqual(['#3–#5 arrived after the terminal event (3)', '#3–#5 arrived again (3)']);
  });

  it('shows one button per entry; a grouped one jumps to its first anomaly and is selected for any of its own', () => {
    const picked: number[] = [];
    const { rerender } = render(<AnomalyList anomalies={anomalies} dropped={0} t0={0} selected={null} onPick={(i) => picked.push(i)} />);
    const buttons = screen.getAllByRole('button');
    expect(buttons).toHaveLength(5);
    fireEvent.click(buttons[0]!);
    fireEvent.click(buttons[1]!);
    expect(picked).toEqual([0, 1]);
    rerender(<AnomalyList anomalies={anomalies} dropped={0} t0={0} selected={7} onPick={() => undefined} />);
    expect(screen.getAllByRole('button').map((b) => b.getAttribute('aria-pressed'))).toEqual(['true', 'false', 'false', 'false', 'false']);
    expect(screen.getAllByRole('button')[0]!.getAttribute('data-count')).toBe('20');
  });
});
