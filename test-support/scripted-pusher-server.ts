/**
 * Test support: a minimal Pusher-protocol WebSocket server that sends what real servers send
 * and the mock does not — notably messages without `data`, like soketi's
 * `pusher_internal:subscription_succeeded`. On each subscription it plays `script(channel)`.
 * Auth is not checked. Bound to 127.0.0.1 on a free port. Not product code (STYLE 18).
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ScriptedPusherServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** What the server sends after it confirmed a subscription: wire messages, each an object JSON-encoded as is. */
export type SubscriptionScript = (channel: string) => Array<Record<string, unknown>>;

/** A contract event as a Pusher server sends it: the payload JSON-encoded inside the message. */
export function contractEvent(channel: string, payload: Record<string, unknown>): Record<string, unknown> {
  return { event: 'chunk.delivered', channel, data: JSON.stringify(payload) };
}

export async function startScriptedPusherServer(script: SubscriptionScript): Promise<ScriptedPusherServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  let sockets = 0;
  server.on('connection', (socket: WebSocket) => {
    const socketId = `${++sockets}.${1000 + sockets}`;
    const send = (message: Record<string, unknown>) => socket.send(JSON.stringify(message));
    send({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: socketId, activity_timeout: 120 }) });
    socket.on('message', (raw: Buffer) => {
      let message: { event?: unknown; data?: { channel?: unknown } };
      try {
        message = JSON.parse(raw.toString()) as typeof message;
      } catch {
        return;
      }
      if (message.event === 'pusher:ping') send({ event: 'pusher:pong', data: '{}' });
      if (message.event === 'pusher:subscribe' && typeof message.data?.channel === 'string') {
        const channel = message.data.channel;
        // As soketi sends it: no `data` at all.
        send({ event: 'pusher_internal:subscription_succeeded', channel });
        for (const scripted of script(channel)) send(scripted);
      }
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
