import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ConnectionHub } from './connection-hub';
import { readSmallBody } from '../http-body';
import { MAX_WEBHOOK_BYTES, readWebhook, WEBHOOK_PATH } from './webhooks';

/**
 * Answers one webhook POST (the headless host's `/webhooks/pusher`, `watch --webhook-port`): the
 * body read up to MAX_WEBHOOK_BYTES, its signature checked against the secret of the profile with
 * its app key, its channel events handed to that profile's discovery. Every refusal is an HTTP
 * error with its reason in words (a server retries what it was refused; the log says why).
 */
export function answerWebhook(request: IncomingMessage, response: ServerResponse, hub: ConnectionHub): void {
  const reply = (status: number, body: Record<string, unknown>) => {
    if (response.headersSent) return;
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };
  readSmallBody(request, response, MAX_WEBHOOK_BYTES, `a webhook body is at most ${MAX_WEBHOOK_BYTES} bytes`, (text) => {
    const reading = readWebhook(text, header(request, 'x-pusher-key'), header(request, 'x-pusher-signature'), (key) => hub.webhookSecret(key));
    if (!reading.ok) return reply(reading.status, { error: reading.message });
    const discoveries = hub.webhook(reading.key, reading.events);
    reply(200, { events: reading.events.length, discoveries });
  });
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface WebhookListener {
  readonly url: string;
  close(): Promise<void>;
}

/** The webhook receiver of `watch --webhook-port`: loopback only, one path, everything else 404. */
export async function listenForWebhooks(hub: ConnectionHub, port: number): Promise<WebhookListener> {
  const server = createServer((request, response) => {
    if (request.method === 'POST' && (request.url ?? '').split('?')[0] === WEBHOOK_PATH) return answerWebhook(request, response, hub);
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`webhooks are received at POST ${WEBHOOK_PATH}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
