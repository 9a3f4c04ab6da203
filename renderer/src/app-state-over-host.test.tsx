// @vitest-environment jsdom
/**
 * The app state of a browser tab, end to end: `useAppState(connectApi())` against the REAL
 * headless host (test-support/served-tab), with a view's subscription to the Live window beside it.
 * It loads from the host, follows its deltas, and when the bridge drops and comes back (same host,
 * same token) it says ready again and the view subscribes again (the host dropped the old socket's
 * subscriptions), so its new snapshot has every session — one that appeared while the tab was away included.
 */
import { cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppService } from '../../electron/core/app';
import { DEFAULT_QUERY } from '../../shared/api';
import { serializeJournal, type JournalRecord } from '../../shared/journal';
import { ServedTabs } from '../../test-support/served-tab';
import { connectApi } from './bridge';
import { useSubscription } from './data/use-subscription';
import { useAppState } from './use-app-state';

const LIVE = { offset: 0, limit: 50, query: DEFAULT_QUERY };

const T0 = 1_732_262_400_000;

/** A finished session of two tokens on connection c1, as an NDJSON journal file. */
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
    [{ type: 'subscription', at: T0, connection: 'c1', channel, status: 'subscribed' }, frame(1, 'generating'), frame(2, 'generating'), frame(3, 'completed')],
    '2024-11-22T08:00:00Z',
  );
}

describe('useAppState over the headless host', () => {
  const tabs = new ServedTabs();
  beforeEach(() => tabs.reset());
  afterEach(async () => {
    cleanup();
    vi.unstubAllGlobals();
    await tabs.close();
  });

  it('loads, follows deltas, and catches up after the bridge dropped and reconnected', async () => {
    const service = new AppService({ transport: 'browser', version: '9.9.9', monitor: { tickMs: 50 } });
    const host = await tabs.startHost(service);
    await tabs.open(host);
    // the tab's sockets, so the test can drop one as a network blip would
    const sockets: WebSocket[] = [];
    const PageWebSocket = globalThis.WebSocket;
    vi.stubGlobal(
      'WebSocket',
      class extends PageWebSocket {
        constructor(url: string | URL) {
          super(url);
          sockets.push(this);
        }
      },
    );
    const api = connectApi();
    const { result } = renderHook(() => ({ app: useAppState(api), live: useSubscription(api, 'live', LIVE) }));
    const row = (sessionId: string) => result.current.live.state?.rows.find((r) => r.sessionId === sessionId);

    await waitFor(() => expect(result.current.app.info).toEqual({ name: 'EchoScope', version: '9.9.9', transport: 'browser', demo: null }));
    await waitFor(() => expect(result.current.app.settings).not.toBeNull());
    expect(result.current.app.error).toBeNull();

    expect(await api.invoke('journal.import', { fileName: 'one.ndjson', content: journalOf('s1') })).toMatchObject({ ok: true });
    await waitFor(() => expect(row('s1')).toMatchObject({ status: 'completed', events: 3, maxSequence: 3 }), { timeout: 5000 });
    expect(service.subscriptionCount('live')).toBe(1);

    sockets[0]!.close();
    await waitFor(() => expect(sockets[0]!.readyState).toBe(WebSocket.CLOSED));
    // while the tab is away, the host sees another session (imported in-process: the tab cannot ask now)
    expect(await service.invoke('journal.import', { fileName: 'two.ndjson', content: journalOf('s2') })).toMatchObject({ ok: true });

    await waitFor(() => expect(sockets).toHaveLength(2), { timeout: 5000 });
    await waitFor(() => expect(row('s2')).toMatchObject({ status: 'completed', events: 3 }), { timeout: 5000 });
    expect(row('s1')).toMatchObject({ status: 'completed' });
    // the dropped socket's subscription went with it: one, the new socket's
    expect(service.subscriptionCount('live')).toBe(1);
    expect(tabs.reloads).toBe(0);
  });
});
