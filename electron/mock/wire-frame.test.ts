import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from './server';
import { RawPusherClient } from '../../test-support/raw-pusher-client';
import { encodeTextFrame, OutboundFrame } from './wire-frame';

/**
 * Broadcast frames are framed by the server itself (not by `ws`), so every length encoding of
 * RFC 6455 §5.2 is checked here against the bytes and against a real `ws` client.
 */
describe('encodeTextFrame', () => {
  it.each([
    [0, [0x81, 0]],
    [125, [0x81, 125]],
    [126, [0x81, 126, 0, 126]],
    [65_535, [0x81, 126, 0xff, 0xff]],
    [65_536, [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
  ])('a %i-byte payload gets the header %j', (size, header) => {
    const payload = Buffer.alloc(size, 'x');
    const frame = encodeTextFrame(payload);
    expect([...frame.subarray(0, header.length)]).toEqual(header);
    expect(frame.subarray(header.length).equals(payload)).toBe(true);
  });

  it('builds the bytes once per frame', () => {
    const frame = OutboundFrame.of('{"event":"x"}');
    expect(frame.wire).toBe(frame.wire);
  });
});

describe('pre-framed broadcasts on the wire', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ port: 0 });
  });
  afterAll(() => server.close());

  it.each([10, 300, 70_000])('a %i-character event reaches every subscriber intact', async (size) => {
    const subscribers = await Promise.all([0, 1].map(() => RawPusherClient.connect(`${server.wsUrl}/app/${server.apps[0]!.key}?protocol=7`)));
    for (const client of subscribers) {
      client.send({ event: 'pusher:subscribe', data: { channel: `wire-${size}` } });
      await client.nextEvent('pusher_internal:subscription_succeeded', `wire-${size}`);
    }
    // Multi-byte characters: the frame length counts bytes, not UTF-16 units.
    const data = 'é✓'.repeat(Math.ceil(size / 2)).slice(0, size);
    expect(server.publish({ channel: `wire-${size}`, event: 'big', data })).toBe(2);
    for (const client of subscribers) {
      const frame = await client.nextEvent('big', `wire-${size}`);
      expect(frame.data).toBe(data);
      // A following protocol frame (written by ws itself) still parses: the byte stream is intact.
      await client.roundTrip();
      client.ws.close();
    }
  });
});
