// @vitest-environment jsdom
/**
 * A browser tab whose host restarted: its token is refused (403), the host now serves another, so
 * the tab reloads itself for the new one — but never twice within MIN_RELOAD_INTERVAL_MS, which it
 * remembers across reloads in sessionStorage. Against the REAL headless host, with the tab's own
 * fetch, sessionStorage and `location.reload()` (test-support/served-tab counts reloads).
 *
 * A tab's bridge has no close, and it fetches whatever page the tab shows now: every test here
 * ends with its bridge reloaded (which stops it), so no test sees another one's bridge.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferred } from '../../test-support/fake-preload';
import { ServedTabs } from '../../test-support/served-tab';
import { connectApi } from './bridge';
import { MIN_RELOAD_INTERVAL_MS } from './host-bridge';

const RELOAD_KEY = 'echoscope:last-self-reload';
/** What a tab from the previous run of the host carries. */
const STALE_TOKEN = `<meta name="echoscope-bridge-token" content="${'0'.repeat(48)}">`;

describe('connectApi when the host that served the tab restarted', () => {
  const tabs = new ServedTabs();
  beforeEach(() => tabs.reset());
  afterEach(() => {
    vi.restoreAllMocks();
    return tabs.close();
  });

  it('reloads once, and marks when in sessionStorage', async () => {
    const host = await tabs.startHost();
    await tabs.open(host, STALE_TOKEN);
    const before = Date.now();
    connectApi();
    await vi.waitFor(() => expect(tabs.reloads).toBe(1), { timeout: 5000 });
    const markedAt = Number(window.sessionStorage.getItem(RELOAD_KEY));
    expect(markedAt).toBeGreaterThanOrEqual(before);
    expect(markedAt).toBeLessThanOrEqual(Date.now());
  });

  it('reloads a page that carries no token at all', async () => {
    const host = await tabs.startHost();
    await tabs.open(host, '<title>EchoScope</title>');
    connectApi();
    await vi.waitFor(() => expect(tabs.reloads).toBe(1), { timeout: 5000 });
    expect(window.sessionStorage.getItem(RELOAD_KEY)).not.toBeNull();
  });

  it('treats an unreadable mark as never reloaded', async () => {
    const host = await tabs.startHost();
    await tabs.open(host, STALE_TOKEN);
    window.sessionStorage.setItem(RELOAD_KEY, 'not a time');
    connectApi();
    await vi.waitFor(() => expect(tabs.reloads).toBe(1), { timeout: 5000 });
    expect(Number(window.sessionStorage.getItem(RELOAD_KEY))).toBeGreaterThan(0);
  });

  it('does not reload within the interval after its last reload, and does once it passed', async () => {
    const host = await tabs.startHost();
    await tabs.open(host, STALE_TOKEN);
    window.sessionStorage.setItem(RELOAD_KEY, String(Date.now() - 1000));
    // the tab's page fetches wait for the test, so each retry's decision is made when the test says
    const realFetch = globalThis.fetch;
    const held: (() => void)[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const gate = deferred<void>();
      held.push(gate.resolve);
      await gate.promise;
      return realFetch(input, init);
    });
    connectApi();

    // the first retry fetches the page and sees the new token; having just reloaded, it stays and retries again
    await vi.waitFor(() => expect(held).toHaveLength(1), { timeout: 5000 });
    held[0]!();
    await vi.waitFor(() => expect(held).toHaveLength(2), { timeout: 5000 });
    expect(tabs.reloads).toBe(0);

    // by the second retry's answer the last reload is longer ago than the interval: it reloads
    const longAgo = Date.now() - MIN_RELOAD_INTERVAL_MS - 1000;
    window.sessionStorage.setItem(RELOAD_KEY, String(longAgo));
    held[1]!();
    await vi.waitFor(() => expect(tabs.reloads).toBe(1), { timeout: 5000 });
    expect(Number(window.sessionStorage.getItem(RELOAD_KEY))).toBeGreaterThanOrEqual(longAgo + MIN_RELOAD_INTERVAL_MS);
    expect(held).toHaveLength(2);
  });
});
