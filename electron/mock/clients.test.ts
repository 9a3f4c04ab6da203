/** Real clients against the mock: pusher-js and laravel-echo (broadcasters reverb and pusher). */
import Echo from 'laravel-echo';
import Pusher from 'pusher-js';
import type { Options } from 'pusher-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from './index';
import { CLOSE } from './protocol';
import { signChannel } from './signature';

let server: MockServer;
const open: { disconnect(): void }[] = [];

beforeAll(async () => {
  server = await startMockServer({ activityTimeoutSec: 1, pongTimeoutSec: 2, limits: { clientEventRate: 50 } });
});
afterAll(() => server.close());
afterEach(() => {
  for (const client of open.splice(0)) client.disconnect();
});

const app = (): { key: string; secret: string } => server.apps[0]!;

function pusherOptions(extra: Partial<Options> = {}): Options {
  return {
    cluster: '',
    wsHost: server.host,
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    channelAuthorization: { endpoint: `${server.httpUrl}/broadcasting/auth`, transport: 'ajax' },
    ...extra,
  };
}

function pusher(extra: Partial<Options> = {}): Pusher {
  const client = new Pusher(app().key, pusherOptions(extra));
  open.push(client);
  return client;
}

/** pusher-js with channel authorization computed locally (no auth endpoint). */
function locallySigningPusher(userId = 'local-user'): Pusher {
  return pusher({
    channelAuthorization: {
      endpoint: 'unused',
      transport: 'ajax',
      customHandler: ({ socketId, channelName }, callback) => {
        const channelData = channelName.startsWith('presence-') ? JSON.stringify({ user_id: userId, user_info: { name: userId } }) : undefined;
        callback(null, { auth: signChannel(app().key, app().secret, socketId, channelName, channelData), channel_data: channelData });
      },
    },
  });
}

function once<T = unknown>(bind: (cb: (value: T) => void) => void): Promise<T> {
  return new Promise((resolve) => bind(resolve));
}

function subscribed(client: Pusher, name: string): Promise<unknown> {
  const channel = client.subscribe(name);
  return new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve);
    channel.bind('pusher:subscription_error', (error: unknown) => reject(new Error(`subscription_error ${JSON.stringify(error)}`)));
  });
}

function connected(client: Pusher): Promise<void> {
  if (client.connection.state === 'connected') return Promise.resolve();
  return once((cb) => client.connection.bind('connected', () => cb(undefined)));
}

describe('pusher-js', () => {
  it('receives events on a public channel', async () => {
    const client = pusher();
    await subscribed(client, 'news');
    const got = once((cb) => client.channel('news')!.bind('chunk.delivered', cb));
    server.publish({ channel: 'news', event: 'chunk.delivered', data: { chunk: 'a', sequence: 1 } });
    expect(await got).toEqual({ chunk: 'a', sequence: 1 });
  });

  it('subscribes to a private channel through the auth endpoint', async () => {
    const client = pusher();
    await subscribed(client, 'private-ai.s1');
    const got = once((cb) => client.channel('private-ai.s1')!.bind('chunk.delivered', cb));
    server.publish({ channel: 'private-ai.s1', event: 'chunk.delivered', data: { chunk: 'x' } });
    expect(await got).toEqual({ chunk: 'x' });
  });

  it('subscribes to a private channel signed locally (customHandler)', async () => {
    const client = locallySigningPusher();
    await subscribed(client, 'private-local');
  });

  it('fails a subscription the auth policy denies', async () => {
    const denying = await startMockServer({ authPolicy: { kind: 'allow-list', channels: ['private-ok.*'] } });
    try {
      const client = new Pusher(denying.apps[0]!.key, {
        ...pusherOptions(),
        wsPort: denying.port,
        channelAuthorization: { endpoint: `${denying.httpUrl}/broadcasting/auth`, transport: 'ajax' },
      });
      open.push(client);
      await subscribed(client, 'private-ok.1');
      await expect(subscribed(client, 'private-secret')).rejects.toThrow(/subscription_error/);
    } finally {
      await denying.close();
    }
  });

  it('tracks presence members: here, joining, leaving', async () => {
    const alice = locallySigningPusher('alice');
    await subscribed(alice, 'presence-room.1');
    const bob = locallySigningPusher('bob');
    const joined = once<{ id: string }>((cb) => alice.channel('presence-room.1')!.bind('pusher:member_added', cb));
    await subscribed(bob, 'presence-room.1');
    expect((await joined).id).toBe('bob');
    const left = once<{ id: string }>((cb) => alice.channel('presence-room.1')!.bind('pusher:member_removed', cb));
    bob.unsubscribe('presence-room.1');
    expect((await left).id).toBe('bob');
  });

  it('sends client events to others, not back to the sender', async () => {
    const a = locallySigningPusher('a');
    const b = locallySigningPusher('b');
    await subscribed(a, 'private-chat');
    await subscribed(b, 'private-chat');
    const echoed: unknown[] = [];
    a.channel('private-chat')!.bind('client-typing', (d: unknown) => echoed.push(d));
    const got = once((cb) => b.channel('private-chat')!.bind('client-typing', cb));
    a.channel('private-chat')!.trigger('client-typing', { who: 'a' });
    expect(await got).toEqual({ who: 'a' });
    // a ping round trip on `a` after the relay: anything echoed would have arrived before the pong
    await pingRoundTrip(a);
    expect(echoed).toEqual([]);
  });

  it('gets cache_miss, then the cached event, on a cache channel', async () => {
    const first = pusher();
    const miss = once((cb) => first.subscribe('cache-status').bind('pusher:cache_miss', cb));
    await miss;
    server.publish({ channel: 'cache-status', event: 'status', data: { v: 1 } });
    const second = pusher();
    const hit = once((cb) => second.subscribe('cache-status').bind('status', cb));
    expect(await hit).toEqual({ v: 1 });
  });

  it('keeps the connection alive with ping/pong under a 1 s activity timeout', async () => {
    const client = pusher();
    await connected(client);
    let pings = 0;
    client.connection.bind('message', (m: { event: string }) => {
      if (m.event === 'pusher:pong' || m.event === 'pusher:ping') pings += 1;
    });
    const states: string[] = [];
    client.connection.bind('state_change', (s: { current: string }) => states.push(s.current));
    await waitFor(() => pings >= 2, 10_000);
    expect(client.connection.state).toBe('connected');
    expect(states).toEqual([]);
  });

  it('reconnects after a server-initiated close 4200 and resubscribes', async () => {
    const client = pusher();
    await subscribed(client, 'reconnecting');
    const firstSocket = client.connection.socket_id;
    const reconnected = once((cb) => client.connection.bind('connected', () => cb(undefined)));
    expect(server.closeConnections({ socketId: firstSocket }, CLOSE.reconnectNow)).toBe(1);
    await reconnected;
    expect(client.connection.socket_id).not.toBe(firstSocket);
    await waitFor(() => server.connections().some((c) => c.socketId === client.connection.socket_id && c.channels.includes('reconnecting')));
    const got = once((cb) => client.channel('reconnecting')!.bind('after', cb));
    server.publish({ channel: 'reconnecting', event: 'after', data: { ok: true } });
    expect(await got).toEqual({ ok: true });
  });

  it('signs in (pusher:signin) through /broadcasting/user-auth', async () => {
    const client = pusher({ userAuthentication: { endpoint: `${server.httpUrl}/broadcasting/user-auth`, transport: 'ajax', headers: { 'X-User-Id': 'u-42' } } });
    await connected(client);
    client.signin();
    await waitFor(() => server.connections().some((c) => c.userId === 'u-42'));
    const got = once((cb) => client.user.bind('notice', cb));
    await waitFor(() => server.connections().some((c) => c.channels.includes('#server-to-user-u-42')));
    server.publish({ channel: '#server-to-user-u-42', event: 'notice', data: { hi: 1 } });
    expect(await got).toEqual({ hi: 1 });
  });
});

describe.each(['reverb', 'pusher'] as const)('laravel-echo (broadcaster %s)', (broadcaster) => {
  function echo(userId: string): Echo<'reverb'> | Echo<'pusher'> {
    const common = {
      key: app().key,
      wsHost: server.host,
      wsPort: server.port,
      forceTLS: false,
      enabledTransports: ['ws' as const],
      cluster: '',
      authEndpoint: `${server.httpUrl}/broadcasting/auth`,
      auth: { headers: { 'X-User-Id': userId } },
      Pusher,
    };
    const instance = broadcaster === 'reverb' ? new Echo({ ...common, broadcaster: 'reverb' }) : new Echo({ ...common, broadcaster: 'pusher' });
    open.push(instance);
    return instance;
  }

  it('listens on a private channel with a leading-dot event name', async () => {
    const e = echo('u1');
    const got = new Promise((resolve) => e.private(`ai.${broadcaster}`).listen('.chunk.delivered', resolve));
    await waitFor(() => server.connections().some((c) => c.channels.includes(`private-ai.${broadcaster}`)));
    server.publish({ channel: `private-ai.${broadcaster}`, event: 'chunk.delivered', data: { chunk: 'Hi', sequence: 1 } });
    expect(await got).toEqual({ chunk: 'Hi', sequence: 1 });
  });

  it('joins presence: here, joining, leaving; whispers', async () => {
    const room = `room.${broadcaster}`;
    const a = echo('ann');
    const here = new Promise<{ name: string }[]>((resolve) => a.join(room).here(resolve));
    expect((await here).map((m) => m.name)).toEqual(['ann']);
    const joining = new Promise<{ name: string }>((resolve) => a.join(room).joining(resolve));
    const leaving = new Promise<{ name: string }>((resolve) => a.join(room).leaving(resolve));
    const whisper = new Promise((resolve) => a.join(room).listenForWhisper('typing', resolve));
    const b = echo('ben');
    const bHere = new Promise<unknown[]>((resolve) => b.join(room).here(resolve));
    expect((await bHere).length).toBe(2);
    expect((await joining).name).toBe('ben');
    b.join(room).whisper('typing', { who: 'ben' });
    expect(await whisper).toEqual({ who: 'ben' });
    b.leave(room);
    expect((await leaving).name).toBe('ben');
  });
});

async function pingRoundTrip(client: Pusher): Promise<void> {
  const pong = once((cb) =>
    client.connection.bind('message', (m: { event: string }) => {
      if (m.event === 'pusher:pong') cb(undefined);
    }),
  );
  client.connection.send_event('pusher:ping', {});
  await pong;
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
