// @vitest-environment jsdom
/**
 * The renderer's App API client (`connectApi`): the preload's `window.echoscope` when Electron
 * set one, else a WebSocket to the headless host that served the page; either way the contract's
 * envelope comes back validated, failures come back as `{ok:false, error:{code, message}}`, and
 * every `on` undoes itself.
 *
 * Electron cannot run on this machine, so the preload is a stand-in (test-support/fake-preload).
 * The host transport is tested against the REAL headless host (electron/core/host): jsdom's page
 * is put at the host's URL with the head the host served (test-support/served-tab), so the
 * bridge's own WebSocket and fetch run as in a browser tab. The tab's bridge has no close: after
 * its test it keeps retrying against whatever page the tab shows next, so the preload tests come
 * first and reloads after a host restart are tested in a file of their own
 * (bridge-host-restart.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppService } from '../../electron/core/app';
import { DEFAULT_QUERY, type PushPayload, type SessionRow } from '../../shared/api';
import { serializeJournal, type JournalRecord } from '../../shared/journal';
import { deferred, FakePreload } from '../../test-support/fake-preload';
import { ServedTabs } from '../../test-support/served-tab';
import { connectApi } from './bridge';

const INFO = { name: 'EchoScope', version: '1.2.3', transport: 'electron', demo: null } as const;

afterEach(() => {
  delete window.echoscope;
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('connectApi in Electron (window.echoscope set by the preload)', () => {
  /** A page whose preload set `window.echoscope`; opening a socket or fetching would be a bug here. */
  function electronPage(preload: FakePreload) {
    window.echoscope = preload;
    const sockets: string[] = [];
    vi.stubGlobal(
      'WebSocket',
      class {
        constructor(url: string) {
          sockets.push(url);
        }
      },
    );
    const fetched = vi.spyOn(globalThis, 'fetch');
    return { api: connectApi(), sockets, fetched };
  }

  it('uses the preload for invoke and ready, and opens no socket', async () => {
    const preload = new FakePreload().answer('app.info', { ok: true, value: INFO });
    const { api, sockets, fetched } = electronPage(preload);
    expect(await api.invoke('app.info', {})).toEqual({ ok: true, value: INFO });
    api.ready();
    expect(preload.invokes).toEqual([{ command: 'app.info', request: {} }]);
    expect(preload.log).toEqual(['invoke app.info', 'ready']);
    expect(sockets).toEqual([]);
    expect(fetched).not.toHaveBeenCalled();
  });

  it('passes the request as given: the trust boundary in main validates it', async () => {
    const preload = new FakePreload().answer('sessions.get', { ok: false, error: { code: 'not_found', message: 'no session s9' } });
    const { api } = electronPage(preload);
    expect(await api.invoke('sessions.get', { sessionId: 's9', maxTextChars: 100 })).toEqual({ ok: false, error: { code: 'not_found', message: 'no session s9' } });
    expect(preload.invokes).toEqual([{ command: 'sessions.get', request: { sessionId: 's9', maxTextChars: 100 } }]);
  });

  it('turns a rejected IPC invoke into an internal error that keeps its message', async () => {
    // what ipcRenderer.invoke rejects with when main's handler threw: only the message crosses
    const preload = new FakePreload().answer('app.info', () => Promise.reject(new Error("Error invoking remote method 'echoscope:invoke': Error: window is closing")));
    const { api } = electronPage(preload);
    expect(await api.invoke('app.info', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: "transport failed: Error: Error invoking remote method 'echoscope:invoke': Error: window is closing" },
    });
  });

  it('refuses an answer that is no Result envelope, or whose error code the contract does not know', async () => {
    for (const answer of [undefined, 'garbage', { ok: 'yes', value: INFO }, { ok: false, error: { code: 'exploded', message: 'x' } }, { ok: false, error: 'x' }]) {
      const { api } = electronPage(new FakePreload().answer('app.info', answer));
      expect(await api.invoke('app.info', {}), JSON.stringify(answer)).toEqual({ ok: false, error: { code: 'internal', message: 'malformed response to app.info' } });
    }
  });

  it('refuses a value that does not match the command response schema', async () => {
    const { api } = electronPage(new FakePreload().answer('connections.list', { ok: true, value: [{ profileId: 'local', state: 'sleeping', channels: [], since: 1 }] }));
    expect(await api.invoke('connections.list', {})).toEqual({ ok: false, error: { code: 'internal', message: 'unexpected response shape for connections.list' } });
  });

  it('delivers valid pushes of the name listened to, drops ones that break the contract, and unsubscribes', () => {
    const preload = new FakePreload();
    const { api } = electronPage(preload);
    const seen: PushPayload<'connections.status'>[] = [];
    const off = api.on('connections.status', (payload) => seen.push(payload));
    expect(preload.listenerCount('connections.status')).toBe(1);

    const valid = { items: [{ profileId: 'local', state: 'connected', channels: [], since: 1 }] };
    preload.push('connections.status', valid);
    preload.push('connections.status', { items: [{ profileId: 'local', state: 'sleeping' }] });
    preload.push('journal.health', { state: 'ok', restarts: 0 });
    expect(seen).toEqual([valid]);

    off();
    expect(preload.listenerCount('connections.status')).toBe(0);
    preload.push('connections.status', valid);
    expect(seen).toEqual([valid]);
  });

  it('undoes only the listener whose unsubscribe was called', () => {
    const preload = new FakePreload();
    const { api } = electronPage(preload);
    const first: string[] = [];
    const second: string[] = [];
    const offFirst = api.on('connections.status', ({ items }) => first.push(...items.map((s) => s.state)));
    api.on('connections.status', ({ items }) => second.push(...items.map((s) => s.state)));
    offFirst();
    preload.push('connections.status', { items: [{ profileId: 'local', state: 'connected', channels: [], since: 1 }] });
    expect([first, second]).toEqual([[], ['connected']]);
    expect(preload.listenerCount('connections.status')).toBe(1);
  });
});

describe('connectApi in a browser tab served by the headless host', () => {
  const T0 = 1_732_262_400_000;
  const tabs = new ServedTabs();
  beforeEach(() => tabs.reset());
  afterEach(() => tabs.close());

  /** A finished session of three tokens on connection c1, as an NDJSON journal file. */
  function journalOf(sessionId: string): string {
    const channel = `private-ai.${sessionId}`;
    const frame = (sequence: number, state: string): JournalRecord => ({
      type: 'frame',
      at: T0 + 10 * sequence,
      connection: 'c1',
      channel,
      event: 'chunk.delivered',
      data: { session_id: sessionId, chunk: state === 'generating' ? `t${sequence} ` : '', sequence, state, termination_code: state === 'generating' ? null : 'end_turn' },
    });
    return serializeJournal(
      [
        { type: 'subscription', at: T0, connection: 'c1', channel, status: 'subscribed' },
        frame(1, 'generating'),
        frame(2, 'generating'),
        frame(3, 'generating'),
        frame(4, 'completed'),
      ],
      '2024-11-22T08:00:00Z',
    );
  }

  it('talks to the host that served the page', async () => {
    const host = await tabs.startHost();
    await tabs.open(host);
    const api = connectApi();
    expect(await api.invoke('app.info', {})).toEqual({ ok: true, value: { name: 'EchoScope', version: '9.9.9', transport: 'browser', demo: null } });
  });

  it('brings the host refusal of a bad request back as the contract error', async () => {
    const host = await tabs.startHost();
    await tabs.open(host);
    const api = connectApi();
    const bad = await api.invoke('channels.subscribe', { profileId: 'local', channel: 'has space' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('channel') } });
    const unknown = await api.invoke('no.such.command' as 'app.info', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
  });

  it('gets the deltas of its subscription once ready, and none after unsubscribing', async () => {
    const host = await tabs.startHost();
    await tabs.open(host);
    const api = connectApi();
    const first: SessionRow[] = [];
    const subscribed = await api.subscribe('live', { offset: 0, limit: 50, query: DEFAULT_QUERY });
    if (!subscribed.ok) throw new Error(subscribed.error.message);
    expect(subscribed.value.snapshot).toMatchObject({ total: 0, sessions: 0, rows: [] });
    subscribed.value.onDelta(({ rows }) => first.push(...rows));
    api.ready();

    expect(await api.invoke('journal.import', { fileName: 'one.ndjson', content: journalOf('s1') })).toMatchObject({
      ok: true,
      value: { format: 'ndjson', records: 5, sessions: ['s1'] },
    });
    await vi.waitFor(() => expect(first.some((row) => row.sessionId === 's1' && row.status === 'completed')).toBe(true), { timeout: 5000 });
    const s1 = first.filter((row) => row.sessionId === 's1').at(-1)!;
    expect(s1).toMatchObject({
      channel: 'private-ai.s1',
      status: 'completed',
      events: 4,
      maxSequence: 4,
      missing: 0,
      duplicates: 0,
      terminationCode: 'end_turn',
      connection: 'c1',
    });

    await subscribed.value.unsubscribe();
    const second: SessionRow[] = [];
    const again = await api.subscribe('live', { offset: 0, limit: 50, query: DEFAULT_QUERY });
    if (!again.ok) throw new Error(again.error.message);
    again.value.onDelta(({ rows }) => second.push(...rows));
    await api.invoke('journal.import', { fileName: 'two.ndjson', content: journalOf('s2') });
    await vi.waitFor(() => expect(second.some((row) => row.sessionId === 's2' && row.status === 'completed')).toBe(true), { timeout: 5000 });
    expect(first.some((row) => row.sessionId === 's2')).toBe(false);
  });

  it('answers an invoke in flight with connection_failed when the host closes the bridge', async () => {
    const service = new AppService({ transport: 'browser', version: '9.9.9' });
    const received = deferred<void>();
    const handle = service.handle.bind(service);
    // this host never answers journal.stats: the invoke is in flight when the host goes away
    service.handle = (command, request) => (command === 'journal.stats' ? (received.resolve(), new Promise(() => undefined)) : handle(command, request));
    const host = await tabs.startHost(service);
    await tabs.open(host);
    const api = connectApi();
    const answer = api.invoke('journal.stats', {});
    await received.promise;
    await host.close();
    expect(await answer).toEqual({ ok: false, error: { code: 'connection_failed', message: 'the EchoScope host closed the bridge' } });
  });
});
