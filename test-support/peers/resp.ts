/**
 * A minimal Redis client (RESP 2 over one socket): commands with replies in order, or PSUBSCRIBE.
 * Enough to read the fixture's ground truth without a Redis client dependency.
 */
import { connect, type Socket } from 'node:net';

export type Reply = string | number | null | Reply[] | Error;

/** Parses one reply at `offset`; undefined when the buffer does not hold all of it yet. */
function parse(buffer: Buffer, offset: number): { reply: Reply; next: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: line, next: after };
    case '-':
      return { reply: new Error(line), next: after };
    case ':':
      return { reply: Number(line), next: after };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, next: after };
      if (buffer.length < after + length + 2) return undefined;
      return { reply: buffer.toString('utf8', after, after + length), next: after + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, next: after };
      const items: Reply[] = [];
      let at = after;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, at);
        if (!item) return undefined;
        items.push(item.reply);
        at = item.next;
      }
      return { reply: items, next: at };
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

export class RedisClient {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Array<{ resolve: (reply: Reply) => void; reject: (error: Error) => void }> = [];
  private onPush: ((reply: Reply[]) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (error) => this.failAll(error));
    socket.on('close', () => this.failAll(new Error('redis connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RedisClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RedisClient(socket));
      });
    });
  }

  command(...args: Array<string | number>): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`);
    });
  }

  /** Switches this connection to PSUBSCRIBE mode: every `pmessage` goes to `onMessage(channel, message)`. */
  async psubscribe(pattern: string, onMessage: (channel: string, message: string) => void): Promise<void> {
    this.onPush = (reply) => {
      if (reply[0] === 'pmessage') onMessage(String(reply[2]), String(reply[3]));
    };
    await this.command('PSUBSCRIBE', pattern);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    for (;;) {
      const parsed = offset < this.buffer.length ? parse(this.buffer, offset) : undefined;
      if (!parsed) break;
      offset = parsed.next;
      const { reply } = parsed;
      if (this.onPush && Array.isArray(reply) && reply[0] === 'pmessage') this.onPush(reply);
      else this.pending.shift()?.resolve(reply);
    }
    this.buffer = this.buffer.subarray(offset);
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }
}
