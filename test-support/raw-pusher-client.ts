/**
 * Test kit for the mock provider: a raw protocol-7 client that records frames and lets a test
 * await the next one matching a predicate (never a fixed sleep). Used by the mock's own tests
 * and by anything that wants to talk to the mock below pusher-js.
 */
import WebSocket from 'ws';

export interface ServerFrame {
  event: string;
  channel?: string;
  /** Parsed: protocol 7 sends data as a JSON string; this is its decoded value when it parses. */
  data: unknown;
  raw: string;
  [field: string]: unknown;
}

interface Waiter {
  predicate: (frame: ServerFrame) => boolean;
  resolve: (frame: ServerFrame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export class RawPusherClient {
  readonly frames: ServerFrame[] = [];
  private unread: ServerFrame[] = [];
  private readonly waiters = new Set<Waiter>();
  readonly closed: Promise<CloseInfo>;
  socketId = '';

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        for (const waiter of this.waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error(`socket closed (${code} ${reason.toString()}) while waiting for a frame`));
        }
        this.waiters.clear();
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => this.receive(data.toString('utf8')));
  }

  /** Connects and, unless `expectEstablished` is false, waits for `pusher:connection_established`. */
  static async connect(url: string, expectEstablished = true): Promise<RawPusherClient> {
    const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
    const client = new RawPusherClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (expectEstablished) {
      const established = await client.next((f) => f.event === 'pusher:connection_established');
      client.socketId = String((established.data as { socket_id: string }).socket_id);
    }
    return client;
  }

  private receive(text: string): void {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { event: '<unparseable>' };
    }
    let data: unknown = parsed.data;
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch {
        /* a plain string */
      }
    }
    const frame: ServerFrame = { ...parsed, event: String(parsed.event), data, raw: text };
    if (typeof parsed.channel === 'string') frame.channel = parsed.channel;
    this.frames.push(frame);
    for (const waiter of this.waiters) {
      if (waiter.predicate(frame)) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve(frame);
        return;
      }
    }
    this.unread.push(frame);
  }

  /** Resolves with the first unread frame matching `predicate`, consuming it. */
  next(predicate: (frame: ServerFrame) => boolean = () => true, timeoutMs = 5000): Promise<ServerFrame> {
    const index = this.unread.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.unread.splice(index, 1)[0]!);
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error('socket is closed'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no matching frame within ${timeoutMs} ms; unread: ${this.unread.map((f) => f.raw.slice(0, 200)).join(' | ')}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  nextEvent(event: string, channel?: string, timeoutMs?: number): Promise<ServerFrame> {
    return this.next((f) => f.event === event && (channel === undefined || f.channel === channel), timeoutMs);
  }

  /** Frames already received and not consumed. */
  pending(): ServerFrame[] {
    return [...this.unread];
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a ping and waits for the pong: proof that the connection (and server) still work. */
  async roundTrip(timeoutMs = 5000): Promise<void> {
    this.send({ event: 'pusher:ping', data: {} });
    await this.nextEvent('pusher:pong', undefined, timeoutMs);
  }

  close(): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }
}

/** Resolves when `condition` holds (it may be asked asynchronously: an App API call), polling on the event loop; rejects after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}
