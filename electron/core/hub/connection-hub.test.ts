import Pusher from 'pusher';
import PusherClient from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileInputSchema, type ConnectionStatus } from '../../../shared/api';
import type { JournalRecord } from '../../../shared/journal';
import { startMockServer, type MockServer } from '../../mock';
import { ConnectionHub } from './connection-hub';

/** Collects what the hub reports and lets a test await a matching report (no sleeps). */
class RecordingSink {
  records: JournalRecord[] = [];
  statuses: ConnectionStatus[] = [];
  private waiters: Array<() => void> = [];
  record = (record: JournalRecord) => {
    this.records.push(record);
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
    await sink.until(() => sink.records.some((r) => r.type === 'frame' && r.event === 'news'), 'public frame');
    const frame = sink.records.find((r) => r.type === 'frame' && r.event === 'chunk.delivered');
    expect(frame).toMatchObject({ type: 'frame', connection: 'local', channel: 'private-ai.s1', data: { session_id: 's1', sequence: 1 } });
    expect(frame!.at).toBeGreaterThanOrEqual(before);
    expect(frame!.at % 1).not.toBe(0); // sub-millisecond precision
    expect(sink.records.find((r) => r.type === 'frame' && r.event === 'news')).toMatchObject({ data: 'plain text' });
    PusherClient.log = undefined as unknown as typeof PusherClient.log;
    expect(logged.filter((line) => line.includes('No callbacks'))).toEqual([]);
    expect(sink.records.filter((r) => r.type === 'subscription' && r.status === 'subscribed').map((r) => (r as { channel: string }).channel)).toEqual(['public-feed', 'private-ai.s1']);
    expect(sink.records.find((r) => r.type === 'connection' && r.state === 'connected')).toMatchObject({ socketId: expect.stringMatching(/^\d+\.\d+$/) });
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
    const states = sink.records.filter((r) => r.type === 'connection').map((r) => (r as { state: string }).state);
    expect(states[0]).toBe('connecting');
    expect(states).toContain('connected');
    expect(states.some((s) => s === 'unavailable' || s === 'disconnected' || s === 'connecting')).toBe(true);
    expect(states.at(-1)).toBe('connected');
  }, 60_000);
});
