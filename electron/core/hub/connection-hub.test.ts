import Pusher from 'pusher';
import PusherClient from 'pusher-js';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProfileInputSchema, type ConnectionStatus } from '../../../shared/api';
import { CapturedBatchBuilder, capturedRecords, type JournalRecord } from '../../../shared/journal';
import { startMockServer, type MockServer } from '../../mock';
import { ConnectionHub } from './connection-hub';

/** Collects what the hub reports and lets a test await a matching report (no sleeps). */
class RecordingSink {
  records: JournalRecord[] = [];
  /** The event JSON the hub passed with each record, if any. */
  wireText: (string | undefined)[] = [];
  statuses: ConnectionStatus[] = [];
  private waiters: Array<() => void> = [];
  record = (record: JournalRecord, wireText?: string) => {
    this.records.push(record);
    this.wireText.push(wireText);
    this.wake();
  };
  status = (status: ConnectionStatus) => {
    this.statuses.push(status);
    this.wake();
  };
  until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve();
        }
      };
      this.waiters.push(waiter);
    });
  }
  lastState(profileId: string) {
    return this.statuses.filter((s) => s.profileId === profileId).at(-1)?.state;
  }
  private wake() {
    for (const waiter of [...this.waiters]) waiter();
  }
}

const app = { id: 'hub-test', key: 'hub-key', secret: 'hub-secret' };
let server: MockServer | undefined;
let hub: ConnectionHub | undefined;

afterEach(async () => {
  hub?.closeAll();
  await server?.close();
  hub = undefined;
  server = undefined;
});

function profile(port: number, secret = app.secret) {
  return ProfileInputSchema.parse({ id: 'local', name: 'local', kind: 'reverb', host: '127.0.0.1', port, key: app.key, auth: { mode: 'secret', secret } });
}

function publisher(port: number) {
  return new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: '127.0.0.1', port: String(port), useTLS: false });
}

describe('ConnectionHub against the mock provider', () => {
  it('subscribes to public and private channels and captures timestamped frames', async () => {
    server = await startMockServer({ port: 0, apps: [app] });
    const sink = new RecordingSink();
    // pusher-js's logger (read when a client is created): nothing per event — "No callbacks on …"
    // would be stringified for every event, logging on or off.
    const logged: string[] = [];
    PusherClient.log = (message: string) => logged.push(message);
    hub = new ConnectionHub(sink);
    hub.connect(profile(server.port));
    await sink.until(() => sink.lastState('local') === 'connected', 'connected');

    await expect(hub.subscribe('local', 'public-feed')).resolves.toEqual({ name: 'public-feed', status: 'subscribed' });
    await expect(hub.subscribe('local', 'private-ai.s1')).resolves.toEqual({ name: 'private-ai.s1', status: 'subscribed' });

    const before = performance.timeOrigin + performance.now();
    await publisher(server.port).trigger('private-ai.s1', 'chunk.delivered', { session_id: 's1', chunk: 'Hel', sequence: 1, state: 'generating', termination_code: null });
    await publisher(server.port).trigger('public-feed', 'news', 'plain text');
    // Payloads pusher-js decodes in its own ways: a string that is JSON, text with quotes,
    // escapes and astral characters, a key named __proto__.
    await publisher(server.port).trigger('public-feed', 'odd', '123');
    await publisher(server.port).trigger('public-feed', 'odd', 'é "}]\n\u2028 🚀');
    await publisher(server.port).trigger('public-feed', 'odd', JSON.parse('{"__proto__":{"x":1},"list":[1.5e300,-0,null]}') as object);
    await publisher(server.port).trigger('public-feed', 'news', 'plain text');
    await sink.until(() => sink.records.filter((r) => r.type === 'frame' && r.event === 'news').length === 2, 'public frames');
    const frame = sink.records.find((r) => r.type === 'frame' && r.event === 'chunk.delivered');
    expect(frame).toMatchObject({ type: 'frame', connection: 'local', channel: 'private-ai.s1', data: { session_id: 's1', sequence: 1 } });
    expect(frame!.at).toBeGreaterThanOrEqual(before);
    expect(frame!.at % 1).not.toBe(0); // sub-millisecond precision
    expect(sink.records.find((r) => r.type === 'frame' && r.event === 'news')).toMatchObject({ data: 'plain text' });
    PusherClient.log = undefined as unknown as typeof PusherClient.log;
    expect(logged.filter((line) => line.includes('No callbacks'))).toEqual([]);
    // Every frame came with its wire text, the WebSocket message as it arrived, which the
    // journal decodes back into the very same record.
    const frames = sink.records.flatMap((record, i) => (record.type === 'frame' ? [{ record, wireText: sink.wireText[i] }] : []));
    expect(frames.map(({ record }) => record.type === 'frame' && record.event)).toEqual(
      expect.arrayContaining(['pusher_internal:subscription_succeeded', 'chunk.delivered', 'news']),
    );
    const builder = new CapturedBatchBuilder();
    for (const { record, wireText } of frames) {
      expect(wireText).toBeDefined();
      builder.add(record, wireText);
    }
    const decoded = capturedRecords(builder.take());
    expect(decoded).toEqual({ ok: true, records: frames.map(({ record }) => record) });
    expect(frames.filter(({ record }) => record.type === 'frame' && record.event === 'odd').map(({ record }) => (record as { data: unknown }).data)).toEqual([
      123,
      'é "}]\n\u2028 🚀',
      JSON.parse('{"__proto__":{"x":1},"list":[1.5e300,0,null]}'),
    ]);
    // toEqual does not see an own "__proto__" key: compare as JSON.
    expect(JSON.stringify(decoded.ok && decoded.records)).toBe(JSON.stringify(frames.map(({ record }) => record)));
    expect(sink.records.filter((r) => r.type === 'subscription' && r.status === 'subscribed').map((r) => (r as { channel: string }).channel)).toEqual([
      'public-feed',
      'private-ai.s1',
    ]);
    expect(sink.records.find((r) => r.type === 'connection' && r.state === 'connected')).toMatchObject({ socketId: expect.stringMatching(/^\d+\.\d+$/) });
  });

  it('journals a frame without an event name (named "") next to well-formed ones', async () => {
    // A server we do not control: it completes the handshake, then breaks the protocol once.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (socket) => {
      socket.send(JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '1.1', activity_timeout: 30 }) }));
      socket.send(JSON.stringify({ channel: 'feed', data: '{"a":1}' }));
      socket.send(JSON.stringify({ event: 'news', channel: 'feed', data: '{"a":2}' }));
    });
    await new Promise((resolve) => wss.once('listening', resolve));
    const sink = new RecordingSink();
    hub = new ConnectionHub(sink);
    hub.connect(profile((wss.address() as { port: number }).port));
    await sink.until(() => sink.records.some((r) => r.type === 'frame' && r.event === 'news'), 'the well-formed frame');
    const frames = sink.records.filter((r) => r.type === 'frame');
    expect(frames.map((r) => ({ event: r.event, channel: r.channel, data: r.data }))).toEqual([
      { event: '', channel: 'feed', data: { a: 1 } },
      { event: 'news', channel: 'feed', data: { a: 2 } },
    ]);
    // The journal takes both: the nameless one as its record, the other from its wire text.
    const builder = new CapturedBatchBuilder();
    sink.records.forEach((record, i) => builder.add(record, sink.wireText[i]));
    expect(sink.wireText.filter((text) => text !== undefined)).toHaveLength(1);
    expect(capturedRecords(builder.take())).toEqual({ ok: true, records: sink.records });
    hub.closeAll();
    hub = undefined;
    await new Promise((resolve) => wss.close(resolve));
  });

  it('hands channel events to pusher-js decoded as pusher-js decodes them, without its per-event debug log', async () => {
    // A server we script frame by frame: channel events with each kind of payload pusher-js treats apart.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    let socket: import('ws').WebSocket | undefined;
    const fromClient: string[] = [];
    wss.on('connection', (connection) => {
      socket = connection;
      connection.send(JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '1.1', activity_timeout: 30 }) }));
      connection.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { event: string; data?: { channel?: string } };
        fromClient.push(message.event);
        if (message.event !== 'pusher:subscribe') return;
        const presence = message.data?.channel?.startsWith('presence-') ? { presence: { ids: ['u7'], hash: { u7: {} }, count: 1 } } : {};
        connection.send(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel: message.data?.channel, data: JSON.stringify(presence) }));
      });
    });
    await new Promise((resolve) => wss.once('listening', resolve));
    const sink = new RecordingSink();
    hub = new ConnectionHub(sink);
    hub.connect(profile((wss.address() as { port: number }).port));
    await expect(hub.subscribe('local', 'feed')).resolves.toMatchObject({ status: 'subscribed' });
    await expect(hub.subscribe('local', 'presence-room')).resolves.toMatchObject({ status: 'subscribed' });
    // What pusher-js itself delivers to a channel's callbacks (the hub's client is the newest instance).
    const client = PusherClient.instances.at(-1)!;
    const delivered: { event: string; data: unknown; userId?: unknown }[] = [];
    client.channel('feed').bind_global((event: string, data: unknown) => {
      if (!event.startsWith('pusher')) delivered.push({ event, data });
    });
    client
      .channel('presence-room')
      .bind('client-typing', (_data: unknown, metadata: { user_id?: unknown }) => delivered.push({ event: 'metadata', data: null, userId: metadata.user_id }));
    const payloads: { frame: Record<string, unknown>; data: unknown }[] = [
      { frame: { event: 'news', channel: 'feed', data: '{"a":1,"t":"\u00e9\u2028"}' }, data: { a: 1, t: '\u00e9\u2028' } },
      { frame: { event: 'news', channel: 'feed', data: 'plain words' }, data: 'plain words' },
      { frame: { event: 'news', channel: 'feed', data: { inline: true } }, data: { inline: true } },
      { frame: { event: 'news', channel: 'feed', data: '"quoted"' }, data: 'quoted' },
      { frame: { event: 'client-typing', channel: 'presence-room', data: '{}', user_id: 'u7' }, data: {} },
    ];
    const channelEvents = () => sink.records.filter((r) => r.type === 'frame' && r.channel !== undefined && !r.event.startsWith('pusher'));
    const rounds = 40;
    const texts = Array.from({ length: rounds }, () => payloads.map((p) => JSON.stringify(p.frame))).flat();
    const ping = JSON.stringify({ event: 'pusher:ping', data: '{}' });
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      for (const text of texts) socket!.send(text);
      socket!.send(ping);
      await sink.until(() => channelEvents().length === texts.length, 'every channel event');
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 5000;
        const poll = () => (fromClient.includes('pusher:pong') ? resolve() : Date.now() > deadline ? reject(new Error('no pong')) : setTimeout(poll, 5));
        poll();
      });
      // pusher-js's own handler stringifies every message it decodes for its debug logger, even
      // with logging off: 200 events would be 200 calls or more (405 measured without the hub's
      // interception). The pong pusher-js sent, and anything the test runner sends meanwhile, are a few.
      expect(stringify.mock.calls.length).toBeLessThan(texts.length / 4);
    } finally {
      stringify.mockRestore();
    }
    const frames = channelEvents();
    expect(frames.map((r) => (r.type === 'frame' ? r.data : undefined))).toEqual(Array.from({ length: rounds }, () => payloads.map((p) => p.data)).flat());
    // Channel dispatch after the hub is pusher-js's own: same events, same data, the user id as metadata.
    expect(delivered.filter((d) => d.event !== 'metadata')).toEqual(
      frames.filter((r) => r.type === 'frame' && r.channel === 'feed').map((r) => ({ event: r.type === 'frame' ? r.event : '', data: r.type === 'frame' ? r.data : undefined })),
    );
    expect(delivered.filter((d) => d.event === 'metadata')).toEqual(Array.from({ length: rounds }, () => ({ event: 'metadata', data: null, userId: 'u7' })));
    // Every channel event still reaches the journal as its wire text, decoding to the hub's record.
    const builder = new CapturedBatchBuilder();
    sink.records.forEach((record, i) => builder.add(record, sink.wireText[i]));
    expect(capturedRecords(builder.take())).toEqual({ ok: true, records: sink.records });

    // With pusher-js logging on, pusher-js decodes (and logs) every message itself, as it always did.
    // Its logger reads the hook from its core class, the base of the exported PusherWithEncryption.
    const core = Object.getPrototypeOf(PusherClient) as { log?: unknown };
    const logged: string[] = [];
    core.log = (message: string) => logged.push(message);
    try {
      socket!.send(JSON.stringify({ event: 'news', channel: 'feed', data: '{"last":true}' }));
      await sink.until(() => sink.records.some((r) => r.type === 'frame' && (r.data as { last?: boolean } | null)?.last === true), 'the logged event');
      expect(logged.some((line) => line.includes('Event recd') && line.includes('"last":true'))).toBe(true);
    } finally {
      core.log = undefined;
    }
    hub.closeAll();
    hub = undefined;
    await new Promise((resolve) => wss.close(resolve));
  });

  it('lets go of a stopped client: pusher-js would keep every client it made', async () => {
    server = await startMockServer({ port: 0, apps: [app] });
    const before = PusherClient.instances.length;
    for (let round = 0; round < 5; round++) {
      const sink = new RecordingSink();
      const roundHub = new ConnectionHub(sink);
      roundHub.connect(profile(server.port));
      await sink.until(() => sink.lastState('local') === 'connected', 'connected');
      expect(PusherClient.instances.length).toBe(before + 1);
      roundHub.closeAll();
    }
    expect(PusherClient.instances.length).toBe(before);
  });

  it('surfaces a wrong secret as a clear auth error on the channel and the connection', async () => {
    server = await startMockServer({ port: 0, apps: [app] });
    const sink = new RecordingSink();
    hub = new ConnectionHub(sink);
    hub.connect(profile(server.port, 'not-the-secret'));
    const status = await hub.subscribe('local', 'private-ai.s2');
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('auth_failed');
    expect(status.error?.message).toMatch(/private-ai\.s2/);
    expect(hub.status('local')?.lastError?.message).toMatch(/subscription to private-ai\.s2 failed/);
    expect(sink.records.find((r) => r.type === 'subscription' && r.status === 'failed')).toBeDefined();
    // The connection itself stays up: public channels still work.
    await expect(hub.subscribe('local', 'public-ok')).resolves.toMatchObject({ status: 'subscribed' });
  });

  it('goes unavailable when the server stops and comes back connected, resubscribed, after a restart', async () => {
    server = await startMockServer({ port: 0, apps: [app] });
    const port = server.port;
    const sink = new RecordingSink();
    hub = new ConnectionHub(sink);
    hub.connect(profile(port));
    await hub.subscribe('local', 'private-ai.s3');
    await server.close();
    await sink.until(() => ['unavailable', 'connecting', 'disconnected'].includes(sink.lastState('local') ?? ''), 'connection loss', 15_000);
    const lostAt = sink.statuses.length;

    server = await startMockServer({ port, apps: [app] });
    await sink.until(() => sink.statuses.slice(lostAt).some((s) => s.state === 'connected'), 'reconnected', 30_000);
    await sink.until(() => sink.records.filter((r) => r.type === 'subscription' && r.status === 'subscribed').length >= 2, 'resubscribed', 15_000);
    await publisher(port).trigger('private-ai.s3', 'chunk.delivered', { session_id: 's3', chunk: 'x', sequence: 1, state: 'generating', termination_code: null });
    await sink.until(() => sink.records.some((r) => r.type === 'frame' && r.channel === 'private-ai.s3'), 'frame after restart');
    // The new socket's messages come with their wire text too, decoding to the same record.
    const index = sink.records.findIndex((r) => r.type === 'frame' && r.event === 'chunk.delivered');
    const builder = new CapturedBatchBuilder();
    builder.add(sink.records[index]!, sink.wireText[index]);
    expect(sink.wireText[index]).toMatch(/^\{.*"chunk\.delivered"/);
    expect(capturedRecords(builder.take())).toEqual({ ok: true, records: [sink.records[index]] });
    const states = sink.records.filter((r) => r.type === 'connection').map((r) => (r as { state: string }).state);
    expect(states[0]).toBe('connecting');
    expect(states).toContain('connected');
    expect(states.some((s) => s === 'unavailable' || s === 'disconnected' || s === 'connecting')).toBe(true);
    expect(states.at(-1)).toBe('connected');
  }, 60_000);
});
