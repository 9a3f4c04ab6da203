/**
 * Discovery that does not distort, on servers we did not write: soketi (Pusher protocol) and
 * laravel-echo-server + Redis (Socket.IO 2). A frontend (real pusher-js / laravel-echo +
 * socket.io-client@2) subscribes; EchoScope discovers the channel through the server's channel
 * API, watches the session, and leaves once it ended (terminal + grace) or once nobody else is on
 * the channel — asserted with the server's own channel info. Skipped with a printed reason where
 * a peer is not installed (scripts/peers/install-*.sh).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Echo from 'laravel-echo';
import Pusher from 'pusher';
import PusherClient from 'pusher-js';
import io from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileInput } from '../../../shared/api';
import type { JournalRecord, SubscriptionRecord } from '../../../shared/journal';
import { signChannel } from '../../mock';
import { laravelEchoServerUnavailableReason, startLaravelEchoServer } from '../../../test-support/peers/laravel-echo-server';
import { soketiUnavailableReason, startSoketi } from '../../../test-support/peers/soketi';
import { AppService } from '../app';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** An App service watching `profile`, with a wait that re-checks on every record and status. */
async function watching(profile: ProfileInput) {
  const service = new AppService({ transport: 'browser', version: 't', monitor: { tickMs: 100 } });
  cleanups.push(() => service.close());
  const records: JournalRecord[] = [];
  const wakers = new Set<() => void>();
  const wake = () => wakers.forEach((w) => w());
  service.onRecords((record) => (records.push(record), wake()));
  const target = service.addPushTarget(() => wake(), { intervalMs: 20 });
  target.ready();
  await service.invoke('profiles.save', profile);
  await service.invoke('connections.connect', { profileId: profile.id });
  const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      // The next record or status push, or a bound (server-side counts change without telling us).
      await new Promise<void>((resolve) => {
        const done = () => (wakers.delete(done), clearTimeout(timer), resolve());
        const timer = setTimeout(done, Math.min(left, 250));
        wakers.add(done);
      });
    }
  };
  const subscriptions = (channel: string) => records.filter((r): r is SubscriptionRecord => r.type === 'subscription' && r.channel === channel);
  return { service, records, until, subscriptions };
}

const chunk = (id: string, sequence: number, text: string, state = 'generating', code: string | null = null) => ({
  session_id: id,
  chunk: text,
  sequence,
  state,
  termination_code: code,
});

describe('discovery follows channels and lets them go', () => {
  const soketiReason = soketiUnavailableReason();
  if (soketiReason) console.log(`[peers] soketi discovery tests skipped: ${soketiReason}`);
  it.skipIf(soketiReason !== null)(
    "soketi: finds the frontend's channel, leaves after the session ended and when the frontend left",
    async () => {
      const soketi = await startSoketi();
      cleanups.push(() => soketi.close());
      const { app } = soketi;
      const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: soketi.host, port: String(soketi.port), useTLS: false });
      const info = async (channel: string) =>
        (await (await sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } })).json()) as { occupied: boolean; subscription_count: number };

      // The user's frontend, as a browser runs it.
      const frontend = new PusherClient(app.key, {
        cluster: 'mt1',
        wsHost: soketi.host,
        wsPort: soketi.port,
        forceTLS: false,
        enabledTransports: ['ws'],
        channelAuthorization: { customHandler: ({ socketId, channelName }, cb) => cb(null, { auth: signChannel(app.key, app.secret, socketId, channelName) }) },
      });
      cleanups.push(() => frontend.disconnect());
      frontend.subscribe('private-ai.sk1');
      frontend.subscribe('private-ai.sk2');

      const w = await watching({
        id: 'sk',
        name: 'soketi',
        kind: 'reverb',
        host: soketi.host,
        port: soketi.port,
        key: app.key,
        appId: app.id,
        auth: { mode: 'secret', secret: app.secret },
        discover: { prefix: 'private-ai.', intervalMs: 250, graceMs: 300 },
      });
      await w.until(() => ['private-ai.sk1', 'private-ai.sk2'].every((c) => w.subscriptions(c).some((r) => r.status === 'subscribed')), 'EchoScope to discover both channels');
      expect((await info('private-ai.sk1')).subscription_count).toBe(2);

      // The job streams and ends; the frontend stays on the channel.
      await sdk.trigger('private-ai.sk1', 'chunk.delivered', chunk('sk1', 1, 'Hel'));
      await sdk.trigger('private-ai.sk1', 'chunk.delivered', chunk('sk1', 2, 'lo'));
      await sdk.trigger('private-ai.sk1', 'chunk.delivered', chunk('sk1', 3, '', 'completed', 'end_turn'));
      await w.until(() => w.subscriptions('private-ai.sk1').some((r) => r.status === 'unsubscribed'), "EchoScope to leave the ended session's channel");
      expect(w.subscriptions('private-ai.sk1').at(-1)).toMatchObject({ status: 'unsubscribed', reason: 'session ended' });
      // soketi's own count: only the frontend is left.
      await w.until(async () => (await info('private-ai.sk1')).subscription_count === 1, 'soketi to count only the frontend');
      // The journal kept the whole session.
      const detail = await w.service.invoke('sessions.get', { sessionId: 'sk1' });
      expect(detail.ok && detail.value.row).toMatchObject({ status: 'completed', events: 3, missing: 0 });

      // The channel is still listed (the frontend is on it): later polls do not take it again.
      const polled = w.service.hub.status('sk')!.discovery!.lastPollAt!;
      await w.until(() => (w.service.hub.status('sk')!.discovery!.lastPollAt ?? 0) > polled + 500, 'two more polls');
      expect(w.subscriptions('private-ai.sk1').filter((r) => r.status === 'subscribed')).toHaveLength(1);
      expect(w.service.hub.status('sk')!.discovery).toMatchObject({ released: 1 });

      // The frontend leaves sk2 before any session: nobody but EchoScope is there, so EchoScope leaves too.
      frontend.unsubscribe('private-ai.sk2');
      await w.until(() => w.subscriptions('private-ai.sk2').some((r) => r.status === 'unsubscribed'), 'EchoScope to leave the vacated channel');
      expect(w.subscriptions('private-ai.sk2').at(-1)).toMatchObject({ reason: 'vacated by everyone else' });
      await w.until(async () => !(await info('private-ai.sk2')).occupied, 'soketi to see sk2 vacated');
    },
    60_000,
  );

  const lesReason = laravelEchoServerUnavailableReason();
  if (lesReason) console.log(`[peers] laravel-echo-server discovery tests skipped: ${lesReason}`);
  it.skipIf(lesReason !== null)(
    'laravel-echo-server + Redis: discovers with its API key, leaves after the session ended',
    async () => {
      // The user's Laravel app: authorizes every private channel.
      const laravel: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"channel_data":null}'));
      await new Promise<void>((resolve) => laravel.listen(0, '127.0.0.1', () => resolve()));
      cleanups.push(() => new Promise<void>((resolve) => laravel.close(() => resolve())));
      const clients = [{ appId: 'es-app', key: 'es-api-key' }];
      const les = await startLaravelEchoServer({ authHost: `http://127.0.0.1:${(laravel.address() as AddressInfo).port}`, clients });
      cleanups.push(() => les.close());
      const info = async (channel: string) =>
        (await (await fetch(`http://${les.host}:${les.port}/apps/es-app/channels/${channel}?auth_key=es-api-key`)).json()) as { occupied: boolean; subscription_count: number };

      // The frontend: laravel-echo with socket.io-client@2, as a Laravel app's bootstrap.js sets it up.
      const frontend = new Echo({ broadcaster: 'socket.io', host: `http://${les.host}:${les.port}`, client: io, transports: ['websocket'] });
      cleanups.push(() => frontend.disconnect());
      frontend.private('ai.le1');
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 10_000;
        const check = async () =>
          (await info('private-ai.le1')).subscription_count >= 1
            ? resolve()
            : Date.now() > deadline
              ? reject(new Error('the frontend never joined'))
              : setTimeout(() => void check(), 50);
        void check();
      });

      const w = await watching({
        id: 'les',
        name: 'les',
        kind: 'socketio',
        host: les.host,
        port: les.port,
        key: 'unused',
        appId: 'es-app',
        auth: { mode: 'endpoint', url: 'http://127.0.0.1/broadcasting/auth', headers: {} },
        discover: { prefix: 'private-ai.', intervalMs: 250, graceMs: 300, apiKey: 'es-api-key' },
      });
      await w.until(async () => (await info('private-ai.le1')).subscription_count === 2, 'EchoScope to discover and join private-ai.le1');
      expect(w.service.hub.status('les')!.discovery).toMatchObject({ channels: 1 });
      expect(w.service.hub.status('les')!.discovery!.error).toBeUndefined();

      await les.broadcast('private-ai.le1', 'chunk.delivered', chunk('le1', 1, 'Hel'));
      await les.broadcast('private-ai.le1', 'chunk.delivered', chunk('le1', 2, 'lo'));
      await les.broadcast('private-ai.le1', 'chunk.delivered', chunk('le1', 3, '', 'completed', 'end_turn'));
      await w.until(() => w.subscriptions('private-ai.le1').some((r) => r.status === 'unsubscribed'), 'EchoScope to leave after the session ended');
      expect(w.subscriptions('private-ai.le1').at(-1)).toMatchObject({ reason: 'session ended' });
      await w.until(async () => (await info('private-ai.le1')).subscription_count === 1, 'laravel-echo-server to count only the frontend');
      const detail = await w.service.invoke('sessions.get', { sessionId: 'le1' });
      expect(detail.ok && detail.value.row).toMatchObject({ status: 'completed', events: 3, missing: 0 });
    },
    60_000,
  );
});
