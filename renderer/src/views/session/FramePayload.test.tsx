// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FrameRowView } from '../../../../shared/api';
import { FramePayload, MAX_SHOWN_CHARS, payloadText } from './FramePayload';

afterEach(cleanup);

const row = (data: unknown, event = 'chunk.delivered'): FrameRowView =>
  ({ frame: { type: 'frame', at: 1, connection: 'c1', channel: 'private-ai.s1', event, data }, point: {} }) as unknown as FrameRowView;

describe("a raw frame's payload in full", () => {
  it('pretty-prints JSON, whether parsed or a string that parses, and keeps a broken payload exactly as received', () => {
    expect(payloadText({ sequence: 4, usage: { tokens: 2 } }).text).toBe('{\n  "sequence": 4,\n  "usage": {\n    "tokens": 2\n  }\n}');
    expect(payloadText('{"a":[1,2]}')).toEqual({ text: '{\n  "a": [\n    1,\n    2\n  ]\n}', json: true });
    expect(payloadText('{"session_id":"s1","chu')).toEqual({ text: '{"session_id":"s1","chu', json: false });
    expect(payloadText(undefined).text).toBe('(no data)');
  });

  it('shows the whole of a long payload the table cuts to one line, and says when it is cut itself', () => {
    const chunk = 'x'.repeat(5000);
    render(<FramePayload number={12} row={row({ session_id: 's1', chunk })} />);
    const panel = screen.getByTestId('frame-payload');
    expect(panel.textContent).toContain(`"chunk": "${chunk}"`);
    expect(panel.textContent).toContain('Frame #12');
    expect(panel.textContent).toContain('JSON, pretty-printed');
    cleanup();
    render(<FramePayload number={1} row={row('y'.repeat(MAX_SHOWN_CHARS + 2500))} />);
    expect(screen.getByTestId('frame-payload').textContent).toContain('… 2,500 more characters (Copy takes them all)');
    expect(screen.getByTestId('frame-payload').textContent).toContain('not JSON: as received');
  });

  it('copies the whole payload', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const long = 'z'.repeat(MAX_SHOWN_CHARS + 10);
    render(<FramePayload number={1} row={row(long)} />);
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Copied' })).toBeTruthy());
    expect(writeText).toHaveBeenCalledWith(long);
  });
});
