/** Close codes, keep-alive, limits and hostile input on the WebSocket side: the mock's exact answers. */
import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer, type MockServerOptions } from './index';
import { RawPusherClient } from '../../test-support/raw-pusher-client';

const running: MockServer[] = [];
const clients: RawPusherClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(options: MockServerOptions = {}): Promise<MockServer> {
  const server = await startMockServer(options);
  running.push(server);
  return server;
}

async function connect(server: MockServer, query = '?protocol=7', path = `/app/${server.apps[0]!.key}`, established = true): Promise<RawPusherClient> {
  const client = await RawPusherClient.connect(`${server.wsUrl}${path}${query}`, established);
  clients.push(client);
  return client;
}

const errorOf = (f: { data: unknown }): { code: number | null; message: string } => f.data as { code: number | null; message: string };

describe('WebSocket close codes', () => {
  it.each([
    ['', 4008],
    ['?protocol=x', 4006],
    ['?protocol=6', 4007],
  ])('refuses query "%s" with %d', async (query, code) => {
    const server = await start();
    const client = await connect(server, query, undefined, false);
    expect(errorOf(await client.nextEvent('pusher:error')).code).toBe(code);
    expect((await client.closed).code).toBe(code);
  });

  it('refuses a wrong path with 4005', async () => {
    const server = await start();
    const client = await connect(server, '?protocol=7', '/nope', false);
    expect((await client.closed).code).toBe(4005);
  });

  it('refuses connections over the app quota with 4004', async () => {
    const server = await start({ limits: { maxConnections: 1 } });
    await connect(server);
    const second = await connect(server, undefined, undefined, false);
    expect((await second.closed).code).toBe(4004);
  });

  it('pings a silent client and closes it with 4201 when no pong comes', async () => {
    const server = await start({ activityTimeoutSec: 1, pongTimeoutSec: 1 });
    const client = await connect(server);
    await client.nextEvent('pusher:ping', undefined, 5000);
    expect((await client.closed).code).toBe(4201);
  });

  it('keeps a client that answers the server ping', async () => {
    const server = await start({ activityTimeoutSec: 1, pongTimeoutSec: 1 });
    const client = await connect(server);
    await client.nextEvent('pusher:ping', undefined, 5000);
    client.send({ event: 'pusher:pong', data: {} });
    await client.nextEvent('pusher:ping', undefined, 5000);
    client.send({ event: 'pusher:pong', data: {} });
    await client.roundTrip();
  });

  it('closes a pusher:signin with a bad signature with 4009', async () => {
    const server = await start();
    const client = await connect(server);
    client.send({ event: 'pusher:signin', data: { auth: 'bad:sig', user_data: '{"id":"1"}' } });
    expect((await client.closed).code).toBe(4009);
  });
});

describe('hostile input gets the protocol error; the server stays up', () => {
  it('answers each bad frame with pusher:error and keeps the connection', async () => {
    const server = await start();
    const client = await connect(server);
    client.send('{not json');
    expect(errorOf(await client.nextEvent('pusher:error')).message).toMatch(/Invalid JSON/);
    client.send({ event: 'pusher:bogus', data: {} });
    expect(errorOf(await client.nextEvent('pusher:error')).message).toMatch(/Unknown event/);
    client.send('x'.repeat(1024 * 1024));
    expect(errorOf(await client.nextEvent('pusher:error')).message).toMatch(/too large/);
    client.send({ event: 'pusher:subscribe', data: { channel: 'private-x' } });
    expect((await client.nextEvent('pusher:subscription_error', 'private-x')).data).toMatchObject({ type: 'AuthError', status: 401 });
    client.send({ event: 'pusher:subscribe', data: { channel: 'private-x', auth: 'echoscope-key:deadbeef' } });
    expect((await client.nextEvent('pusher:subscription_error', 'private-x')).data).toMatchObject({ status: 401 });
    client.send({ event: 'client-x', channel: 'public', data: {} });
    expect(errorOf(await client.nextEvent('pusher:error')).message).toMatch(/not subscribed/);
    await client.roundTrip();
  });

  it('caps 10k subscribe requests from one socket; other clients are unaffected', async () => {
    const server = await start();
    const bystander = await connect(server);
    bystander.send({ event: 'pusher:subscribe', data: { channel: 'calm' } });
    await bystander.nextEvent('pusher_internal:subscription_succeeded', 'calm');
    const flooder = await connect(server);
    for (let i = 0; i < 10_000; i += 1) flooder.send({ event: 'pusher:subscribe', data: { channel: `flood-${i}` } });
    const refused = await flooder.nextEvent('pusher:subscription_error', undefined, 15_000);
    expect(refused.data).toMatchObject({ type: 'LimitReached' });
    server.publish({ channel: 'calm', event: 'still', data: {} });
    await bystander.nextEvent('still', 'calm', 15_000);
    await flooder.roundTrip(15_000);
    expect(server.connections().find((c) => c.socketId === flooder.socketId)!.channels.length).toBe(1000);
  }, 30_000);

  it('closes frames beyond the hard limit with 1009 without crashing', async () => {
    const server = await start();
    const client = await connect(server);
    const other = await connect(server);
    client.send('x'.repeat(5 * 1024 * 1024));
    expect((await client.closed).code).toBe(1009);
    await other.roundTrip();
  });
});

describe('shutdown', () => {
  it('closes clients and frees the port', async () => {
    const server = await startMockServer();
    const client = await RawPusherClient.connect(`${server.wsUrl}/app/echoscope-key?protocol=7`);
    await server.close();
    expect((await client.closed).code).toBeGreaterThan(0);
    await expect(fetch(`${server.httpUrl}/`)).rejects.toThrow();
  });
});
