/**
 * The protocol conformance suite: one set of checks, run against the mock provider and, when it
 * is installed (.peers/soketi, scripts/peers/install-soketi.sh), against soketi. Where the two
 * intentionally differ the peer's `strict` flag says which side of the difference is checked;
 * docs/mock-provider.md lists those differences.
 */
import PusherSdk from 'pusher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from './index';
import { soketiUnavailableReason, startSoketi } from '../../test-support/peers/soketi';
import type { MockApp } from './config';
import { md5Hex, signChannel, signHttpRequest } from './signature';
import { RawPusherClient } from '../../test-support/raw-pusher-client';

interface PeerUnderTest {
  name: string;
  host: string;
  port: number;
  app: MockApp;
  /** Our server: exact error frames and HTTP statuses. soketi: answers checked more loosely (see docs). */
  strict: boolean;
  close(): Promise<void>;
}

type PeerFactory = () => Promise<PeerUnderTest>;

/** What each peer answered to a stale timestamp (soketi does not check it; printed for the doc). */
const staleTimestampOutcome = new Map<string, string>();

const refusalOutcome: string[] = [];
afterAll(() => {
  if (process.env.ECHOSCOPE_CONFORMANCE_REPORT)
    console.log(
      [...staleTimestampOutcome]
        .map(([k, v]) => `stale timestamp, ${k}: ${v}`)
        .concat(refusalOutcome)
        .join('\n'),
    );
});

const APP: MockApp = { id: 'conformance', key: 'conformance-key', secret: 'conformance-secret' };

const ours: PeerFactory = async () => {
  const server = await startMockServer({ apps: [APP], limits: { clientEventRate: 10 } });
  return { name: 'echoscope mock', host: server.host, port: server.port, app: APP, strict: true, close: () => server.close() };
};

const soketi: PeerFactory = async () => {
  const peer = await startSoketi({ app: APP, clientEventRate: 10 });
  return { name: 'soketi', host: peer.host, port: peer.port, app: APP, strict: false, close: () => peer.close() };
};

function conformanceSuite(label: string, factory: PeerFactory): void {
  describe(`protocol 7 conformance: ${label}`, () => {
    let peer: PeerUnderTest;
    let sdk: PusherSdk;
    const clients: RawPusherClient[] = [];

    beforeAll(async () => {
      peer = await factory();
      sdk = new PusherSdk({ appId: peer.app.id, key: peer.app.key, secret: peer.app.secret, host: peer.host, port: String(peer.port), useTLS: false });
    }, 30_000);
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await peer.close();
    });

    async function connect(key = peer.app.key): Promise<RawPusherClient> {
      const client = await RawPusherClient.connect(`ws://${peer.host}:${peer.port}/app/${key}?protocol=7&client=js&version=8.4.0`);
      clients.push(client);
      return client;
    }

    async function subscribe(client: RawPusherClient, channel: string, channelData?: string): Promise<void> {
      const needsAuth = channel.startsWith('private-') || channel.startsWith('presence-');
      const auth = needsAuth ? signChannel(peer.app.key, peer.app.secret, client.socketId, channel, channelData) : undefined;
      client.send({ event: 'pusher:subscribe', data: { channel, auth, channel_data: channelData } });
      await client.nextEvent('pusher_internal:subscription_succeeded', channel);
    }

    /** A signed HTTP API request built by hand (for timestamps and sizes the SDK will not produce). */
    async function signedRequest(
      method: string,
      path: string,
      body: string | undefined,
      opts: { secret?: string; timestamp?: number } = {},
    ): Promise<{ status: number; text: string }> {
      const query = new URLSearchParams({ auth_key: peer.app.key, auth_timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)), auth_version: '1.0' });
      if (body !== undefined) query.set('body_md5', md5Hex(body));
      query.set('auth_signature', signHttpRequest(opts.secret ?? peer.app.secret, method, path, query));
      const res = await fetch(`http://${peer.host}:${peer.port}${path}?${query.toString()}`, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
      return { status: res.status, text: await res.text() };
    }

    function expectRefused(response: { status: number; text: string }, status: number): void {
      refusalOutcome.push(`${peer.name}: wanted ${status}, got ${response.status} ${response.text.slice(0, 100)}`);
      // soketi's uWS build (the override) answers HTTP errors with status 200; the body still carries the error.
      if (peer.strict) expect(response.status).toBe(status);
      else expect(response.status === status || (JSON.parse(response.text) as { code?: number }).code === status).toBe(true);
    }

    it('establishes a connection with a socket id and an activity timeout', async () => {
      const client = await connect();
      expect(client.socketId).toMatch(/^\d+\.\d+$/);
      const established = client.frames.find((f) => f.event === 'pusher:connection_established')!;
      expect(typeof (established.data as { activity_timeout: unknown }).activity_timeout).toBe('number');
      // protocol 7: data is a JSON-encoded string
      expect(typeof JSON.parse(established.raw).data).toBe('string');
    });

    it('refuses an unknown app key with 4001', async () => {
      const client = await RawPusherClient.connect(`ws://${peer.host}:${peer.port}/app/no-such-key?protocol=7`, false);
      const error = await client.nextEvent('pusher:error');
      expect((error.data as { code: number }).code).toBe(4001);
      expect((await client.closed).code).toBe(4001);
    });

    it('answers pusher:ping with pusher:pong', async () => {
      const client = await connect();
      await client.roundTrip();
    });

    it('delivers HTTP-triggered events to public subscribers, data as a JSON string', async () => {
      const client = await connect();
      await subscribe(client, 'public-conf');
      await sdk.trigger('public-conf', 'chunk.delivered', { chunk: 'Hel', sequence: 1 });
      const event = await client.nextEvent('chunk.delivered', 'public-conf');
      expect(typeof JSON.parse(event.raw).data).toBe('string');
      expect(event.data).toEqual({ chunk: 'Hel', sequence: 1 });
    });

    it('excludes the socket_id given to trigger', async () => {
      const a = await connect();
      const b = await connect();
      await subscribe(a, 'exclusion');
      await subscribe(b, 'exclusion');
      await sdk.trigger('exclusion', 'first', { n: 1 }, { socket_id: a.socketId });
      await sdk.trigger('exclusion', 'second', { n: 2 });
      await b.nextEvent('first', 'exclusion');
      await a.nextEvent('second', 'exclusion');
      expect(a.frames.some((f) => f.event === 'first')).toBe(false);
    });

    it('triggers a batch', async () => {
      const client = await connect();
      await subscribe(client, 'batch-a');
      await subscribe(client, 'batch-b');
      await sdk.triggerBatch([
        { channel: 'batch-a', name: 'e1', data: { x: 1 } },
        { channel: 'batch-b', name: 'e2', data: { x: 2 } },
      ]);
      await client.nextEvent('e1', 'batch-a');
      await client.nextEvent('e2', 'batch-b');
    });

    it('refuses private subscriptions without a valid signature and accepts a signed one', async () => {
      const client = await connect();
      client.send({ event: 'pusher:subscribe', data: { channel: 'private-conf' } });
      const missing = await client.nextEvent('pusher:subscription_error', 'private-conf');
      expect((missing.data as { status: number }).status).toBe(401);
      client.send({ event: 'pusher:subscribe', data: { channel: 'private-conf', auth: `${peer.app.key}:${'0'.repeat(64)}` } });
      const wrong = await client.nextEvent('pusher:subscription_error', 'private-conf');
      expect((wrong.data as { type: string }).type).toBe('AuthError');
      const sdkAuth = sdk.authorizeChannel(client.socketId, 'private-conf');
      client.send({ event: 'pusher:subscribe', data: { channel: 'private-conf', auth: sdkAuth.auth } });
      await client.nextEvent('pusher_internal:subscription_succeeded', 'private-conf');
    });

    it('tracks presence members: snapshot, member_added, member_removed', async () => {
      const a = await connect();
      const b = await connect();
      const channel = 'presence-room';
      await subscribe(a, channel, JSON.stringify({ user_id: 'alice', user_info: { name: 'Alice' } }));
      const bData = JSON.stringify({ user_id: 'bob', user_info: { name: 'Bob' } });
      b.send({ event: 'pusher:subscribe', data: { channel, auth: signChannel(peer.app.key, peer.app.secret, b.socketId, channel, bData), channel_data: bData } });
      const succeeded = await b.nextEvent('pusher_internal:subscription_succeeded', channel);
      const presence = (succeeded.data as { presence: { ids: string[]; hash: Record<string, unknown>; count: number } }).presence;
      expect(presence.ids.sort()).toEqual(['alice', 'bob']);
      expect(presence.count).toBe(2);
      expect(presence.hash.alice).toEqual({ name: 'Alice' });
      const added = await a.nextEvent('pusher_internal:member_added', channel);
      expect(added.data).toEqual({ user_id: 'bob', user_info: { name: 'Bob' } });
      const users = await sdk.get({ path: `/channels/${channel}/users` });
      expect(((await users.json()) as { users: { id: string }[] }).users.map((u) => u.id).sort()).toEqual(['alice', 'bob']);
      b.send({ event: 'pusher:unsubscribe', data: { channel } });
      const removed = await a.nextEvent('pusher_internal:member_removed', channel);
      expect(removed.data).toEqual({ user_id: 'bob' });
    });

    it('relays client events to the others on a private channel, not back to the sender', async () => {
      const a = await connect();
      const b = await connect();
      await subscribe(a, 'private-whisper');
      await subscribe(b, 'private-whisper');
      a.send({ event: 'client-typing', channel: 'private-whisper', data: { typing: true } });
      const relayed = await b.nextEvent('client-typing', 'private-whisper');
      expect(relayed.data).toEqual({ typing: true });
      await a.roundTrip();
      expect(a.frames.some((f) => f.event === 'client-typing')).toBe(false);
    });

    it('rate-limits client events with error 4301', async () => {
      const a = await connect();
      const b = await connect();
      await subscribe(a, 'private-flood');
      await subscribe(b, 'private-flood');
      for (let i = 0; i < 30; i += 1) a.send({ event: 'client-flood', channel: 'private-flood', data: { i } });
      const error = await a.nextEvent('pusher:error');
      expect((error.data as { code: number }).code).toBe(4301);
      await b.nextEvent('client-flood', 'private-flood');
    });

    it('answers a cache channel with cache_miss, then with the last event', async () => {
      const first = await connect();
      first.send({ event: 'pusher:subscribe', data: { channel: 'cache-conf' } });
      await first.nextEvent('pusher_internal:subscription_succeeded', 'cache-conf');
      await first.nextEvent('pusher:cache_miss', 'cache-conf');
      await sdk.trigger('cache-conf', 'latest', { v: 42 });
      await first.nextEvent('latest', 'cache-conf');
      const second = await connect();
      second.send({ event: 'pusher:subscribe', data: { channel: 'cache-conf' } });
      await second.nextEvent('pusher_internal:subscription_succeeded', 'cache-conf');
      const replayed = await second.nextEvent('latest', 'cache-conf');
      expect(replayed.data).toEqual({ v: 42 });
    });

    it('lists occupied channels filtered by prefix', async () => {
      const client = await connect();
      await subscribe(client, 'listing-one');
      await subscribe(client, 'listing-two');
      await subscribe(client, 'other-three');
      const res = await sdk.get({ path: '/channels', params: { filter_by_prefix: 'listing-' } });
      const body = (await res.json()) as { channels: Record<string, unknown> };
      expect(Object.keys(body.channels).sort()).toEqual(['listing-one', 'listing-two']);
      const one = await sdk.get({ path: '/channels/listing-one', params: { info: 'subscription_count' } });
      expect(await one.json()).toMatchObject({ occupied: true, subscription_count: 1 });
    });

    it('refuses a request signed with the wrong secret (401)', async () => {
      expectRefused(await signedRequest('POST', `/apps/${peer.app.id}/events`, JSON.stringify({ name: 'x', channel: 'c', data: '{}' }), { secret: 'wrong' }), 401);
    });

    it('checks auth_timestamp: a request 20 minutes old is refused (401) by the mock', async () => {
      const stale = await signedRequest('POST', `/apps/${peer.app.id}/events`, JSON.stringify({ name: 'x', channel: 'c', data: '{}' }), {
        timestamp: Math.floor(Date.now() / 1000) - 1200,
      });
      staleTimestampOutcome.set(peer.name, `${stale.status} ${stale.text.slice(0, 120)}`);
      if (peer.strict) expect(stale.status).toBe(401);
    });

    it('refuses event data over 10 KB (413)', async () => {
      expectRefused(await signedRequest('POST', `/apps/${peer.app.id}/events`, JSON.stringify({ name: 'x', channel: 'c', data: 'x'.repeat(11 * 1024) })), 413);
    });

    it('survives hostile input; other clients keep working', async () => {
      const bystander = await connect();
      await subscribe(bystander, 'bystander');
      const hostile = await connect();
      hostile.send('{not json');
      hostile.send({ event: 'pusher:no-such-event', data: {} });
      hostile.send({ event: 'pusher:subscribe', data: { channel: 'private-nope' } });
      hostile.send('x'.repeat(1024 * 1024));
      for (let i = 0; i < 10_000; i += 1) hostile.send({ event: 'pusher:subscribe', data: { channel: `flood-${i}` } });
      await bystander.roundTrip(15_000);
      await sdk.trigger('bystander', 'still-here', { ok: true });
      await bystander.nextEvent('still-here', 'bystander', 15_000);
      const fresh = await connect();
      await fresh.roundTrip();
    }, 30_000);
  });
}

conformanceSuite('echoscope mock', ours);

const soketiMissing = soketiUnavailableReason();
if (soketiMissing) {
  console.log(`[conformance] skipping soketi: ${soketiMissing}`);
  // Reported as skipped, with the reason in its name (CI installs soketi: scripts/peers/install-soketi.sh).
  describe.skipIf(true)(`protocol 7 conformance: soketi (${soketiMissing})`, () => {
    it('needs soketi', () => undefined);
  });
} else {
  conformanceSuite('soketi', soketi);
}
