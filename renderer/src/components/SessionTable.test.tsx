// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionRow } from '../../../test-support/session-rows';
import { querySessions, DEFAULT_QUERY } from '../../../shared/api/session-query';
import { SessionTable } from './SessionTable';

afterEach(cleanup);

const rows = [
  // a crash-retried job that still completed: the client was sent its tokens twice
  sessionRow('retried', { status: 'completed', terminalAt: 2000, terminationCode: 'end_turn', replays: 1, duplicates: 40 }),
  sessionRow('twice', { status: 'completed', terminalAt: 2000, terminationCode: 'end_turn', replays: 2 }),
  sessionRow('dead', { status: 'orphaned', terminalAt: null }),
  sessionRow('live', { status: 'streaming', terminalAt: null }),
  sessionRow('cut', { status: 'truncated', terminalAt: 1500, terminationCode: 'max_tokens' }),
];

function cellsOf(sessionId: string) {
  const row = screen.getAllByTestId('session-row').find((r) => r.getAttribute('data-session') === sessionId)!;
  return { code: within(row).getByTestId('termination-code').textContent, retried: within(row).queryByTestId('retried')?.textContent ?? null };
}

describe('the Live table', () => {
  it('shows the termination code or that no terminal event came, and marks crash-retried sessions even when they completed', () => {
    render(<SessionTable rows={rows} query={DEFAULT_QUERY} onSort={() => undefined} height={600} label="sessions" />);
    expect(cellsOf('retried')).toEqual({ code: 'end_turn', retried: 'retried' });
    expect(cellsOf('twice')).toEqual({ code: 'end_turn', retried: 'retried ×2' });
    expect(cellsOf('dead')).toEqual({ code: 'no terminal event', retried: null });
    expect(cellsOf('live')).toEqual({ code: '…', retried: null });
    expect(cellsOf('cut')).toEqual({ code: 'max_tokens', retried: null });
  });

  it('writes its counts grouped by thousands, in cells, tags and titles alike', () => {
    const big = sessionRow('big', { status: 'completed', terminalAt: 2000, terminationCode: 'end_turn', replays: 1234, duplicates: 56_789, observations: 1500 });
    render(<SessionTable rows={[big]} query={DEFAULT_QUERY} onSort={() => undefined} height={600} label="sessions" />);
    const row = screen.getByTestId('session-row');
    expect(within(row).getByTestId('retried').textContent).toBe('retried ×1,234');
    expect(row.textContent).toContain('56,789');
    expect(row.textContent).toContain('×1,500 vantages');
    expect(within(row).getByText('×1,500 vantages').getAttribute('title')).toMatch(/^1,500 vantages saw this session/);
  });

  it('sorts by code with the sessions that never ended first', () => {
    const sorted = querySessions(rows, { ...DEFAULT_QUERY, sort: 'code', descending: false }).map((r) => r.sessionId);
    expect(sorted.slice(0, 2).sort()).toEqual(['dead', 'live']);
    expect(sorted.slice(2)).toEqual(['retried', 'twice', 'cut']);
  });
});
