import type { ConnectionRecord, FrameRecord, JournalRecord, SubscriptionRecord } from './records';

/**
 * HAR export (issue 21, "HAR all the way"): journal records as a HAR 1.2 document with Chrome's
 * `_webSocketMessages`, so DevTools and other HAR tools open what EchoScope received.
 *
 * - One entry per vantage (a journal connection, with the file it was imported from when it
 *   was): a WebSocket request (`_resourceType: "websocket"`, status 101) whose messages are its
 *   frames, each `{type: "receive", time: <epoch seconds>, opcode: 1, data: <the Pusher frame>}`.
 *   The frame is put together as a Pusher server sends it: `{"event","channel","data"}` with
 *   `data` JSON-encoded inside (a payload that was not JSON is the string it came as).
 * - What a WebSocket message cannot say — connection state changes, subscription results — rides
 *   along in custom fields (HAR allows `_`-prefixed ones): each message's `_echoscope` lists the
 *   records just before it, the entry's `_echoscope.trailing` those after its last message, and
 *   `_echoscope.connection`/`source` name the vantage. EchoScope's reader (har.ts) takes them
 *   back as they were, so export → import gives the same records and the same verdicts; other
 *   tools ignore them.
 * - `time` is chosen so that `time * 1000` is exactly the record's `at` (the reader's
 *   conversion). Such a double exists for every arrival time tried from 2020 on, not for all
 *   earlier ones: where it does not, the message also carries `_at` (ms), which EchoScope's reader
 *   prefers. A round trip keeps every arrival time to the bit.
 */

export interface HarCreator {
  name: string;
  version: string;
}

export interface HarVantage {
  connection: string;
  source?: string;
}

/** Records before a message (or after an entry's last one) carried along at most: past it the export stops with HarExportError. */
export const MAX_CARRIED_RECORDS = 100_000;

export class HarExportError extends Error {
  override name = 'HarExportError';
}

/** Host of the placeholder URL of an entry: the journal keeps no WebSocket URL, `.invalid` says so (RFC 2606). */
export const HAR_URL_HOST = 'journal.echoscope.invalid';

export function harVantageOf(record: Pick<JournalRecord, 'connection' | 'source'>): HarVantage {
  return record.source === undefined ? { connection: record.connection } : { connection: record.connection, source: record.source };
}

function vantageKey(vantage: HarVantage): string {
  return vantage.source === undefined ? `\u0000${vantage.connection}` : `${vantage.source}\u0001${vantage.connection}`;
}

const float = new Float64Array(1);
const bits = new BigInt64Array(float.buffer);

function nextAfter(value: number, steps: number): number {
  float[0] = value;
  bits[0] = bits[0]! + BigInt(value >= 0 ? steps : -steps);
  return float[0]!;
}

/** Epoch seconds whose `* 1000` is exactly `at` (ms) when such a double exists near `at / 1000`, else the nearest. */
export function harTime(at: number): number {
  const seconds = at / 1000;
  if (seconds * 1000 === at) return seconds;
  for (let step = 1; step <= 4; step++) {
    for (const candidate of [nextAfter(seconds, step), nextAfter(seconds, -step)]) if (candidate * 1000 === at) return candidate;
  }
  return seconds;
}

/** True when `text` parses as JSON (a reader would decode it). */
function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The WebSocket message a Pusher server sent for this frame (`data` JSON-encoded inside it). A
 * payload that was a string not JSON (DESIGN §6: kept as the raw string) goes as that string, as
 * the server sent it; a string that is itself JSON text goes encoded once more, so a reader that
 * decodes `data` gets the string back and not what it spells.
 */
export function pusherWireFrame(record: FrameRecord): string {
  const frame: { event: string; channel?: string; data?: string } = { event: record.event };
  if (record.channel !== undefined) frame.channel = record.channel;
  if (record.data !== undefined) frame.data = typeof record.data === 'string' && !isJsonText(record.data) ? record.data : JSON.stringify(record.data);
  return JSON.stringify(frame);
}

function isoTime(at: number): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

/**
 * Writes one vantage's entry piece by piece: `open` when its first record is known, then
 * `record` for each of its records in arrival order, then `close`. Each returns the text to write.
 */
class HarEntryWriter {
  private carried: Array<ConnectionRecord | SubscriptionRecord> = [];
  private messages = 0;
  private lastAt: number;

  constructor(
    private readonly vantage: HarVantage,
    private readonly firstAt: number,
  ) {
    this.lastAt = firstAt;
  }

  open(first: boolean): string {
    const url = `ws://${HAR_URL_HOST}/connection/${encodeURIComponent(this.vantage.connection)}`;
    const request = { method: 'GET', url, httpVersion: 'HTTP/1.1', cookies: [], headers: [], queryString: [], headersSize: -1, bodySize: 0 };
    const response = {
      status: 101,
      statusText: 'Switching Protocols',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [],
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 0,
    };
    const head = JSON.stringify({ startedDateTime: isoTime(this.firstAt), _resourceType: 'websocket', request, response, cache: {} });
    return `${first ? '' : ','}\n${head.slice(0, -1)},"_webSocketMessages":[`;
  }

  record(record: JournalRecord): string {
    this.lastAt = Math.max(this.lastAt, record.at);
    if (record.type !== 'frame') {
      if (this.carried.length >= MAX_CARRIED_RECORDS)
        throw new HarExportError(
          `connection ${this.vantage.connection} has more than ${MAX_CARRIED_RECORDS} connection and subscription records in a row without a frame: a HAR cannot carry them, export NDJSON instead`,
        );
      this.carried.push(record);
      return '';
    }
    const time = harTime(record.at);
    const message: { type: 'receive'; time: number; opcode: 1; data: string; _at?: number; _echoscope?: unknown[] } = {
      type: 'receive',
      time,
      opcode: 1,
      data: pusherWireFrame(record),
    };
    if (time * 1000 !== record.at) message._at = record.at;
    if (this.carried.length > 0) {
      message._echoscope = this.carried;
      this.carried = [];
    }
    return `${this.messages++ === 0 ? '' : ','}\n${JSON.stringify(message)}`;
  }

  close(): string {
    const tail = {
      time: Math.max(0, this.lastAt - this.firstAt),
      timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: 0, receive: 0, ssl: -1 },
      _echoscope: { ...this.vantage, trailing: this.carried },
    };
    this.carried = [];
    return `],${JSON.stringify(tail).slice(1)}`;
  }
}

/** Text pieces are gathered up to about this many characters before they are handed on. */
const PIECE_CHARS = 256 * 1024;

/**
 * A HAR document of journal records, as text pieces, in bounded memory. A HAR groups messages
 * per connection while a journal interleaves them, so `pass` is read once per vantage: the first
 * pass writes the first vantage seen and notes the others; each later pass writes one of them
 * (`pass` gets the vantage as a hint a journal can filter by, e.g. a connection query). A journal
 * with three connections is read three times; memory holds one piece and the records a message carries.
 */
export async function* harDocument(
  pass: (vantage: HarVantage | undefined) => AsyncIterable<JournalRecord>,
  creator: HarCreator,
  counter: { records: number } = { records: 0 },
): AsyncIterable<string> {
  let buffer = `{"log":{"version":"1.2","creator":${JSON.stringify(creator)},"pages":[],"entries":[`;
  const done = new Set<string>();
  const waiting = new Map<string, HarVantage>();
  let target: HarVantage | undefined;
  let entries = 0;
  for (;;) {
    let entry: HarEntryWriter | undefined;
    let key = target === undefined ? undefined : vantageKey(target);
    for await (const record of pass(target)) {
      const vantage = harVantageOf(record);
      const recordKey = vantageKey(vantage);
      if (key === undefined && !done.has(recordKey)) {
        key = recordKey;
        waiting.delete(recordKey);
      }
      if (recordKey !== key) {
        if (!done.has(recordKey) && !waiting.has(recordKey)) waiting.set(recordKey, vantage);
        continue;
      }
      if (entry === undefined) {
        entry = new HarEntryWriter(vantage, record.at);
        buffer += entry.open(entries++ === 0);
      }
      buffer += entry.record(record);
      counter.records++;
      if (buffer.length >= PIECE_CHARS) {
        yield buffer;
        buffer = '';
      }
    }
    if (entry !== undefined) buffer += entry.close();
    if (key !== undefined) {
      done.add(key);
      waiting.delete(key);
    }
    const next = waiting.entries().next();
    if (next.done) break;
    waiting.delete(next.value[0]);
    target = next.value[1];
  }
  yield `${buffer}\n]}}\n`;
}
