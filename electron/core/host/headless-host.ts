import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  BRIDGE_PATH,
  BRIDGE_TOKEN_META,
  BridgeClientMessageSchema,
  fail,
  type BridgeServerMessage,
} from '../../../shared/api';
import type { AppService } from '../app';
import { serveStatic } from './static-files';

export interface HeadlessHostOptions {
  service: AppService;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  port?: number;
  /** Largest bridge message accepted from a client. */
  maxMessageBytes?: number;
}

export interface HeadlessHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the built renderer and implements the App API over a WebSocket bridge,
 * on loopback. The bridge needs the per-run token the served page carries and a
 * same-origin `Origin`, so another site open in the browser cannot drive it.
 */
export async function startHeadlessHost(options: HeadlessHostOptions): Promise<HeadlessHost> {
  const host = options.host ?? '127.0.0.1';
  const token = randomBytes(24).toString('hex');
  const injectToken = (html: string) => html.replace('<head>', `<head><meta name="${BRIDGE_TOKEN_META}" content="${token}">`);

  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    void serveStatic(options.rendererDir, request.url ?? '/', response, injectToken);
  });
  const bridge = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? 1024 * 1024 });

  server.on('upgrade', (request, socket, head) => {
    if (!isAuthorizedUpgrade(request, token)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    bridge.handleUpgrade(request, socket, head, (ws) => attachClient(ws, options.service));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: async () => {
      for (const client of bridge.clients) client.terminate();
      bridge.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isAuthorizedUpgrade(request: IncomingMessage, token: string): boolean {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== BRIDGE_PATH) return false;
  const given = Buffer.from(url.searchParams.get('token') ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const origin = request.headers.origin;
  // Non-browser clients (tests, scripts) send no Origin; a browser always does, and it must be ours.
  return origin === undefined || origin === `http://${request.headers.host}`;
}

function attachClient(ws: WebSocket, service: AppService): void {
  const send = (message: BridgeServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const pushes = service.addPushTarget((push, payload) => send({ kind: 'push', push, payload }));
  ws.on('message', (raw) => {
    let message: unknown;
    try {
      message = JSON.parse(raw.toString());
    } catch {
      send({ kind: 'result', id: -1, result: fail('invalid_request', 'bridge message is not JSON') });
      return;
    }
    const parsed = BridgeClientMessageSchema.safeParse(message);
    if (!parsed.success) {
      send({ kind: 'result', id: -1, result: fail('invalid_request', 'bridge message has an unknown shape') });
      return;
    }
    if (parsed.data.kind === 'ready') {
      pushes.ready();
      return;
    }
    const { id, command, request } = parsed.data;
    void service.handle(command, request).then((result) => send({ kind: 'result', id, result }));
  });
  ws.on('close', () => service.removePushTarget(pushes));
  ws.on('error', () => service.removePushTarget(pushes));
}
