// @vitest-environment jsdom
/**
 * The whole window on a stand-in for Electron's preload (Electron cannot run here; see
 * test-support/fake-preload): the header says the version and transport, the Live view counts
 * the sessions of its subscription (snapshot, then deltas), and a start-up command that failed is said in the alert banner.
 * jsdom has neither ResizeObserver nor matchMedia: minimal stand-ins that never fire are given.
 */
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAppApi, type AppInfo, type SessionRow, type TopicState } from '../../shared/api';
import { FakePreload } from '../../test-support/fake-preload';
import { sessionRow } from '../../test-support/session-rows';
import { App } from './App';

const INFO: AppInfo = { name: 'EchoScope', version: '1.2.3', transport: 'electron', demo: null };

/** The Live table's window as the host would answer it: every row, counted. */
function liveWindow(rows: SessionRow[]): TopicState<'live'> {
  const counts = { streaming: 0, stalled: 0, orphaned: 0, completed: 0, truncated: 0, errored: 0, abandoned: 0 };
  for (const row of rows) counts[row.status]++;
  return { total: rows.length, sessions: rows.length, counts, offset: 0, rows };
}

/** One session's detail as `sessions.get` would answer it. */
const DETAIL = {
  row: sessionRow('s1', { events: 3, maxSequence: 3, uniqueSequences: 3 }),
  vantage: 'c1',
  observations: [{ ...sessionRow('s1', { events: 3, maxSequence: 3, uniqueSequences: 3 }), vantage: 'c1' }],
  comparison: null,
  gaps: [],
  text: 'a b c ',
  naiveText: 'a b c ',
  anomalies: [],
  reconcile: null,
};

/** Answers a `live` subscription with this window (another topic: an empty tail). */
const subscribing = (window: TopicState<'live'> | { error: string }) => (request: unknown) => {
  const { id, topic } = request as { id: string; topic: string };
  if (topic === 'fleet') return { ok: true, value: { id, snapshot: { bucketMs: 10_000, buckets: [], summary: { sessions: 0, byStatus: {} }, lossByVantage: [] } } };
  if (topic === 'session') return { ok: true, value: { id, snapshot: DETAIL } };
  if (topic !== 'live') return { ok: true, value: { id, snapshot: { items: [], dropped: 0 } } };
  return 'error' in window ? { ok: false, error: { code: 'timeout', message: window.error } } : { ok: true, value: { id, snapshot: window } };
};

function preload(overrides: Record<string, unknown> = {}): FakePreload {
  const fake = new FakePreload()
    .answer('app.info', { ok: true, value: INFO })
    .answer('connections.list', { ok: true, value: [] })
    .answer('subscriptions.subscribe', subscribing(liveWindow([sessionRow('s1'), sessionRow('s2', { status: 'completed' })])))
    .answer('subscriptions.unsubscribe', { ok: true, value: { unsubscribed: true } })
    .answer('channels.unrecognised', { ok: true, value: { items: [] } })
    .answer('monitor.settings', { ok: true, value: { stallAfterMs: 5_000, orphanAfterMs: 60_000, reorderWindowMs: 250 } })
    .answer('profiles.list', { ok: true, value: [] });
  for (const [command, answer] of Object.entries(overrides)) fake.answer(command, answer);
  return fake;
}

beforeEach(() => {
  window.location.hash = '#/live';
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe(): void {}
      unobserve(): void {}
      disconnect(): void {}
    },
  );
  vi.stubGlobal('matchMedia', (query: string) => ({ matches: false, media: query, addEventListener: () => undefined, removeEventListener: () => undefined }));
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('App', () => {
  it('says the version and transport, and counts the sessions of its Live subscription, snapshot then deltas', async () => {
    const fake = preload();
    render(<App api={createAppApi(fake)} />);
    expect(await screen.findByText('v1.2.3 · electron')).toBeTruthy();
    await vi.waitFor(() => expect(screen.getByTestId('session-count').textContent).toBe('2 sessions'));
    expect(screen.queryByRole('alert')).toBeNull();

    const live = fake.invokes.find((i) => i.command === 'subscriptions.subscribe' && (i.request as { topic: string }).topic === 'live');
    const { id } = live?.request as { id: string };
    const next = liveWindow([sessionRow('s3', { status: 'errored' }), sessionRow('s1'), sessionRow('s2', { status: 'completed' })]);
    act(() => fake.push('subscriptions.deltas', { items: [{ id, delta: { total: 3, sessions: 3, counts: next.counts, ids: ['s3', 's1', 's2'], rows: [next.rows[0]] } }] }));
    expect(screen.getByTestId('session-count').textContent).toBe('3 sessions');
    expect(screen.getAllByTestId('session-row').map((row) => row.getAttribute('data-session'))).toEqual(['s3', 's1', 's2']);
  });

  it('subscribes to the Live window while Live shows and unsubscribes when another view replaces it: Fleet asks for no rows', async () => {
    const fake = preload({ 'mock.counters': { ok: true, value: null } });
    render(<App api={createAppApi(fake)} />);
    const subscribes = () => fake.invokes.filter((i) => i.command === 'subscriptions.subscribe').map((i) => i.request as { id: string; topic: string });
    await vi.waitFor(() => expect(subscribes().map((s) => s.topic)).toEqual(['live']));
    const live = subscribes()[0]!;
    act(() => {
      window.location.hash = '#/fleet';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    await vi.waitFor(() => expect(fake.invokes).toContainEqual({ command: 'subscriptions.unsubscribe', request: { id: live.id } }));
    await vi.waitFor(() =>
      expect(
        subscribes()
          .map((s) => s.topic)
          .sort(),
      ).toEqual(['fleet', 'live', 'tail']),
    );
  });

  it('the session detail applies its deltas to what it shows, and never fetches the detail again', async () => {
    window.location.hash = '#/session/s1';
    const fake = preload({ 'sessions.timeline': { ok: false, error: { code: 'not_found', message: 'no frames' } } });
    render(<App api={createAppApi(fake)} />);
    const events = async () => within((await screen.findByText('Events')).parentElement!).getByRole('definition').textContent;
    expect(await events()).toBe('3');
    const { id } = fake.invokes.find((i) => i.command === 'subscriptions.subscribe')!.request as { id: string };
    const row = sessionRow('s1', { events: 5, maxSequence: 5, uniqueSequences: 5, duplicates: 1 });
    act(() =>
      fake.push('subscriptions.deltas', { items: [{ id, delta: { kind: 'patch', set: { row, observations: [{ ...row, vantage: 'c1' }] }, text: { at: 6, text: 'd e ' } } }] }),
    );
    expect(await events()).toBe('5');
    expect(fake.invokes.filter((i) => i.command === 'sessions.get')).toEqual([]);
  });

  it('the header shows every connection’s state, not one: a second server down shows beside the one connected', async () => {
    const status = (profileId: string, state: string) => ({ profileId, state, channels: [], since: 0 });
    render(
      <App
        api={createAppApi(
          preload({
            'connections.list': {
              ok: true,
              value: [status('staging', 'connected'), status('prod', 'unavailable'), ...['a', 'b', 'c', 'd'].map((id) => status(`x-${id}`, 'connected'))],
            },
          }),
        )}
      />,
    );
    await screen.findByTestId('more-connections');
    const badges = screen.getAllByTestId('connection-status').map((badge) => [badge.getAttribute('title'), badge.getAttribute('data-state')]);
    // the first four by name, then how many more
    expect(badges).toEqual([
      ['prod: unavailable', 'unavailable'],
      ['staging: connected', 'connected'],
      ['x-a: connected', 'connected'],
      ['x-b: connected', 'connected'],
    ]);
    expect(screen.getByTestId('more-connections').textContent).toBe('+2 more');
  });

  it('with no session at all (no demo), Live says where sessions come from and points to Connections', async () => {
    render(<App api={createAppApi(preload({ 'subscriptions.subscribe': subscribing(liveWindow([])) }))} />);
    const empty = await screen.findByTestId('live-empty');
    expect(empty.textContent).toContain('No sessions yet.');
    expect(within(empty).getByRole('link', { name: 'Connections' }).getAttribute('href')).toBe('#/connections');
  });

  it('says when the journal stopped and is being started again, and once it is back', async () => {
    const fake = preload();
    render(<App api={createAppApi(fake)} />);
    await screen.findByTestId('session-count');
    expect(screen.queryByTestId('journal-health')).toBeNull();
    act(() => fake.push('journal.health', { state: 'restarting', restarts: 0, message: 'journal thread ended (exit code 1)' }));
    expect(within(screen.getByTestId('journal-health')).getByRole('alert').textContent).toContain('The journal stopped (journal thread ended (exit code 1))');
    act(() => fake.push('journal.health', { state: 'ok', restarts: 1, message: null }));
    expect(within(screen.getByTestId('journal-health')).getByRole('status').textContent).toContain('started again after it stopped (once)');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says why the Live sessions could not be had', async () => {
    const message = 'subscriptions.subscribe: no answer from the EchoScope host within 60 s (is it still running?)';
    render(<App api={createAppApi(preload({ 'subscriptions.subscribe': subscribing({ error: message }) }))} />);
    expect((await screen.findByRole('alert')).textContent).toBe(message);
    expect(screen.getByTestId('session-count').textContent).toBe('0 sessions');
  });
});
