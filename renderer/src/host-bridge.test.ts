/**
 * The page's transport to the headless host, against the real host: it reloads itself when the
 * host restarted (its token refused), never faster than MIN_RELOAD_INTERVAL_MS, and every invoke
 * answers by its deadline. Time is virtual; the sockets and the host are real.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { AppService } from '../../electron/core/app';
import { startHeadlessHost, type HeadlessHost } from '../../electron/core/host';
import { eventually } from '../../test-support/raw-pusher-client';
import { pageToken } from '../../test-support/bridge-client';
import { VirtualClock } from '../../test-support/virtual-clock';
import { hostBridge, MIN_RELOAD_INTERVAL_MS, type BridgeSocket, type HostBridgeEnvironment } from './host-bridge';

const rendererDir = mkdtempSync(join(tmpdir(), 'echoscope-page-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');

const hosts: HeadlessHost[] = [];
const services: AppService[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await Promise.all(hosts.splice(0).map((h) => h.close()));
  for (const service of services.splice(0)) service.close();
});

async function startHost(port = 0): Promise<HeadlessHost> {
  const service = new AppService({ transport: 'browser', version: '9.9.9' });
  services.push(service);
  const host = await startHeadlessHost({ service, rendererDir, port });
  hosts.push(host);
  return host;
}

interface Page {
  env: HostBridgeEnvironment;
  reloads: number[];
  timers: VirtualClock;
}

function page(pageUrl: string, token: string, lastReload: number | null = null, invokeTimeoutMs?: number): Page {
  const timers = new VirtualClock();
  const reloads: number[] = [];
  let last = lastReload;
  const sockets: WebSocket[] = [];
  closers.push(() => sockets.forEach((s) => s.terminate()));
  const env: HostBridgeEnvironment = {
    pageUrl,
    token,
    openSocket: (url) => {
      const socket = new WebSocket(url, { headers: { origin: new URL(pageUrl).origin } });
      socket.on('error', () => undefined);
      sockets.push(socket);
      return socket as unknown as BridgeSocket;
    },
    fetchPageToken: async () => {
      try {
        const found = await pageToken(pageUrl);
        return found.status === 200 && found.token !== '' ? found.token : null;
      } catch {
        return null;
      }
    },
    reload: () => reloads.push(timers.now()),
    lastReloadAt: () => last,
    markReload: (at) => (last = at),
    now: timers.now,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
    ...(invokeTimeoutMs === undefined ? {} : { invokeTimeoutMs }),
  };
  return { env, reloads, timers };
}

describe('the page bridge to the headless host', () => {
  it('reloads the page once the host restarted with a new token', async () => {
    const first = await startHost();
    const { env, reloads, timers } = page(first.url, (await pageToken(first.url)).token);
    const bridge = hostBridge(env);
    expect(await bridge.invoke('app.info', {})).toMatchObject({ ok: true });

    await first.close();
    hosts.splice(hosts.indexOf(first), 1);
    await eventually(() => timers.pending === 1, 5000, 'the bridge to notice the close and plan a retry');
    const second = await startHost(first.port); // a new run: a new token
    timers.advance(500);
    await eventually(() => reloads.length === 1, 5000, 'the page to reload');
    expect(second.port).toBe(first.port);
  });

  it('never reloads twice within MIN_RELOAD_INTERVAL_MS, however often its token is refused', async () => {
    const host = await startHost();
    const stale = '0'.repeat(48); // what a page from the previous run carries: refused with 403
    const timers0 = new VirtualClock();
    const { env, reloads, timers } = page(host.url, stale, timers0.now());
    hostBridge(env);
    // It just reloaded (lastReloadAt = now): every retry sees the new token but must not reload yet.
    await eventually(() => timers.pending === 1, 5000, 'a retry after the refused upgrade');
    let advanced = 0;
    while (advanced < MIN_RELOAD_INTERVAL_MS - 1000) {
      timers.advance(500);
      advanced += 500;
      await eventually(() => timers.pending === 1 || reloads.length > 0, 5000, 'the next retry to be planned');
      expect(reloads).toEqual([]);
    }
    timers.advance(MIN_RELOAD_INTERVAL_MS);
    await eventually(() => reloads.length === 1, 5000, 'the reload once the interval passed');
    expect(reloads[0]! - timers0.now()).toBeGreaterThanOrEqual(MIN_RELOAD_INTERVAL_MS);
  });

  it('answers every invoke by its deadline with a timeout error, connected or not', async () => {
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1' }); // accepts and never answers
    closers.push(() => silent.close());
    await new Promise<void>((resolve) => silent.once('listening', () => resolve()));
    const port = (silent.address() as { port: number }).port;
    const connected = new Promise<void>((resolve) => silent.once('connection', () => resolve()));
    const { env, timers } = page(`http://127.0.0.1:${port}/`, 'a'.repeat(48), null, 30_000);
    const bridge = hostBridge(env);
    await connected;
    const answer = bridge.invoke('app.info', {});
    timers.advance(30_000);
    expect(await answer).toEqual({ ok: false, error: { code: 'timeout', message: expect.stringMatching(/^app\.info: no answer from the EchoScope host within 30 s/) } });

    const nowhere = page('http://127.0.0.1:9/', 'a'.repeat(48), null, 5_000); // nothing listens: never opens
    const lost = hostBridge(nowhere.env).invoke('journal.stats', {});
    nowhere.timers.advance(5_000);
    expect(await lost).toMatchObject({ ok: false, error: { code: 'timeout' } });
  });
});
