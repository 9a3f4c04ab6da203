/**
 * A client of the headless host's WebSocket bridge, as the served page would be: fetches the
 * page for its token, opens the bridge, invokes commands and awaits pushes (no sleeps).
 */
import WebSocket from 'ws';

export interface BridgeClient {
  ws: WebSocket;
  invoke(command: string, request: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
  /** The next push (or result) message matching `match`. */
  next(match: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Tells the host this client listens: pushes start coming. */
  ready(): void;
  close(): void;
}

/** The bridge token the host put in the page it served (empty when it gave none). */
export async function pageToken(pageUrl: string, headers: Record<string, string> = {}): Promise<{ status: number; token: string }> {
  const response = await fetch(pageUrl, { headers });
  const html = await response.text();
  return { status: response.status, token: /name="echoscope-bridge-token" content="([0-9a-f]+)"/.exec(html)?.[1] ?? '' };
}

export function openBridge(port: number, token: string, headers: Record<string, string> = { origin: `http://127.0.0.1:${port}` }): Promise<BridgeClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge?token=${token}`, { headers });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () => {
      let nextId = 1;
      const next: BridgeClient['next'] = (match) =>
        new Promise((resolveMessage) => {
          const onMessage = (raw: WebSocket.RawData) => {
            const message = JSON.parse(raw.toString()) as Record<string, unknown>;
            if (!match(message)) return;
            ws.off('message', onMessage);
            resolveMessage(message);
          };
          ws.on('message', onMessage);
        });
      resolve({
        ws,
        next,
        invoke: async (command, request) => {
          const id = nextId++;
          const answer = next((m) => m.kind === 'result' && m.id === id);
          ws.send(JSON.stringify({ kind: 'invoke', id, command, request }));
          return (await answer).result as Awaited<ReturnType<BridgeClient['invoke']>>;
        },
        ready: () => ws.send(JSON.stringify({ kind: 'ready' })),
        close: () => ws.close(),
      });
    });
  });
}
