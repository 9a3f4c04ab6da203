/**
 * The load generator the server benchmarks share (this process: `ws` subscribers, an HTTP API
 * publisher with batch_events) and our mock in a child process of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { md5Hex, signHttpRequest } from '../electron/mock/signature';

export const APP = { id: 'bench', key: 'bench-key', secret: 'bench-secret' };
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface Target {
  name: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Our server in a child process, like soketi, so neither shares the load generator's event loop. */
export async function startOurs(): Promise<Target> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/mock-server.bench.ts'), '--serve-mock'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`mock exited early (${String(code)})`)));
  });
  return { name: 'echoscope mock', host: '127.0.0.1', port, close: () => stopChild(child) };
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface Subscribers {
  sockets: WebSocket[];
  /** Called with (channel index, send time) for every delivered frame. */
  onDelivery: (handler: (sentAt: number) => void) => void;
  close(): void;
}

export async function subscribe(target: Target, channels: number, perChannel: number): Promise<Subscribers> {
  let handler: (sentAt: number) => void = () => undefined;
  const sockets: WebSocket[] = [];
  const url = `ws://${target.host}:${target.port}/app/${APP.key}?protocol=7`;
  const connectOne = (channel: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      sockets.push(ws);
      ws.on('error', reject);
      ws.on('message', (raw: Buffer) => {
        const text = raw.toString();
        if (text.includes('"bench"')) {
          // data is {"t":<ms>} JSON-encoded inside the frame; cut it out without two JSON.parse calls.
          const at = text.indexOf('\\"t\\":');
          handler(Number.parseFloat(text.slice(at + 6)));
        } else if (text.includes('connection_established')) {
          ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel } }));
        } else if (text.includes('subscription_succeeded')) resolve();
      });
    });
  const pending: Promise<void>[] = [];
  for (let c = 0; c < channels; c += 1) for (let s = 0; s < perChannel; s += 1) pending.push(connectOne(`bench-${c}`));
  // Connect in slices so neither server sees a thundering herd of handshakes.
  for (let i = 0; i < pending.length; i += 200) await Promise.all(pending.slice(i, i + 200));
  return {
    sockets,
    onDelivery: (h) => (handler = h),
    close: () => sockets.forEach((ws) => ws.terminate()),
  };
}

export class Publisher {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });
  constructor(private readonly target: Target) {}

  /** One batch_events request of up to 10 events. */
  batch(channels: string[]): Promise<void> {
    const t = performance.now();
    const body = JSON.stringify({ batch: channels.map((channel) => ({ channel, name: 'bench', data: `{"t":${t}}` })) });
    const path = `/apps/${APP.id}/batch_events`;
    const query = new URLSearchParams({ auth_key: APP.key, auth_timestamp: String(Math.floor(Date.now() / 1000)), auth_version: '1.0', body_md5: md5Hex(body) });
    query.set('auth_signature', signHttpRequest(APP.secret, 'POST', path, query));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.target.host,
          port: this.target.port,
          path: `${path}?${query.toString()}`,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${String(res.statusCode)}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (!condition() && performance.now() - start < timeoutMs) await new Promise((r) => setTimeout(r, 20));
}

/**
 * An open loop: `eventsPerSecond` events published round-robin over `names` for `durationMs`,
 * in batch_events of up to 10, whatever the server's pace; resolves with the count once every
 * request was answered.
 */
export async function publishAtRate(publisher: Publisher, names: readonly string[], eventsPerSecond: number, durationMs: number): Promise<number> {
  const started = performance.now();
  let sent = 0;
  let cursor = 0;
  const inFlight: Promise<void>[] = [];
  while (performance.now() - started < durationMs) {
    const due = Math.floor(((performance.now() - started) / 1000) * eventsPerSecond);
    while (sent < due) {
      const batch: string[] = [];
      for (let i = 0; i < 10 && sent < due; i += 1, sent += 1) batch.push(names[cursor++ % names.length]!);
      inFlight.push(publisher.batch(batch));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(inFlight);
  return sent;
}
