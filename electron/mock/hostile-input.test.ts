/**
 * Hostile input against the real mock provider (issue 16): every request here once crashed
 * the process or made it buffer without bound. Each test ends by proving the server still
 * answers the next, well-behaved client.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { connect as netConnect, type NetConnectOpts, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnCli, type SpawnedCli } from '../../test-support/spawned-cli';
import { signChannel, startMockServer, type MockServer, type MockServerOptions } from './index';
import { signHttpRequest } from './signature';
import { eventually, RawPusherClient } from '../../test-support/raw-pusher-client';

const running: MockServer[] = [];
const clients: RawPusherClient[] = [];
const processes: SpawnedCli[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((s) => s.close()));
  await Promise.all(processes.splice(0).map((p) => p.stop()));
});

async function start(options: MockServerOptions = {}): Promise<MockServer> {
  const server = await startMockServer(options);
  running.push(server);
  return server;
}

async function connect(wsUrl: string, key: string): Promise<RawPusherClient> {
  const client = await RawPusherClient.connect(`${wsUrl}/app/${key}?protocol=7`);
  clients.push(client);
  return client;
}

/** The next client is served: it connects, gets its socket id, and a ping comes back. */
async function answersNextClient(wsUrl: string, key: string): Promise<void> {
  const client = await connect(wsUrl, key);
  expect(client.socketId).toMatch(/^\d+\.\d+$/);
  await client.roundTrip();
}

/** Probes (each probe a full round trip) until it answers `expected`; a bounded number of tries. */
async function untilStatus(probe: () => Promise<number>, expected: number, what: string): Promise<void> {
  for (let tries = 0; tries < 2000; tries += 1) if ((await probe()) === expected) return;
  throw new Error(`never got ${expected}: ${what}`);
}

/** Opens a WebSocket and resolves with how the server closed it. */
function closeOf(url: string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', () => undefined);
  });
}

describe('malformed percent-encoding', () => {
  it('refuses ws://…/app/%ZZ with 4001 and keeps serving', async () => {
    const server = await start();
    expect((await closeOf(`${server.wsUrl}/app/%ZZ?protocol=7`)).code).toBe(4001);
    await answersNextClient(server.wsUrl, server.apps[0]!.key);
  });

  it('refuses an unknown app key of 50 multi-byte characters with 4001 (the close reason is cut to 123 bytes)', async () => {
    const server = await start();
    const close = await closeOf(`${server.wsUrl}/app/${'%E2%82%AC'.repeat(50)}?protocol=7`);
    expect(close.code).toBe(4001);
    expect(Buffer.byteLength(close.reason)).toBeLessThanOrEqual(123);
    expect(close.reason).toMatch(/^App key €+…$/);
    await answersNextClient(server.wsUrl, server.apps[0]!.key);
  });

  it('answers 400 (not 500) on every HTTP route with a bad escape, signed or not', async () => {
    const server = await start();
    const app = server.apps[0]!;
    const signed = (method: string, path: string): string => {
      const query = new URLSearchParams({ auth_key: app.key, auth_timestamp: String(Math.floor(Date.now() / 1000)), auth_version: '1.0' });
      query.set('auth_signature', signHttpRequest(app.secret, method, path, query));
      return `${server.httpUrl}${path}?${query.toString()}`;
    };
    const routes: [string, string][] = [
      ['POST', '/apps/%ZZ/events'],
      ['GET', '/apps/echoscope/channels/%E0%A4%A'],
      ['GET', '/apps/echoscope/channels/%ZZ/users'],
      ['POST', '/apps/echoscope/users/%ZZ/terminate_connections'],
    ];
    for (const [method, path] of routes) {
      const response = await fetch(signed(method, path), { method });
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error: string }).error, path).toMatch(/percent-encoding/);
    }
    const generation = await fetch(`${server.httpUrl}/api/generations/%ZZ`);
    expect(generation.status).toBe(400);
    expect(((await generation.json()) as { error: string }).error).toMatch(/percent-encoding/);
    await answersNextClient(server.wsUrl, app.key);
  });

  it('the standalone `echoscope mock` process survives ws://…/app/%ZZ', async () => {
    const mock = spawnCli(['mock', '--port', '0', '--json', '--key', 'k1', '--secret', 's1']);
    processes.push(mock);
    const { port } = (await mock.readyLine) as { port: number };
    expect((await closeOf(`ws://127.0.0.1:${port}/app/%ZZ?protocol=7`)).code).toBe(4001);
    await answersNextClient(`ws://127.0.0.1:${port}`, 'k1');
    expect(mock.running()).toBe(true);
  });
});

describe('deeply nested JSON from clients', () => {
  const deep = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  /** Arrays: 4,000 levels fit the 10 KB WebSocket message limit. */
  const deepList = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it('refuses a client event, a subscribe and presence channel_data nested 4,000 levels, and keeps serving', async () => {
    const server = await start();
    const app = server.apps[0]!;
    const client = await connect(server.wsUrl, app.key);
    client.send({ event: 'pusher:subscribe', data: { channel: 'private-room', auth: signChannel(app.key, app.secret, client.socketId, 'private-room') } });
    await client.nextEvent('pusher_internal:subscription_succeeded', 'private-room');
    const peer = await connect(server.wsUrl, app.key);
    peer.send({ event: 'pusher:subscribe', data: { channel: 'private-room', auth: signChannel(app.key, app.secret, peer.socketId, 'private-room') } });
    await peer.nextEvent('pusher_internal:subscription_succeeded', 'private-room');

    client.send(`{"event":"client-typing","channel":"private-room","data":${deepList(4000)}}`);
    expect(((await client.nextEvent('pusher:error')).data as { message: string }).message).toMatch(/nests deeper than 64 levels/);
    client.send(`{"event":"pusher:subscribe","data":${JSON.stringify(`{"channel":"x","extra":${deepList(4000)}}`)}}`);
    expect(((await client.nextEvent('pusher:error')).data as { message: string }).message).toMatch(/nests deeper than 64 levels/);
    const channelData = `{"user_id":"u1","user_info":${deepList(4000)}}`;
    client.send({
      event: 'pusher:subscribe',
      data: { channel: 'presence-room', channel_data: channelData, auth: signChannel(app.key, app.secret, client.socketId, 'presence-room', channelData) },
    });
    expect(((await client.nextEvent('pusher:subscription_error', 'presence-room')).data as { error: string }).error).toMatch(/nests deeper than 64 levels/);

    await client.roundTrip();
    await answersNextClient(server.wsUrl, app.key);
  });

  it('answers 400 to an HTTP event whose body nests 4,500 levels, and to /broadcasting/auth with such a body', async () => {
    const server = await start();
    const app = server.apps[0]!;
    const body = `{"name":"e","channels":["c"],"data":${deep(4500)}}`;
    const query = new URLSearchParams({
      auth_key: app.key,
      auth_timestamp: String(Math.floor(Date.now() / 1000)),
      auth_version: '1.0',
      body_md5: createHash('md5').update(body).digest('hex'),
    });
    query.set('auth_signature', signHttpRequest(app.secret, 'POST', `/apps/${app.id}/events`, query));
    const published = await fetch(`${server.httpUrl}/apps/${app.id}/events?${query.toString()}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(published.status).toBe(400);
    expect(((await published.json()) as { error: string }).error).toMatch(/nests deeper than 64 levels/);
    const auth = await fetch(`${server.httpUrl}/broadcasting/auth`, {
      method: 'POST',
      body: `{"socket_id":"1.2","channel_name":"presence-x","user_info":${deep(4500)}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(auth.status).toBe(400);
    await answersNextClient(server.wsUrl, app.key);
  });
});

describe('slow consumers', () => {
  it('disconnects a client that stops reading with 4100 once its send buffer passes the limit', async () => {
    const maxSendBufferBytes = 256 * 1024;
    const server = await start({ limits: { maxSendBufferBytes } });
    const app = server.apps[0]!;
    let tcp: Socket | undefined;
    const ws = new WebSocket(`${server.wsUrl}/app/${app.key}?protocol=7`, {
      createConnection: ((options: NetConnectOpts) => (tcp = netConnect(options))) as typeof netConnect,
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const established = new Promise<void>((resolve) => ws.once('message', () => resolve()));
    await established;
    ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'slow' } }));
    await eventually(() => server.subscriberCount('slow') === 1, 5000, 'the subscription');
    tcp!.pause(); // the client stops reading: the kernel buffers fill, then the server's

    const chunk = 'x'.repeat(8 * 1024);
    let published = 0;
    while (server.publish({ channel: 'slow', event: 'chunk.delivered', data: chunk }) > 0) {
      published += 1;
      // Bounded: without the limit this loop would buffer gigabytes; fail long before.
      if (published > 50_000) throw new Error('the slow consumer was never disconnected');
      if (published % 64 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(server.subscriberCount('slow')).toBe(0);
    tcp!.resume(); // now it reads what was queued, then the close frame
    expect(await closed).toBe(4100);
    await answersNextClient(server.wsUrl, app.key);
  });
});

describe('presence rosters', () => {
  it('keeps a member whose user_id is "__proto__" in the roster, the hash and the users API', async () => {
    const server = await start();
    const app = server.apps[0]!;
    const join = async (userId: string) => {
      const client = await connect(server.wsUrl, app.key);
      const channelData = JSON.stringify({ user_id: userId, user_info: { name: userId } });
      client.send({
        event: 'pusher:subscribe',
        data: { channel: 'presence-room', channel_data: channelData, auth: signChannel(app.key, app.secret, client.socketId, 'presence-room', channelData) },
      });
      return (await client.nextEvent('pusher_internal:subscription_succeeded', 'presence-room')).data as {
        presence: { ids: string[]; hash: Record<string, unknown>; count: number };
      };
    };
    await join('alice');
    const { presence } = await join('__proto__');
    expect(presence.count).toBe(2);
    expect(presence.ids.sort()).toEqual(['__proto__', 'alice']);
    expect(Object.keys(presence.hash).sort()).toEqual(['__proto__', 'alice']);
    expect(Object.getOwnPropertyDescriptor(presence.hash, '__proto__')?.value).toEqual({ name: '__proto__' });
    const { default: Pusher } = await import('pusher');
    const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
    const users = (await (await sdk.get({ path: '/channels/presence-room/users' })).json()) as { users: { id: string }[] };
    expect(users.users.map((u) => u.id).sort()).toEqual(['__proto__', 'alice']);
    await answersNextClient(server.wsUrl, app.key);
  });
});

describe('HTTP request bodies', () => {
  it('refuses an unsigned POST without reading its body, and a body over the limit by its Content-Length', async () => {
    const server = await start({ limits: { maxHttpBodySize: 1024 } });
    // A declared 100 MB body that never comes: answered at once, from the headers alone.
    for (const path of ['/apps/echoscope/events', `/apps/echoscope/events?auth_key=x&auth_timestamp=1&auth_version=1.0&auth_signature=y`]) {
      const answer = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${server.httpUrl}${path}`, { method: 'POST', headers: { 'content-length': String(100 * 1024 * 1024), 'content-type': 'application/json' } });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write('{"name":"x"');
      });
      expect(answer, path).toBe(401);
    }
    const { default: Pusher } = await import('pusher');
    const app = server.apps[0]!;
    const sdk = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
    await expect(sdk.trigger('c', 'e', 'y'.repeat(2048))).rejects.toMatchObject({ status: 413 });
    await expect(sdk.trigger('c', 'e', 'small')).resolves.toMatchObject({ status: 200 });
    await answersNextClient(server.wsUrl, app.key);
  });

  it('refuses requests beyond the in-flight cap with 503, unread, and serves again once they end', async () => {
    const server = await start({ limits: { maxConcurrentHttpRequests: 2 } });
    const stalled: ClientRequest[] = [];
    for (let i = 0; i < 2; i += 1) {
      // Headers sent, body promised and never finished: each holds one slot.
      const req = httpRequest(`${server.httpUrl}/broadcasting/auth`, { method: 'POST', headers: { 'content-length': '1000', 'content-type': 'application/json' } });
      req.on('error', () => undefined);
      req.write('{"socket_id":');
      stalled.push(req);
    }
    const status = async () => (await fetch(`${server.httpUrl}/ready`)).status;
    // The server registers the stalled requests when their headers arrive: probe until it refuses.
    await untilStatus(status, 503, 'a 503 once both slots are held');
    for (const req of stalled) req.destroy();
    await untilStatus(status, 200, 'the slots to free up');
    await answersNextClient(server.wsUrl, server.apps[0]!.key);
  });
});
