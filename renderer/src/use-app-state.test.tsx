// @vitest-environment jsdom
/**
 * The app state hook over the typed API, on a stand-in for Electron's preload (Electron cannot
 * run here; see test-support/fake-preload): it attaches its push listeners before telling the
 * host it is ready, loads once (no session list: views subscribe to what they show), folds pushes in, keeps a pushed status over an older list answer,
 * says what failed, and detaches on unmount. Every answer and push is built by hand below.
 */
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppApi, ProfileInputSchema, redactProfile, type AppInfo, type ConnectionStatus, type MonitorSettings } from '../../shared/api';
import { deferred, FakePreload } from '../../test-support/fake-preload';
import { sessionRow } from '../../test-support/session-rows';
import { useAppState } from './use-app-state';

const INFO: AppInfo = { name: 'EchoScope', version: '1.2.3', transport: 'electron', demo: null };
const SETTINGS: MonitorSettings = { stallAfterMs: 5_000, orphanAfterMs: 60_000, reorderWindowMs: 250 };
const LOCAL = redactProfile(ProfileInputSchema.parse({ id: 'local', name: 'Local Reverb', kind: 'reverb', host: '127.0.0.1', port: 8080, key: 'k', auth: { mode: 'none' } }));
const status = (profileId: string, state: ConnectionStatus['state'], extra: Partial<ConnectionStatus> = {}): ConnectionStatus => ({
  profileId,
  state,
  channels: [],
  since: 1_000,
  ...extra,
});

/** A preload answering every start-up command. */
function answering(overrides: Record<string, unknown> = {}): FakePreload {
  const preload = new FakePreload()
    .answer('app.info', { ok: true, value: INFO })
    .answer('connections.list', { ok: true, value: [status('local', 'connected')] })
    .answer('monitor.settings', { ok: true, value: SETTINGS })
    .answer('profiles.list', { ok: true, value: [LOCAL] });
  for (const [command, answer] of Object.entries(overrides)) preload.answer(command, answer);
  return preload;
}

function mount(preload: FakePreload, wrapper?: (props: { children: ReactNode }) => ReactNode) {
  const api = createAppApi(preload);
  return renderHook(() => useAppState(api), wrapper ? { wrapper } : undefined);
}

/** Waits until the start-up's last answer (profiles) is in: everything before it has landed. */
async function loaded(result: { current: ReturnType<typeof useAppState> }): Promise<void> {
  await waitFor(() => expect(result.current.profiles).toHaveLength(1));
}

// vitest runs without globals here, so testing-library cannot unmount by itself
afterEach(cleanup);

describe('useAppState', () => {
  it('holds nothing before the host answers', () => {
    const never = deferred<unknown>().promise;
    const preload = new FakePreload();
    for (const command of ['app.info', 'connections.list', 'monitor.settings', 'profiles.list']) preload.answer(command, () => never);
    const { result } = mount(preload);
    expect(result.current).toMatchObject({ info: null, profiles: [], connections: {}, settings: null, connectionMessage: null, error: null });
    expect(result.current.sessions.size).toBe(0);
  });

  it('attaches every push listener before it says ready, then asks for the state', async () => {
    const preload = answering();
    const { result } = mount(preload);
    await loaded(result);
    const readyAt = preload.log.indexOf('ready');
    expect(new Set(preload.log.slice(0, readyAt))).toEqual(new Set(['on connections.status', 'on journal.health']));
    expect(preload.log.slice(readyAt + 1).every((entry) => entry.startsWith('invoke '))).toBe(true);
    // No session list and no subscription: the app's state holds what every view needs; a view subscribes to what it shows.
    expect(preload.invokes.map((i) => i.command).sort()).toEqual(['app.info', 'connections.list', 'monitor.settings', 'profiles.list']);
  });

  it('fills info, connections, sessions, settings and profiles from the answers', async () => {
    const preload = answering();
    const { result } = mount(preload);
    await loaded(result);
    expect(result.current.info).toEqual(INFO);
    expect(result.current.connections).toEqual({ local: status('local', 'connected') });
    expect(result.current.sessions.size).toBe(0);
    expect(result.current.settings).toEqual(SETTINGS);
    expect(result.current.profiles).toEqual([LOCAL]);
    expect(result.current.error).toBeNull();
  });

  it('folds pushed connection statuses in and announces a change of state with its error', async () => {
    const preload = answering();
    const { result } = mount(preload);
    await loaded(result);

    // a profile seen for the first time is no change worth announcing
    act(() => preload.push('connections.status', { items: [status('staging', 'connecting')] }));
    expect(result.current.connections).toEqual({ local: status('local', 'connected'), staging: status('staging', 'connecting') });
    expect(result.current.connectionMessage).toBeNull();

    const dropped = status('local', 'unavailable', { lastError: { code: 'connection_failed', message: 'ECONNREFUSED 127.0.0.1:8080' }, since: 2_000 });
    act(() => preload.push('connections.status', { items: [dropped] }));
    expect(result.current.connections.local).toEqual(dropped);
    expect(result.current.connectionMessage).toBe('Connection local unavailable: ECONNREFUSED 127.0.0.1:8080.');

    // the same state again (a channel changed) says nothing new; a change without an error says so plainly
    act(() => preload.push('connections.status', { items: [status('staging', 'connecting', { since: 3_000 })] }));
    expect(result.current.connectionMessage).toBe('Connection local unavailable: ECONNREFUSED 127.0.0.1:8080.');
    act(() => preload.push('connections.status', { items: [status('staging', 'connected')] }));
    expect(result.current.connectionMessage).toBe('Connection staging connected.');
  });

  it('listens to no session rows itself: a broadcast of rows is no push of the contract', async () => {
    const preload = answering();
    const { result } = mount(preload);
    await loaded(result);
    expect(preload.listenerCount('sessions.updated')).toBe(0);
    act(() => preload.push('sessions.updated', { items: [sessionRow('s2')], summary: { sessions: 1, byStatus: {} } }));
    expect(result.current.sessions.size).toBe(0);
  });

  it('keeps a status pushed while connections.list was on its way over the older one in the answer', async () => {
    const list = deferred<unknown>();
    const preload = answering({ 'connections.list': () => list.promise });
    const { result } = mount(preload);
    const pushed = status('local', 'unavailable', { since: 2_000 });
    await waitFor(() => expect(preload.listenerCount('connections.status')).toBe(1));
    act(() => preload.push('connections.status', { items: [pushed] }));
    await act(async () => list.resolve({ ok: true, value: [status('local', 'connected'), status('other', 'connected')] }));
    await loaded(result);
    expect(result.current.connections).toEqual({ local: pushed, other: status('other', 'connected') });
  });

  it('says why app.info failed: an error from the host, or an answer that breaks the contract', async () => {
    const refused = answering({ 'app.info': { ok: false, error: { code: 'internal', message: 'the service is closing' } } });
    const first = mount(refused);
    await loaded(first.result);
    expect(first.result.current.error).toBe('the service is closing');
    expect(first.result.current.info).toBeNull();

    const mistyped = answering({ 'app.info': { ok: true, value: { name: 'Other', version: 1 } } });
    const second = mount(mistyped);
    await loaded(second.result);
    expect(second.result.current.error).toBe('unexpected response shape for app.info');
  });

  it('says why sessions, connections or settings could not be loaded, instead of showing an empty app', async () => {
    const noSettings = answering({ 'monitor.settings': { ok: false, error: { code: 'internal', message: 'the monitor is not running' } } });
    const first = mount(noSettings);
    await loaded(first.result);
    expect(first.result.current.error).toBe('the monitor is not running');
    expect(first.result.current.info).toEqual(INFO);

    // what the browser bridge answers when the host does not: each message names its command
    const late = (command: string) => ({ ok: false, error: { code: 'timeout', message: `${command}: no answer from the EchoScope host within 60 s (is it still running?)` } });
    const silent = answering({ 'connections.list': late('connections.list'), 'monitor.settings': late('monitor.settings') });
    const second = mount(silent);
    await loaded(second.result);
    expect(second.result.current.error).toBe(
      'connections.list: no answer from the EchoScope host within 60 s (is it still running?); monitor.settings: no answer from the EchoScope host within 60 s (is it still running?)',
    );
    expect(second.result.current.settings).toBeNull();
  });

  it('says why the profiles could not be listed, and refreshProfiles asks again', async () => {
    let answer: unknown = { ok: false, error: { code: 'internal', message: 'profiles.json is not readable' } };
    const preload = answering({ 'profiles.list': () => answer });
    const { result } = mount(preload);
    await waitFor(() => expect(result.current.error).toBe('profiles.json is not readable'));
    expect(result.current.profiles).toEqual([]);

    answer = { ok: true, value: [LOCAL] };
    await act(() => result.current.refreshProfiles());
    expect(result.current.profiles).toEqual([LOCAL]);
    expect(preload.invokes.filter((i) => i.command === 'profiles.list')).toHaveLength(2);
  });

  it('keeps settings the views set', async () => {
    const preload = answering();
    const { result } = mount(preload);
    await loaded(result);
    const changed: MonitorSettings = { stallAfterMs: 900, orphanAfterMs: 30_000, reorderWindowMs: 0 };
    act(() => result.current.setSettings(changed));
    expect(result.current.settings).toEqual(changed);
  });

  it('detaches its listeners on unmount: later pushes reach nothing', async () => {
    const preload = answering();
    const { result, unmount } = mount(preload);
    await loaded(result);
    unmount();
    expect(preload.listenerCount('connections.status')).toBe(0);
    expect(preload.listenerCount('journal.health')).toBe(0);
    preload.push('connections.status', { items: [status('late', 'connected')] });
    expect(result.current.connections.late).toBeUndefined();
  });

  it('under StrictMode (mount, unmount, mount) ends with one listener per push', async () => {
    const preload = answering();
    const { result, unmount } = mount(preload, ({ children }) => <StrictMode>{children}</StrictMode>);
    await loaded(result);
    expect(preload.listenerCount('connections.status')).toBe(1);
    expect(preload.listenerCount('journal.health')).toBe(1);
    act(() => preload.push('connections.status', { items: [status('s2', 'connected')] }));
    expect(result.current.connections.s2).toEqual(status('s2', 'connected'));
    unmount();
    expect(preload.listenerCount('connections.status')).toBe(0);
    expect(preload.listenerCount('journal.health')).toBe(0);
  });
});
