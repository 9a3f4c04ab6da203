import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_QUERY } from '../../../shared/api';
import { openBridge } from '../../../test-support/bridge-client';
import { startMockServer, type MockServer } from '../../mock';
import { AppService } from '../app';
import { ScenarioRunner } from '../scenarios';
import { startHeadlessHost, type HeadlessHost } from './headless-host';

let host: HeadlessHost;
let service: AppService;
let mock: MockServer;
let token: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'echoscope-host-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  mock = await startMockServer({ port: 0 });
  service = new AppService({ transport: 'browser', version: '1.2.3', scenarios: new ScenarioRunner({ mock: () => null }) });
  host = await startHeadlessHost({ service, rendererDir: dir, port: 0 });
  const html = await (await fetch(host.url)).text();
  token = /name="echoscope-bridge-token" content="([0-9a-f]+)"/.exec(html)?.[1] ?? '';
});

afterAll(async () => {
  await host.close();
  service.close();
  await mock.close();
});

function open(path: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, match: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (raw: WebSocket.RawData) => {
      const message = JSON.parse(raw.toString()) as Record<string, unknown>;
      if (match(message)) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('headless host', () => {
  it('serves the dashboard with a CSP and a per-run bridge token, and nothing outside its folder', async () => {
    const response = await fetch(host.url);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    const escape = await fetch(`${host.url}..%2f..%2fetc%2fpasswd`);
    expect([400, 404]).toContain(escape.status);
    expect((await fetch(`${host.url}missing.js`)).status).toBe(404);
  });

  it('refuses the bridge without the token or from another origin', async () => {
    await expect(open('/bridge')).rejects.toThrow('HTTP 403');
    await expect(open(`/bridge?token=${'0'.repeat(48)}`)).rejects.toThrow('HTTP 403');
    await expect(open(`/bridge?token=${token}`, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
  });

  it('answers commands with Result envelopes and pushes batched records after ready', async () => {
    const ws = await open(`/bridge?token=${token}`, { origin: `http://127.0.0.1:${host.port}` });
    const info = nextMessage(ws, (m) => m.id === 1);
    ws.send(JSON.stringify({ kind: 'invoke', id: 1, command: 'app.info', request: {} }));
    expect((await info).result).toEqual({ ok: true, value: { name: 'EchoScope', version: '1.2.3', transport: 'browser', demo: null } });

    const garbage = nextMessage(ws, (m) => m.id === -1);
    ws.send('{not json');
    expect((await garbage).result).toMatchObject({ ok: false, error: { code: 'invalid_request' } });

    const invalid = nextMessage(ws, (m) => m.id === 2);
    ws.send(JSON.stringify({ kind: 'invoke', id: 2, command: 'channels.subscribe', request: { profileId: 'x' } }));
    expect((await invalid).result).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('channel') } });

    ws.send(JSON.stringify({ kind: 'ready' }));
    const app = mock.apps[0]!;
    const saved = nextMessage(ws, (m) => m.id === 3);
    ws.send(
      JSON.stringify({
        kind: 'invoke',
        id: 3,
        command: 'profiles.save',
        request: {
          id: 'm',
          name: 'm',
          kind: 'reverb',
          host: mock.host,
          port: mock.port,
          key: app.key,
          auth: { mode: 'secret', secret: app.secret },
          channels: ['private-ai.bridge'],
        },
      }),
    );
    expect((await saved).result).toMatchObject({ ok: true });
    const connected = nextMessage(ws, (m) => m.kind === 'push' && m.push === 'connections.status' && JSON.stringify(m.payload).includes('"subscribed"'));
    ws.send(JSON.stringify({ kind: 'invoke', id: 4, command: 'connections.connect', request: { profileId: 'm' } }));
    await connected;
    const tail = nextMessage(ws, (m) => m.id === 5);
    ws.send(JSON.stringify({ kind: 'invoke', id: 5, command: 'subscriptions.subscribe', request: { id: 'tail-1', topic: 'tail', params: { channel: 'private-ai.bridge' } } }));
    expect((await tail).result).toMatchObject({ ok: true, value: { id: 'tail-1', snapshot: { dropped: 0 } } });
    const records = nextMessage(ws, (m) => m.kind === 'push' && m.push === 'subscriptions.deltas' && JSON.stringify(m.payload).includes('probe-marker'));
    await fetch(`${mock.httpUrl}/apps/${app.id}/events`).catch(() => undefined); // unsigned: refused, must not matter
    const { default: Pusher } = await import('pusher');
    await new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: mock.host, port: String(mock.port), useTLS: false }).trigger('private-ai.bridge', 'chunk.delivered', {
      marker: 'probe-marker',
    });
    const push = await records;
    const [delta] = (push.payload as { items: Array<{ id: string; delta: { items: Array<{ type: string }> } }> }).items;
    expect(delta?.id).toBe('tail-1');
    expect(delta?.delta.items.some((r) => r.type === 'frame')).toBe(true);
    ws.close();
  });

  it('sends rows only to the socket whose Live view subscribed, and a closed socket frees its subscriptions', async () => {
    const bare = await openBridge(host.port, token);
    const live = await openBridge(host.port, token);
    const bareMessages: Array<Record<string, unknown>> = [];
    bare.ws.on('message', (raw) => bareMessages.push(JSON.parse(raw.toString()) as Record<string, unknown>));
    bare.ready();
    live.ready();
    const before = service.subscriptionCount('live');
    const subscribed = await live.invoke('subscriptions.subscribe', { id: 'live-1', topic: 'live', params: { offset: 0, limit: 20, query: { ...DEFAULT_QUERY, text: 'hh-' } } });
    expect(subscribed).toMatchObject({ ok: true, value: { id: 'live-1', snapshot: { total: 0, rows: [] } } });
    expect(service.subscriptionCount('live')).toBe(before + 1);

    const rowsOf = (message: Record<string, unknown>) =>
      message.kind === 'push' && message.push === 'subscriptions.deltas'
        ? (message.payload as { items: Array<{ id: string; delta: { rows?: Array<{ sessionId: string; events: number }> } }> }).items.flatMap((item) => item.delta.rows ?? [])
        : [];
    const stream = (sessionId: string, from: number, to: number) => {
      for (let sequence = from; sequence <= to; sequence++) {
        service.capture({
          type: 'frame',
          at: Date.now(),
          connection: 'hh',
          channel: `private-ai.${sessionId}`,
          event: 'chunk.delivered',
          data: { session_id: sessionId, chunk: `${sequence} `, sequence, state: 'generating', termination_code: null },
        });
      }
    };
    const first = live.next((m) => rowsOf(m).some((row) => row.sessionId === 'hh-1' && row.events === 50));
    stream('hh-1', 1, 50);
    await first;
    // Frames go on; by the time the Live socket has its next rows, the bare one has flushed too.
    const second = live.next((m) => rowsOf(m).some((row) => row.sessionId === 'hh-1' && row.events === 80));
    stream('hh-1', 51, 80);
    await second;
    expect(bareMessages.filter((m) => m.push === 'subscriptions.deltas')).toEqual([]);
    expect(bareMessages.flatMap(rowsOf)).toEqual([]);

    live.close();
    await vi.waitFor(() => expect(service.subscriptionCount('live')).toBe(before), { timeout: 5000 });
    bare.close();
  });
});

/** GET with an explicit Host header (fetch does not let a caller set it; a rebinding browser does). */
function getWithHost(path: string, hostHeader: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: host.port, path, headers: { host: hostHeader } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('headless host against DNS rebinding', () => {
  it('serves the page (and its token) only to requests addressed to a loopback host with its port', async () => {
    for (const name of [`127.0.0.1:${host.port}`, `localhost:${host.port}`, `LOCALHOST:${host.port}`, `[::1]:${host.port}`]) {
      const page = await getWithHost('/', name);
      expect(page.status, name).toBe(200);
      expect(page.body, name).toContain(token);
    }
    for (const name of [`rebind.test:${host.port}`, 'localhost', `localhost:${host.port + 1}`, `127.0.0.1.evil.example:${host.port}`, `evil.example`]) {
      for (const path of ['/', '/index.html', '/missing.js']) {
        const page = await getWithHost(path, name);
        expect(page.status, `${name}${path}`).toBe(421);
        expect(page.body).not.toContain(token);
      }
    }
    expect((await fetch(host.url)).status).toBe(200); // and it still serves the real page
  });

  it('refuses the bridge to a rebound host name even with the token and its own (rebound) origin', async () => {
    const rebound = `rebind.test:${host.port}`;
    await expect(open(`/bridge?token=${token}`, { host: rebound, origin: `http://${rebound}` })).rejects.toThrow('HTTP 403');
    await expect(open(`/bridge?token=${token}`, { host: rebound })).rejects.toThrow('HTTP 403');
  });

  it('wants exactly the page origin: another port, scheme or loopback name is refused', async () => {
    for (const origin of [
      `http://localhost:${host.port}`,
      `https://127.0.0.1:${host.port}`,
      `http://127.0.0.1:${host.port + 1}`,
      'null',
      `http://127.0.0.1:${host.port}.evil.example`,
    ]) {
      await expect(open(`/bridge?token=${token}`, { origin }), origin).rejects.toThrow('HTTP 403');
    }
    const ws = await open(`/bridge?token=${token}`, { origin: `http://127.0.0.1:${host.port}` });
    ws.close();
  });

  it('reads no scenario file a bridge client names, and quotes nothing from one in errors', async () => {
    const ws = await open(`/bridge?token=${token}`, { origin: `http://127.0.0.1:${host.port}` });
    const dir = mkdtempSync(join(tmpdir(), 'echoscope-secret-'));
    const secrets = join(dir, 'htpasswd.yaml');
    writeFileSync(secrets, 'alice: $6$saltsalt$hashhashhash\nbob: $6$pepper$otherhash\n');
    let id = 100;
    const invoke = async (request: unknown): Promise<{ ok: boolean; error?: { message: string } }> => {
      const own = id++;
      const answer = nextMessage(ws, (m) => m.id === own);
      ws.send(JSON.stringify({ kind: 'invoke', id: own, command: 'scenarios.load', request }));
      return (await answer).result as { ok: boolean; error?: { message: string } };
    };
    for (const path of ['/etc/passwd', secrets]) {
      const result = await invoke({ path });
      expect(result.ok, path).toBe(false);
      expect(result.error?.message).toMatch(/only the scenario files given on the command line/);
    }
    // Uploaded text: errors say where, not what.
    const asText = await invoke({ text: readFileSync(secrets, 'utf8'), fileName: 'htpasswd.yaml' });
    expect(asText.ok).toBe(false);
    expect(asText.error?.message).not.toMatch(/alice|bob|hash|salt|pepper/);
    const broken = await invoke({ text: 'name: x\n  token: sk-live-SECRET: value\n', fileName: 'broken.yaml' });
    expect(broken.ok).toBe(false);
    expect(broken.error?.message).toMatch(/not valid YAML or JSON at line \d+, column \d+/);
    expect(broken.error?.message).not.toContain('SECRET');
    ws.close();
  });
});

describe('headless host against hostile bridge messages', () => {
  it('survives clients that reset the connection while their upgrade is refused', async () => {
    for (let i = 0; i < 200; i++) {
      await new Promise<void>((resolve) => {
        const socket = netConnect(host.port, '127.0.0.1', () => {
          socket.write(
            `GET /bridge?token=x HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          );
          socket.resetAndDestroy(); // RST: the host's 403 hits a reset socket (ECONNRESET)
          resolve();
        });
      });
    }
    expect((await fetch(host.url)).status).toBe(200);
  });

  it('answers a command whose request nests 100,000 levels with an error, and keeps serving', async () => {
    const ws = await open(`/bridge?token=${token}`, { origin: `http://127.0.0.1:${host.port}` });
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const [id, command] of [
      [201, 'profiles.save'],
      [202, 'scenarios.load'],
      [203, 'app.info'],
      [204, 'no.such.command'],
    ] as const) {
      const answer = nextMessage(ws, (m) => m.id === id);
      ws.send(`{"kind":"invoke","id":${id},"command":"${command}","request":{"id":"x","name":${deep},"text":${deep}}}`);
      expect((await answer).result, command).toMatchObject({ ok: false });
    }
    const info = nextMessage(ws, (m) => m.id === 205);
    ws.send(JSON.stringify({ kind: 'invoke', id: 205, command: 'app.info', request: {} }));
    expect((await info).result).toMatchObject({ ok: true });
    ws.close();
  });
});
