/**
 * HAR export (issue 21, item 5): a journal written as HAR 1.2 and read back by the real HAR reader
 * gives the same records and the same verdicts, and the document is valid HAR 1.2 with Chrome's
 * `_webSocketMessages`. Every expectation comes from how the journal below was built.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeJournal } from '../analysis';
import { harDocument, harTime, pusherWireFrame, type HarVantage } from './har-export';
import { parseHar } from './har';
import type { FrameRecord, JournalRecord } from './records';

const T0 = 1_732_262_400_000.1;

function chunk(session: string, sequence: number, text: string, state = 'generating', code: string | null = null) {
  return { session_id: session, chunk: text, sequence, state, termination_code: code };
}

/**
 * Two live connections and one imported recording, interleaved in time:
 * - c1 carries s1 (4 tokens, #2 delivered twice, completed) and a protocol ping without channel;
 * - c2 carries s2, drops after #2 (a disconnect while it streamed), reconnects and finishes with #3 and a terminal;
 * - alice.ndjson's c1 (same connection name, another vantage) saw s1 too, with #3 missing;
 * - odd payloads ride along: a raw non-JSON string, a string that is JSON text, a frame without data.
 */
function journal(): JournalRecord[] {
  let at = T0;
  const next = () => (at += 7.3);
  const r: JournalRecord[] = [];
  const frame = (connection: string, channel: string | undefined, event: string, data: unknown, source?: string): FrameRecord => {
    const record: FrameRecord = { type: 'frame', at: next(), connection, event };
    if (channel !== undefined) record.channel = channel;
    if (data !== undefined) record.data = data;
    if (source !== undefined) record.source = source;
    return record;
  };
  r.push({ type: 'connection', at: next(), connection: 'c1', state: 'connecting' });
  r.push({ type: 'connection', at: next(), connection: 'c1', state: 'connected', socketId: '1.1' });
  r.push({ type: 'connection', at: next(), connection: 'c2', state: 'connected', socketId: '2.2' });
  r.push({ type: 'subscription', at: next(), connection: 'c1', channel: 'private-ai.s1', status: 'subscribed' });
  r.push({ type: 'subscription', at: next(), connection: 'c2', channel: 'private-ai.s2', status: 'subscribed' });
  r.push({ type: 'subscription', at: next(), connection: 'c1', channel: 'private-ai.s1', status: 'subscribed', source: 'alice.ndjson' });
  r.push(frame('c1', 'private-ai.s1', 'chunk.delivered', chunk('s1', 1, 'Hel')));
  r.push(frame('c2', 'private-ai.s2', 'chunk.delivered', chunk('s2', 1, 'Wor')));
  r.push(frame('c1', 'private-ai.s1', 'chunk.delivered', chunk('s1', 1, 'Hel'), 'alice.ndjson'));
  r.push(frame('c1', 'private-ai.s1', 'chunk.delivered', chunk('s1', 2, 'lo ')));
  r.push(frame('c1', 'private-ai.s1', 'chunk.delivered', chunk('s1', 2, 'lo ')));
  r.push(frame('c2', 'private-ai.s2', 'chunk.delivered', chunk('s2', 2, 'ld')));
  r.push(frame('c1', 'private-ai.s1', 'chunk.delivered', chunk('s1', 2, 'lo '), 'alice.ndjson'));
  r.push({ type: 'connection', at: next(), connection: 'c2', state: 'disconnected', code: 4200, reason: 'reconnect' });
  r.push(frame('c1', undefined, 'pusher:pong', undefined));
  r.push(frame('c1', 'private-ai.s1', 'chunk.delivered', chunk('s1', 3, 'wor')));
  r.push({ type: 'connection', at: next(), connection: 'c2', state: 'connected', socketId: '2.3' });
  r.push({ type: 'subscription', at: next(), connection: 'c2', channel: 'private-ai.s2', status: 'subscribed' });
  r.push(frame('c1', 'private-ai.s1', 'chunk.delivered', chunk('s1', 4, 'ld')));
  r.push(frame('c2', 'private-ai.s2', 'chunk.delivered', chunk('s2', 3, '!')));
  r.push(frame('c1', 'private-ai.s1', 'chunk.delivered', chunk('s1', 4, 'ld'), 'alice.ndjson'));
  r.push(frame('c1', 'private-ai.s1', 'chunk.delivered', chunk('s1', 5, '', 'completed', 'end_turn')));
  r.push(frame('c2', 'private-ai.s2', 'chunk.delivered', chunk('s2', 4, '', 'completed', 'end_turn')));
  r.push(frame('c1', 'private-ai.s1', 'chunk.delivered', chunk('s1', 5, '', 'completed', 'end_turn'), 'alice.ndjson'));
  r.push(frame('c2', 'private-ai.other', 'note', 'not json {'));
  r.push(frame('c2', 'private-ai.other', 'note', '{"looks":"like json"}'));
  r.push(frame('c2', 'private-ai.other', 'bare', undefined));
  r.push({ type: 'subscription', at: next(), connection: 'c1', channel: 'private-ai.s1', status: 'unsubscribed' });
  r.push({ type: 'connection', at: next(), connection: 'c1', state: 'disconnected' });
  return r;
}

async function text(pieces: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const piece of pieces) all += piece;
  return all;
}

/** The journal read as a journal answers a HAR pass: everything, or (a hint) one connection's records. */
function passes(records: readonly JournalRecord[], seen: Array<HarVantage | undefined>) {
  return async function* (vantage: HarVantage | undefined) {
    seen.push(vantage);
    for (const record of records) if (vantage === undefined || record.connection === vantage.connection) yield record;
  };
}

describe('HAR export', () => {
  it('reads back through the HAR reader as the same records and the same verdicts', async () => {
    const records = journal();
    const seen: Array<HarVantage | undefined> = [];
    const counter = { records: 0 };
    const har = await text(harDocument(passes(records, seen), { name: 'EchoScope', version: 'test' }, counter));
    const read = parseHar(har);
    expect(read.issues).toEqual([]);
    // One entry per vantage: c1, c2 and alice.ndjson's c1, in the order they first appear.
    expect(read.connections).toBe(3);
    expect(seen).toEqual([undefined, { connection: 'c2' }, { connection: 'c1', source: 'alice.ndjson' }]);
    expect(counter.records).toBe(records.length);
    // Built in increasing time, so the journal's order is the time order the reader gives back.
    expect(read.records).toEqual(records);
    const before = analyzeJournal(records);
    const after = analyzeJournal(read.records);
    expect(after).toEqual(before);
    // And what those verdicts are, by construction.
    const s1 = before.sessions.filter((s) => s.sessionId === 's1');
    expect(s1.map((s) => [s.source ?? null, s.status, s.duplicates, s.missing])).toEqual([
      [null, 'completed', 1, 0],
      ['alice.ndjson', 'completed', 0, 1],
    ]);
    const s2 = before.sessions.find((s) => s.sessionId === 's2')!;
    expect([s2.status, s2.disconnects, s2.events]).toEqual(['completed', 1, 4]);
  });

  it('is a valid HAR 1.2 document with the frames as received WebSocket messages', async () => {
    const records = journal();
    const har = JSON.parse(await text(harDocument(passes(records, []), { name: 'EchoScope', version: '1.2.3' }))) as {
      log: { version: string; creator: { name: string; version: string }; entries: Array<Record<string, unknown>> };
    };
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator).toEqual({ name: 'EchoScope', version: '1.2.3' });
    expect(har.log.entries).toHaveLength(3);
    const frames = records.filter((r): r is FrameRecord => r.type === 'frame');
    for (const entry of har.log.entries) {
      // Required by HAR 1.2: startedDateTime, time, request, response, cache, timings (send, wait, receive).
      expect(typeof entry.startedDateTime).toBe('string');
      expect(Number.isNaN(Date.parse(entry.startedDateTime as string))).toBe(false);
      expect(typeof entry.time).toBe('number');
      expect(entry.cache).toEqual({});
      const timings = entry.timings as Record<string, number>;
      for (const field of ['send', 'wait', 'receive']) expect(typeof timings[field]).toBe('number');
      const request = entry.request as Record<string, unknown>;
      for (const field of ['method', 'url', 'httpVersion']) expect(typeof request[field]).toBe('string');
      for (const field of ['cookies', 'headers', 'queryString']) expect(Array.isArray(request[field])).toBe(true);
      for (const field of ['headersSize', 'bodySize']) expect(typeof request[field]).toBe('number');
      const response = entry.response as Record<string, unknown>;
      expect(response.status).toBe(101);
      for (const field of ['statusText', 'httpVersion', 'redirectURL']) expect(typeof response[field]).toBe('string');
      for (const field of ['cookies', 'headers']) expect(Array.isArray(response[field])).toBe(true);
      expect(response.content).toMatchObject({ size: 0, mimeType: expect.any(String) });
      expect(entry._resourceType).toBe('websocket');
      const vantage = entry._echoscope as { connection: string; source?: string };
      const own = frames.filter((f) => f.connection === vantage.connection && f.source === vantage.source);
      const messages = entry._webSocketMessages as Array<{ type: string; time: number; opcode: number; data: string }>;
      // Every frame of the vantage, in order, as a Pusher server sends it, at its arrival time in epoch seconds.
      expect(messages.map((m) => [m.type, m.opcode, m.time * 1000, JSON.parse(m.data)])).toEqual(own.map((f) => ['receive', 1, f.at, JSON.parse(pusherWireFrame(f))]));
    }
    const c1 = har.log.entries[0]!._webSocketMessages as Array<{ data: string }>;
    expect(JSON.parse(c1[0]!.data)).toEqual({ event: 'chunk.delivered', channel: 'private-ai.s1', data: JSON.stringify(chunk('s1', 1, 'Hel')) });
  });

  it('keeps every arrival time to the bit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 1e12, max: 2.1e12, noNaN: true }), { minLength: 1, maxLength: 50 }), async (times) => {
        const records: JournalRecord[] = [...times].sort((a, b) => a - b).map((at, i) => ({ type: 'frame', at, connection: 'c1', channel: 'private-ai.s', event: 'e', data: i }));
        const read = parseHar(await text(harDocument(passes(records, []), { name: 'EchoScope', version: 't' })));
        expect(read.records).toEqual(records);
      }),
      { numRuns: 300 },
    );
    // From 2020 on, DevTools' own field (epoch seconds) says it exactly.
    fc.assert(
      fc.property(fc.double({ min: 1.58e12, max: 2.1e12, noNaN: true }), (at) => {
        expect(harTime(at) * 1000).toBe(at);
      }),
      { numRuns: 20_000 },
    );
  });

  it('an empty journal is a HAR without entries', async () => {
    const har = JSON.parse(await text(harDocument(passes([], []), { name: 'EchoScope', version: 't' }))) as { log: { entries: unknown[] } };
    expect(har.log.entries).toEqual([]);
    expect(parseHar(har).records).toEqual([]);
  });
});
