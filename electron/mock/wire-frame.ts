/**
 * A server→client WebSocket text frame built once and written as-is to every subscriber.
 *
 * `ws.send` builds a header per call and writes header and payload as two buffers (a writev per
 * subscriber and per event); at tens of thousands of events per second that per-send work is
 * what queues up in the tail latency. A broadcast frame is identical for every recipient (server
 * frames are never masked, RFC 6455 §5.1, and per-message deflate is off on this server), so
 * its bytes — header and payload in one buffer — are built lazily on first delivery and shared.
 */
export class OutboundFrame {
  private wireBytes: Buffer | null = null;

  constructor(
    /** The Pusher JSON text, UTF-8 encoded. */
    readonly payload: Buffer,
  ) {}

  static of(text: string): OutboundFrame {
    return new OutboundFrame(Buffer.from(text, 'utf8'));
  }

  /** The complete frame: FIN + text opcode, unmasked length, payload. */
  get wire(): Buffer {
    this.wireBytes ??= encodeTextFrame(this.payload);
    return this.wireBytes;
  }
}

const FIN_TEXT = 0x81;

export function encodeTextFrame(payload: Buffer): Buffer {
  const length = payload.length;
  // RFC 6455 §5.2: 7-bit length, or 126 + 16-bit, or 127 + 64-bit (network byte order).
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, headerLength);
  return frame;
}
