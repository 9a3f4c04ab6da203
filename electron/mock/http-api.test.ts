/** The HTTP side: Pusher API through the official SDK, Laravel-style auth, generations, metrics. */
import PusherSdk from 'pusher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from './index';
import { md5Hex, signHttpRequest, verifyAuthToken } from './signature';
import { RawPusherClient } from '../../test-support/raw-pusher-client';

let server: MockServer;
let sdk: PusherSdk;
const clients: RawPusherClient[] = [];
const APPS = [
  { id: 'one', key: 'one-key', secret: 'one-secret' },
  { id: 'two', key: 'two-key', secret: 'two-secret' },
];

beforeAll(async () => {
  server = await startMockServer({ apps: APPS });
  sdk = sdkFor(APPS[0]!);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

function sdkFor(app: { id: string; key: string; secret: string }): PusherSdk {
  return new PusherSdk({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
}

async function connect(key = 'one-key'): Promise<RawPusherClient> {
  const client = await RawPusherClient.connect(`${server.wsUrl}/app/${key}?protocol=7`);
  clients.push(client);
  return client;
}

async function signed(
  method: string,
  path: string,
  body?: string,
  tweak: (q: URLSearchParams) => void = () => undefined,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const query = new URLSearchParams({ auth_key: 'one-key', auth_timestamp: String(Math.floor(Date.now() / 1000)), auth_version: '1.0' });
  if (body !== undefined) query.set('body_md5', md5Hex(body));
  tweak(query);
  query.set('auth_signature', signHttpRequest(query.get('auth_key') === 'two-key' ? 'two-secret' : 'one-secret', method, path, query));
  const res = await fetch(`${server.httpUrl}${path}?${query.toString()}`, { method, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function postAuth(body: string, contentType: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.httpUrl}/broadcasting/auth`, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Pusher HTTP API', () => {
  it('accepts trigger with info and reports subscription counts', async () => {
    const client = await connect();
    client.send({ event: 'pusher:subscribe', data: { channel: 'counted' } });
    await client.nextEvent('pusher_internal:subscription_succeeded', 'counted');
    const res = await sdk.trigger(['counted', 'empty'], 'e', { a: 1 }, { info: 'subscription_count' });
    expect(await res.json()).toEqual({ channels: { counted: { subscription_count: 1 }, empty: { subscription_count: 0 } } });
    await client.nextEvent('e', 'counted');
  });

  it('lists presence channels with user_count, and refuses user_count without the presence- prefix', async () => {
    const res = await sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } });
    expect(await res.json()).toEqual({ channels: {} });
    await expect(sdk.get({ path: '/channels', params: { info: 'user_count' } })).rejects.toMatchObject({ status: 400 });
  });

  it('terminates the connections of a user', async () => {
    const client = await connect();
    const data = JSON.stringify({ user_id: 'doomed' });
    const auth = sdk.authorizeChannel(client.socketId, 'presence-t', { user_id: 'doomed' });
    client.send({ event: 'pusher:subscribe', data: { channel: 'presence-t', auth: auth.auth, channel_data: data } });
    await client.nextEvent('pusher_internal:subscription_succeeded', 'presence-t');
    await sdk.terminateUserConnections('doomed');
    expect((await client.closed).code).toBe(4009);
  });

  it('refuses a stale timestamp, a wrong body_md5, an unknown app and a key of another app', async () => {
    const body = JSON.stringify({ name: 'e', channel: 'c', data: '{}' });
    const stale = await signed('POST', '/apps/one/events', body, (q) => q.set('auth_timestamp', String(Math.floor(Date.now() / 1000) - 601)));
    expect(stale.status).toBe(401);
    expect(stale.body.error).toMatch(/Timestamp expired/);
    expect((await signed('POST', '/apps/one/events', body, (q) => q.set('body_md5', md5Hex('other')))).status).toBe(401);
    expect((await signed('POST', '/apps/nope/events', body)).status).toBe(404);
    expect((await signed('POST', '/apps/one/events', body, (q) => q.set('auth_key', 'two-key'))).status).toBe(403);
    const wrongSdk = new PusherSdk({ appId: 'one', key: 'one-key', secret: 'bad', host: server.host, port: String(server.port), useTLS: false });
    await expect(wrongSdk.trigger('c', 'e', {})).rejects.toMatchObject({ status: 401 });
  });

  it('answers 400 to malformed requests and 413 to oversize data', async () => {
    expect((await signed('POST', '/apps/one/events', '{oops')).status).toBe(400);
    expect((await signed('POST', '/apps/one/events', JSON.stringify({ name: 'e', data: '{}' }))).status).toBe(400);
    const batch = Array.from({ length: 11 }, (_, i) => ({ channel: 'c', name: `e${i}`, data: '{}' }));
    expect((await signed('POST', '/apps/one/batch_events', JSON.stringify({ batch }))).status).toBe(400);
    await expect(sdk.trigger('c', 'e', 'x'.repeat(10 * 1024 + 1))).rejects.toMatchObject({ status: 413 });
    expect((await signed('GET', '/apps/one/channels/public-x/users')).status).toBe(400);
  });

  it('keeps apps apart', async () => {
    const other = await connect('two-key');
    other.send({ event: 'pusher:subscribe', data: { channel: 'shared-name' } });
    await other.nextEvent('pusher_internal:subscription_succeeded', 'shared-name');
    await sdk.trigger('shared-name', 'from-one', {});
    await sdkFor(APPS[1]!).trigger('shared-name', 'from-two', {});
    await other.nextEvent('from-two');
    expect(other.frames.some((f) => f.event === 'from-one')).toBe(false);
  });
});

describe('POST /broadcasting/auth', () => {
  it('signs a private channel from a form body', async () => {
    const res = await postAuth('socket_id=1.2&channel_name=private-a', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(200);
    expect(verifyAuthToken(res.body.auth, 'one-key', 'one-secret', '1.2:private-a')).toBe(true);
  });

  it('returns channel_data for presence (user from X-User-Id) and serves another app by X-App-Id', async () => {
    const res = await postAuth(JSON.stringify({ socket_id: '1.2', channel_name: 'presence-r' }), 'application/json', { 'X-User-Id': 'u7', 'X-App-Id': 'two' });
    expect(JSON.parse(String(res.body.channel_data))).toMatchObject({ user_id: 'u7' });
    expect(verifyAuthToken(res.body.auth, 'two-key', 'two-secret', `1.2:presence-r:${String(res.body.channel_data)}`)).toBe(true);
  });

  it('refuses bad socket ids and public channels with 400', async () => {
    expect((await postAuth('socket_id=abc&channel_name=private-a', 'application/x-www-form-urlencoded')).status).toBe(400);
    expect((await postAuth('socket_id=1.2&channel_name=public', 'application/x-www-form-urlencoded')).status).toBe(400);
  });

  it('denies everything under the deny policy (403)', async () => {
    const denying = await startMockServer({ authPolicy: { kind: 'deny' } });
    try {
      const res = await fetch(`${denying.httpUrl}/broadcasting/auth`, {
        method: 'POST',
        body: 'socket_id=1.2&channel_name=private-a',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/deny/);
    } finally {
      await denying.close();
    }
  });
});

describe('generations and metrics', () => {
  it('serves generation records and 404s unknown sessions with a JSON body', async () => {
    const missing = await fetch(`${server.httpUrl}/api/generations/s-unknown`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'generation_not_found', session_id: 's-unknown' });
    server.generations.put({
      session_id: 's1',
      progress: 'generating',
      last_seq: 40,
      accumulated_text: 'Hello',
      final_text: null,
      termination_code: null,
      failure_detail: null,
      initiated_at: '2025-01-01T00:00:00Z',
      last_save_at: '2025-01-01T00:00:01Z',
      resolved_at: null,
    });
    const found = await fetch(`${server.httpUrl}/api/generations/s1`);
    expect(await found.json()).toMatchObject({ session_id: 's1', last_seq: 40 });
  });

  it('exposes per-app counters and Prometheus metrics', async () => {
    const counters = server.counters().find((c) => c.appId === 'one')!;
    expect(counters.connectionsTotal).toBeGreaterThan(0);
    expect(counters.messagesIn).toBeGreaterThan(0);
    expect(counters.apiEvents).toBeGreaterThan(0);
    const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(text).toMatch(/^# TYPE echoscope_mock_connections gauge$/m);
    expect(text).toMatch(/^echoscope_mock_ws_messages_received_total\{app_id="one"\} \d+$/m);
  });
});
