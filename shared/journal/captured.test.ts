import { describe, expect, it } from 'vitest';
import { batchLine, CapturedBatchBuilder, decodeCapture, decodePusherFrame, type FrameRecord, type JournalRecord } from '.';

const frame = (at: number, channel: string | undefined, event: string, data: unknown): FrameRecord =>
  channel === undefined ? { type: 'frame', at, connection: 'reverb', event, data } : { type: 'frame', at, connection: 'reverb', channel, event, data };

/** What a Pusher server sends: the payload JSON-encoded inside the message, in the server's own formatting. */
const wire = (channel: string | undefined, event: string, dataText: string) => `{"event":${JSON.stringify(event)}${channel === undefined ? '' : `,"channel":${JSON.stringify(channel)}`},"data":${JSON.stringify(dataText)}}`;

describe('decodePusherFrame', () => {
  it('decodes as pusher-js does: the data parsed when it is JSON, else kept as the string', () => {
    expect(decodePusherFrame(wire('private-ai.s1', 'chunk.delivered', '{"sequence":1}'))).toEqual({ event: 'chunk.delivered', channel: 'private-ai.s1', data: { sequence: 1 }, dataText: '{"sequence":1}' });
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
      [frame(2.125, 'private-ai.s1', 'chunk.delivered', { session_id: 's1', chunk: 'a/é', sequence: 1 }), wire('private-ai.s1', 'chunk.delivered', '{"session_id":"s1","chunk":"a\\/\\u00e9","sequence":1}')],
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

  it('refuses a batch whose arrays do not line up', () => {
    expect(decodeCapture(null)).toEqual({ ok: false, message: 'a captured batch must be an object' });
    expect(decodeCapture({ items: ['{}'], ats: new Float64Array(1), connectionOf: new Uint16Array(1), connections: [''] })).toEqual({ ok: false, message: 'captured batch "connections" must be non-empty strings' });
    expect(decodeCapture({ items: ['{"event":"e"}'], ats: new Float64Array([Number.NaN]), connectionOf: new Uint16Array(1), connections: ['c'] })).toEqual({ ok: false, message: 'captured batch item 0: has no finite arrival time' });
  });
});
