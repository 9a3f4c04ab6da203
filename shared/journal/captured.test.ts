import { describe, expect, it, vi } from 'vitest';
import { batchLine, CapturedBatchBuilder, capturedRecordBatch, decodeCapture, decodePusherFrame, type FrameRecord, type JournalRecord } from '.';

const frame = (at: number, channel: string | undefined, event: string, data: unknown): FrameRecord =>
  channel === undefined ? { type: 'frame', at, connection: 'reverb', event, data } : { type: 'frame', at, connection: 'reverb', channel, event, data };

/** What a Pusher server sends: the payload JSON-encoded inside the message, in the server's own formatting. */
const wire = (channel: string | undefined, event: string, dataText: string) =>
  `{"event":${JSON.stringify(event)}${channel === undefined ? '' : `,"channel":${JSON.stringify(channel)}`},"data":${JSON.stringify(dataText)}}`;

describe('decodePusherFrame', () => {
  it('decodes as pusher-js does: the data parsed when it is JSON, else kept as the string', () => {
    expect(decodePusherFrame(wire('private-ai.s1', 'chunk.delivered', '{"sequence":1}'))).toEqual({
      event: 'chunk.delivered',
      channel: 'private-ai.s1',
      data: { sequence: 1 },
      dataText: '{"sequence":1}',
    });
    expect(decodePusherFrame(wire('feed', 'news', 'plain text'))).toEqual({ event: 'news', channel: 'feed', data: 'plain text' });
    expect(decodePusherFrame('{"event":"pusher:ping","data":{}}')).toEqual({ event: 'pusher:ping', data: {} });
    // A channel that is not a string is no channel, as the hub records it.
    expect(decodePusherFrame('{"event":"e","channel":7,"data":"1"}')).toEqual({ event: 'e', data: 1, dataText: '1' });
  });

  it('names what pusher-js would not deliver', () => {
    expect(decodePusherFrame('{"event":')).toMatch(/^wire text does not parse/);
    expect(decodePusherFrame('[1]')).toBe('wire text is not a JSON object');
    expect(decodePusherFrame('{"channel":"c","data":"{}"}')).toBe('wire text has no "event" name');
  });
});

describe('decodeCapture', () => {
  it('gives the records in arrival order and NDJSON lines that parse to exactly them', () => {
    const builder = new CapturedBatchBuilder();
    const items: [JournalRecord, string | undefined][] = [
      [{ type: 'connection', at: 1, connection: 'reverb', state: 'connected', socketId: '1.2' }, undefined],
      // The server's formatting of the payload (PHP escapes slashes and non-ASCII) is kept.
      [
        frame(2.125, 'private-ai.s1', 'chunk.delivered', { session_id: 's1', chunk: 'a/é', sequence: 1 }),
        wire('private-ai.s1', 'chunk.delivered', '{"session_id":"s1","chunk":"a\\/\\u00e9","sequence":1}'),
      ],
      [frame(3.5, 'feed', 'news', 'plain "text"'), wire('feed', 'news', 'plain "text"')],
      // JSON with line breaks between tokens: the line is serialized instead.
      [frame(4, 'private-ai.s1', 'chunk.delivered', { session_id: 's1', sequence: 2 }), wire('private-ai.s1', 'chunk.delivered', '{\n  "session_id": "s1",\r\n  "sequence": 2\n}')],
      [frame(5, undefined, 'pusher:pong', {}), '{"event":"pusher:pong","data":{}}'],
      [{ type: 'subscription', at: 6, connection: 'reverb', channel: 'feed', status: 'unsubscribed' }, undefined],
    ];
    for (const [record, text] of items) builder.add(record, text);
    const decoded = decodeCapture(builder.take());
    if (!decoded.ok) throw new Error(decoded.message);
    const { records, batch } = decoded.capture;
    expect(records).toEqual(items.map(([record]) => record));
    expect(batch.count).toBe(items.length);
    expect(Array.from(batch.ats)).toEqual([1, 2.125, 3.5, 4, 5, 6]);
    const lines = records.map((_, i) => batchLine(batch, i));
    expect(lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1 && !line.includes('\r'))).toBe(true);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(records);
    expect(lines[1]).toContain('"data":{"session_id":"s1","chunk":"a\\/\\u00e9","sequence":1}}');
    // Grouped like any batch: the session key comes from the decoded payload.
    expect(batch.groups).toEqual([
      { connection: 'reverb', channel: '', sessionKey: '' },
      { connection: 'reverb', channel: 'private-ai.s1', sessionKey: 's1' },
      { connection: 'reverb', channel: 'feed', sessionKey: 'feed' },
    ]);
  });

  it('writes a message without data (soketi: pusher_internal:subscription_succeeded) as a line without data, never "data":undefined', () => {
    const builder = new CapturedBatchBuilder();
    const items: [FrameRecord, string][] = [
      [frame(1, 'private-ai.s1', 'pusher_internal:subscription_succeeded', undefined), '{"event":"pusher_internal:subscription_succeeded","channel":"private-ai.s1"}'],
      [frame(2, undefined, 'pusher:ping', undefined), '{"event":"pusher:ping"}'],
    ];
    for (const [record, text] of items) builder.add(record, text);
    const batch = builder.take();
    for (const stored of [capturedRecordBatch(batch), decodeCapture(batch)]) {
      if (!stored.ok) throw new Error(stored.message);
      const records = 'batch' in stored ? stored.batch : stored.capture.batch;
      const lines = items.map((_, i) => batchLine(records, i));
      expect(lines).toEqual([
        '{"type":"frame","at":1,"connection":"reverb","channel":"private-ai.s1","event":"pusher_internal:subscription_succeeded"}\n',
        '{"type":"frame","at":2,"connection":"reverb","event":"pusher:ping"}\n',
      ]);
    }
  });

  it('refuses a batch whose arrays do not line up', () => {
    const arrays = { keyOf: new Uint16Array(1), sessionKeys: [] };
    expect(decodeCapture(null)).toEqual({ ok: false, message: 'a captured batch must be an object' });
    expect(decodeCapture({ items: ['{}'], ats: new Float64Array(1), connectionOf: new Uint16Array(1), connections: [''], ...arrays })).toEqual({
      ok: false,
      message: 'captured batch "connections" must be non-empty strings',
    });
    expect(decodeCapture({ items: ['{"event":"e"}'], ats: new Float64Array([Number.NaN]), connectionOf: new Uint16Array(1), connections: ['c'], ...arrays })).toEqual({
      ok: false,
      message: 'captured batch item 0: has no finite arrival time',
    });
    expect(
      decodeCapture({ items: ['{"event":"e"}'], ats: new Float64Array(1), connectionOf: new Uint16Array(1), connections: ['c'], keyOf: new Uint16Array(2), sessionKeys: [] }),
    ).toEqual({ ok: false, message: 'captured batch "keyOf" must be a Uint16Array as long as "items"' });
    // A hint naming no key is refused by the journal's side, which reads hints.
    expect(
      capturedRecordBatch({
        items: ['{"event":"e","data":"{}"}'],
        ats: new Float64Array(1),
        connectionOf: new Uint16Array(1),
        connections: ['c'],
        keyOf: Uint16Array.of(1),
        sessionKeys: [],
      }),
    ).toEqual({ ok: false, message: 'captured batch item 0: names no session key' });
  });
});

describe('capturedRecordBatch', () => {
  const items: [JournalRecord, string | undefined][] = [
    [{ type: 'connection', at: 1, connection: 'reverb', state: 'connected', socketId: '1.2' }, undefined],
    [
      frame(2, 'private-ai.s1', 'chunk.delivered', { session_id: 's1', chunk: 'a/é', sequence: 1 }),
      wire('private-ai.s1', 'chunk.delivered', '{"session_id":"s1","chunk":"a\\/\\u00e9","sequence":1}'),
    ],
    // Payloads pusher-js did not decode to an object or array: no hint, decoded in full.
    [frame(3, 'feed', 'news', 'plain "text"'), wire('feed', 'news', 'plain "text"')],
    [frame(4, 'feed', 'news', 'quoted'), wire('feed', 'news', '"quoted"')],
    // Hinted, but not taken as given: line breaks between tokens, leading whitespace.
    [frame(5, 'private-ai.s1', 'chunk.delivered', { session_id: 's1', sequence: 2 }), wire('private-ai.s1', 'chunk.delivered', '{\n  "session_id": "s1",\r\n  "sequence": 2\n}')],
    [frame(6, 'private-ai.s2', 'chunk.delivered', { session_id: 's2' }), wire('private-ai.s2', 'chunk.delivered', '  {"session_id":"s2"}')],
    // Hinted and taken: a numeric session id, an array, an inline object, no channel.
    [frame(7, 'private-ai.s3', 'chunk.delivered', { session_id: 42, sequence: 1 }), wire('private-ai.s3', 'chunk.delivered', '{"session_id":42,"sequence":1}')],
    [frame(8, 'private-ai.s4', 'tokens', [1, 2]), wire('private-ai.s4', 'tokens', '[1,2]')],
    [
      frame(9, 'private-ai.s5', 'chunk.delivered', { session_id: 's5', chunk: 'x' }),
      '{"event":"chunk.delivered","channel":"private-ai.s5","data":{"session_id":"s5","chunk":"x"}}',
    ],
    [frame(10, undefined, 'pusher:pong', {}), '{"event":"pusher:pong","data":{}}'],
  ];
  const captured = () => {
    const builder = new CapturedBatchBuilder();
    for (const [record, text] of items) builder.add(record, text);
    return builder.take();
  };

  it('hints the session key of frames whose payload pusher-js decoded to an object or array', () => {
    const batch = captured();
    expect(Array.from(batch.keyOf, (hint) => (hint === 0 ? null : batch.sessionKeys[hint - 1]))).toEqual([null, 's1', null, null, 's1', 's2', '42', 's4', 's5', '']);
  });

  it('stores exactly the batch a full decode gives', () => {
    const full = decodeCapture(captured());
    if (!full.ok) throw new Error(full.message);
    expect(capturedRecordBatch(captured())).toEqual({ ok: true, batch: full.capture.batch });
    // And so lines that parse to the records.
    const fast = capturedRecordBatch(captured());
    if (!fast.ok) throw new Error(fast.message);
    expect(items.map((_, i) => JSON.parse(batchLine(fast.batch, i)) as unknown)).toEqual(items.map(([record]) => record));
  });

  it('parses a hinted frame once: the message, not the payload inside it', () => {
    const builder = new CapturedBatchBuilder();
    const count = 50;
    for (let i = 0; i < count; i++)
      builder.add(
        frame(i, 'private-ai.s1', 'chunk.delivered', { session_id: 's1', sequence: i }),
        wire('private-ai.s1', 'chunk.delivered', JSON.stringify({ session_id: 's1', sequence: i })),
      );
    const batch = builder.take();
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(capturedRecordBatch(batch).ok).toBe(true);
      expect(parse).toHaveBeenCalledTimes(count);
      parse.mockClear();
      expect(decodeCapture(batch).ok).toBe(true);
      expect(parse).toHaveBeenCalledTimes(2 * count);
    } finally {
      parse.mockRestore();
    }
  });
});
