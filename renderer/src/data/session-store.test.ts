// @vitest-environment jsdom
/**
 * The Live view's session store: pushed rows merged by session id (the host is the truth, so a
 * later push replaces the row whatever it says), one notification per batch, a stable `all()`
 * between changes, and status changes into alarming states for the live region. It removes,
 * orders, filters and caps nothing: the views do that. Rows are built by hand here.
 */
import { describe, expect, it } from 'vitest';
import { sessionRow } from '../../../test-support/session-rows';
import { SessionStore, type StatusChange } from './session-store';

describe('SessionStore', () => {
  it('starts empty', () => {
    const store = new SessionStore();
    expect(store.size).toBe(0);
    expect(store.all()).toEqual([]);
    expect(store.get('s1')).toBeUndefined();
  });

  it('adds new sessions and replaces a known one by session id', () => {
    const store = new SessionStore();
    const a = sessionRow('a');
    const b = sessionRow('b');
    store.upsert([a, b]);
    expect(store.size).toBe(2);
    expect(store.get('a')).toBe(a);
    expect(store.get('b')).toBe(b);

    const aDone = sessionRow('a', { status: 'completed', events: 4, maxSequence: 4, terminalStates: ['completed'], terminationCode: 'end_turn' });
    const c = sessionRow('c');
    store.upsert([aDone, c]);
    expect(store.size).toBe(3);
    expect(store.get('a')).toBe(aDone);
    expect(store.get('b')).toBe(b);
    expect(new Set(store.all())).toEqual(new Set([aDone, b, c]));
  });

  it('takes a row that looks older than the one it holds: the host decides, not the store', () => {
    const store = new SessionStore();
    store.upsert([sessionRow('a', { events: 9, lastAt: 5_000, status: 'completed' })]);
    const fromList = sessionRow('a', { events: 3, lastAt: 1_200, status: 'streaming' });
    store.upsert([fromList]);
    expect(store.get('a')).toBe(fromList);
  });

  it('the last row of a session wins within one batch', () => {
    const store = new SessionStore();
    const last = sessionRow('a', { events: 5 });
    store.upsert([sessionRow('a', { events: 4 }), last]);
    expect(store.size).toBe(1);
    expect(store.get('a')).toBe(last);
  });

  it('notifies subscribers once per batch and bumps the version; an empty batch changes nothing', () => {
    const store = new SessionStore();
    let calls = 0;
    store.subscribe(() => calls++);
    const v0 = store.getVersion();

    store.upsert([sessionRow('a'), sessionRow('b'), sessionRow('c')]);
    expect(calls).toBe(1);
    expect(store.getVersion()).toBe(v0 + 1);

    const before = store.all();
    store.upsert([]);
    expect(calls).toBe(1);
    expect(store.getVersion()).toBe(v0 + 1);
    expect(store.all()).toBe(before);
  });

  it('gives the same all() array until the next change, then a new one holding it', () => {
    const store = new SessionStore();
    store.upsert([sessionRow('a')]);
    const first = store.all();
    expect(store.all()).toBe(first);
    const b = sessionRow('b');
    store.upsert([b]);
    const second = store.all();
    expect(second).not.toBe(first);
    expect(second).toContain(b);
    expect(second).toHaveLength(2);
  });

  it('stops notifying a subscriber that unsubscribed, and keeps notifying the others', () => {
    const store = new SessionStore();
    let left = 0;
    let stayed = 0;
    const off = store.subscribe(() => left++);
    store.subscribe(() => stayed++);
    store.upsert([sessionRow('a')]);
    off();
    store.upsert([sessionRow('b')]);
    expect([left, stayed]).toEqual([1, 2]);
  });

  it('announces entering an alarming status, from nothing or from another status, in one call per batch', () => {
    const store = new SessionStore();
    const heard: StatusChange[][] = [];
    store.onStatusChange((changes) => heard.push(changes));

    // new sessions: one healthy, two alarming
    store.upsert([sessionRow('ok'), sessionRow('cut', { status: 'truncated' }), sessionRow('quiet', { status: 'stalled' })]);
    expect(heard).toEqual([
      [
        { sessionId: 'cut', from: null, to: 'truncated' },
        { sessionId: 'quiet', from: null, to: 'stalled' },
      ],
    ]);

    // streaming → errored, stalled → orphaned, stalled again is no change, a healthy end is not alarming
    store.upsert([sessionRow('ok', { status: 'errored' }), sessionRow('quiet', { status: 'orphaned' })]);
    store.upsert([sessionRow('quiet', { status: 'orphaned', events: 4 })]);
    store.upsert([sessionRow('fine', { status: 'completed' }), sessionRow('cut', { status: 'truncated', events: 7 })]);
    expect(heard.slice(1)).toEqual([
      [
        { sessionId: 'ok', from: 'streaming', to: 'errored' },
        { sessionId: 'quiet', from: 'stalled', to: 'orphaned' },
      ],
    ]);

    store.upsert([sessionRow('gone', { status: 'abandoned' })]);
    expect(heard[2]).toEqual([{ sessionId: 'gone', from: null, to: 'abandoned' }]);
  });

  it('does not announce leaving an alarming status', () => {
    const store = new SessionStore();
    const heard: StatusChange[][] = [];
    store.upsert([sessionRow('a', { status: 'stalled' })]);
    store.onStatusChange((changes) => heard.push(changes));
    store.upsert([sessionRow('a', { status: 'streaming' })]);
    store.upsert([sessionRow('a', { status: 'completed' })]);
    expect(heard).toEqual([]);
  });

  it('stops telling status changes after onStatusChange is undone', () => {
    const store = new SessionStore();
    const heard: StatusChange[][] = [];
    const off = store.onStatusChange((changes) => heard.push(changes));
    off();
    store.upsert([sessionRow('a', { status: 'errored' })]);
    expect(heard).toEqual([]);
  });
});
