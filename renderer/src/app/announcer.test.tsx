// @vitest-environment jsdom
/**
 * The polite live region fed by the session store: sessions entering an alarming status are read
 * out at most every 4 s, gathered, three named and the rest counted; the connection message goes
 * first; unmounting stops listening. Time is vitest's fake clock, moved by the test.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sessionRow } from '../../../test-support/session-rows';
import { SessionStore } from '../data/session-store';
import { Announcer } from './announcer';

const region = () => screen.getByRole('status');

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_732_262_400_000);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('Announcer', () => {
  it('is a polite status region that says the connection message', () => {
    render(<Announcer store={new SessionStore()} connectionMessage="Connection local unavailable." />);
    expect(region().getAttribute('aria-live')).toBe('polite');
    expect(region().textContent).toBe('Connection local unavailable. ');
  });

  it('reads sessions entering an alarming status, not healthy ones', () => {
    const store = new SessionStore();
    render(<Announcer store={store} connectionMessage={null} />);
    act(() => void store.upsert([sessionRow('a', { status: 'truncated' }), sessionRow('b'), sessionRow('c', { status: 'errored' })]));
    act(() => void vi.advanceTimersByTime(0));
    expect(region().textContent).toBe('a truncated, c errored.');
  });

  it('names three sessions and counts the others', () => {
    const store = new SessionStore();
    render(<Announcer store={store} connectionMessage={null} />);
    act(() => void store.upsert(['s1', 's2', 's3', 's4', 's5'].map((id) => sessionRow(id, { status: 'stalled' }))));
    act(() => void vi.advanceTimersByTime(0));
    expect(region().textContent).toBe('s1 stalled, s2 stalled, s3 stalled, and 2 more sessions changed.');
  });

  it('speaks at most every 4 s, gathering what changed meanwhile', () => {
    const store = new SessionStore();
    render(<Announcer store={store} connectionMessage={null} />);
    act(() => void store.upsert([sessionRow('a', { status: 'stalled' })]));
    act(() => void vi.advanceTimersByTime(0));
    expect(region().textContent).toBe('a stalled.');

    act(() => void vi.advanceTimersByTime(1_000));
    act(() => void store.upsert([sessionRow('b', { status: 'errored' })]));
    act(() => void vi.advanceTimersByTime(1_000));
    act(() => void store.upsert([sessionRow('a', { status: 'orphaned' })]));
    act(() => void vi.advanceTimersByTime(1_999)); // 3.999 s after it spoke
    expect(region().textContent).toBe('a stalled.');
    act(() => void vi.advanceTimersByTime(1));
    expect(region().textContent).toBe('b errored, a orphaned.');
  });

  it('stops listening to the store on unmount', () => {
    const store = new SessionStore();
    const offs: (() => void)[] = [];
    const listen = store.onStatusChange.bind(store);
    vi.spyOn(store, 'onStatusChange').mockImplementation((listener) => {
      const off = vi.fn(listen(listener));
      offs.push(off);
      return off;
    });
    const { unmount } = render(<Announcer store={store} connectionMessage={null} />);
    act(() => void store.upsert([sessionRow('a', { status: 'stalled' })]));
    unmount();
    expect(offs).toHaveLength(1);
    expect(offs[0]).toHaveBeenCalledTimes(1);
    // the pending read was cancelled with it: no timer left behind
    expect(vi.getTimerCount()).toBe(0);
  });
});
