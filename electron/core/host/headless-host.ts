import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { BRIDGE_PATH, BRIDGE_TOKEN_META, BridgeClientMessageSchema, fail, type BridgeServerMessage } from '../../../shared/api';
import type { AppService } from '../app';
import { answerMetrics, type MetricsRecorder } from '../metrics';
import { answerWebhook, WEBHOOK_PATH } from '../hub';
import { answerExport, EXPORT_PATH } from './journal-download';
import { allowedHostHeaders, isAllowedHostHeader, isOwnOrigin } from './loopback-host';
import { serveStatic } from './static-files';

export interface HeadlessHostOptions {
  service: AppService;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  port?: number;
  /** Largest bridge message accepted from a client. */
  maxMessageBytes?: number;
  /** Serves `GET /metrics` (Prometheus text) from this recorder. */
  metrics?: MetricsRecorder;
}

export interface HeadlessHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the built renderer and implements the App API over a WebSocket bridge,
 * on loopback. Every request and upgrade must be addressed to a loopback `Host` with this
 * port (loopback-host.ts: a DNS-rebound page gets 421 and no token); the bridge also needs
 * the per-run token the served page carries and exactly its origin, so another site open in
 * the browser cannot drive it.
 */
export async function startHeadlessHost(options: HeadlessHostOptions): Promise<HeadlessHost> {
  const host = options.host ?? '127.0.0.1';
  const token = randomBytes(24).toString('hex');
  const injectToken = (html: string) => html.replace('<head>', `<head><meta name="${BRIDGE_TOKEN_META}" content="${token}">`);

  let allowed: ReadonlySet<string> = new Set();
  const server: Server = createServer((request, response) => {
    if (!isAllowedHostHeader(request.headers.host, allowed)) {
      response.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end(misdirected(allowed));
      return;
    }
    // Pusher/soketi webhooks (signed with the app secret, not the page token): discovery hears of channels at once.
    if (request.method === 'POST' && (request.url ?? '').split('?')[0] === WEBHOOK_PATH) {
      answerWebhook(request, response, options.service.hub);
      return;
    }
    if (request.method === 'GET' && (request.url ?? '').split('?')[0] === EXPORT_PATH) {
      // A download of the journal: the page's token, as the bridge asks, so only this dashboard gets it.
      const params = new URL(request.url ?? '/', 'http://localhost').searchParams;
      if (!tokenMatches(params.get('token'), token)) {
        response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('a journal download needs the token of the dashboard page that asks for it');
        return;
      }
      void answerExport(params, response, options.service);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (options.metrics && answerMetrics(options.metrics, request, response)) return;
    serveStatic(options.rendererDir, request.url ?? '/', response, injectToken).catch(() => {
      // A failure serveStatic did not answer itself (the page transform): a 500, not a crashed host.
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      else response.destroy();
    });
  });
  const bridge = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? 1024 * 1024 });

  server.on('upgrade', (request, socket, head) => {
    // An upgraded socket has no error listener of Node's any more: a client that resets while
    // being refused would raise an unhandled ECONNRESET and end the process.
    socket.on('error', () => socket.destroy());
    if (!isAuthorizedUpgrade(request, token, allowed)) {
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
  allowed = allowedHostHeaders(port, host);
  // A wildcard listener is reached through loopback (the one Host always allowed).
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    close: async () => {
      for (const client of bridge.clients) client.terminate();
      bridge.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function tokenMatches(given: string | null, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function misdirected(allowed: ReadonlySet<string>): string {
  return `EchoScope answers only at ${[...allowed].map((h) => `http://${h}/`).join(', ')}: this request was addressed to another host name (DNS rebinding protection)`;
}

function isAuthorizedUpgrade(request: IncomingMessage, token: string, allowed: ReadonlySet<string>): boolean {
  if (!isAllowedHostHeader(request.headers.host, allowed)) return false;
  let url: URL;
  try {
    url = new URL(request.url ?? '/', 'http://localhost');
  } catch {
    return false;
  }
  if (url.pathname !== BRIDGE_PATH) return false;
  if (!tokenMatches(url.searchParams.get('token'), token)) return false;
  return isOwnOrigin(request.headers.origin, request.headers.host, allowed);
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
    // dispatch turns every outcome, a thrown handler included, into a Result: this never rejects.
    void service.handle(command, request, pushes).then((result) => send({ kind: 'result', id, result }));
  });
  // Its subscriptions go with it.
  ws.on('close', () => service.removePushTarget(pushes));
  ws.on('error', () => service.removePushTarget(pushes));
}
