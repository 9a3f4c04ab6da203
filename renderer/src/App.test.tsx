// @vitest-environment jsdom
/**
 * The whole window on a stand-in for Electron's preload (Electron cannot run here; see
 * test-support/fake-preload): the header says the version and transport, the Live view counts
 * the sessions listed and pushed, and a start-up command that failed is said in the alert banner.
 * jsdom has neither ResizeObserver nor matchMedia: minimal stand-ins that never fire are given.
 */
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAppApi, type AppInfo } from '../../shared/api';
import { FakePreload } from '../../test-support/fake-preload';
import { sessionRow } from '../../test-support/session-rows';
import { App } from './App';

const INFO: AppInfo = { name: 'EchoScope', version: '1.2.3', transport: 'electron', demo: null };

function preload(overrides: Record<string, unknown> = {}): FakePreload {
  const fake = new FakePreload()
    .answer('app.info', { ok: true, value: INFO })
    .answer('connections.list', { ok: true, value: [] })
    .answer('sessions.list', { ok: true, value: { total: 2, rows: [sessionRow('s1'), sessionRow('s2', { status: 'completed' })] } })
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
  it('says the version and transport, and counts the sessions listed and pushed', async () => {
    const fake = preload();
    render(<App api={createAppApi(fake)} />);
    expect(await screen.findByText('v1.2.3 · electron')).toBeTruthy();
    expect((await screen.findByTestId('session-count')).textContent).toBe('2 sessions');
    expect(screen.queryByRole('alert')).toBeNull();

    act(() => fake.push('sessions.updated', { items: [sessionRow('s3', { status: 'errored' })], summary: { sessions: 3, byStatus: {} } }));
    expect(screen.getByTestId('session-count').textContent).toBe('3 sessions');
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
    render(<App api={createAppApi(preload({ 'sessions.list': { ok: true, value: { total: 0, rows: [] } } }))} />);
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

  it('says in the alert banner why the sessions could not be loaded', async () => {
    render(
      <App
        api={createAppApi(
          preload({ 'sessions.list': { ok: false, error: { code: 'timeout', message: 'sessions.list: no answer from the EchoScope host within 60 s (is it still running?)' } } }),
        )}
      />,
    );
    expect((await screen.findByRole('alert')).textContent).toBe('sessions.list: no answer from the EchoScope host within 60 s (is it still running?)');
    expect(screen.getByTestId('session-count').textContent).toBe('0 sessions');
    // said until dismissed
    act(() => screen.getByRole('button', { name: 'Dismiss' }).click());
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
