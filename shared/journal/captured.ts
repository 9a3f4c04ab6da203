import { RecordBatchBuilder, type RecordBatch } from './batch';
import { checkRecord } from './guards';
import type { FrameRecord, JournalRecord } from './records';
import { serializeRecord } from './ndjson';
import { journalSessionKey } from './session-key';

/**
 * A batch of records on its way from the capturing thread (Electron main, the host's main
 * thread) to the journal's thread (the journal window, the host's worker). A Pusher frame may
 * cross as its **wire text** — the WebSocket message exactly as it arrived, before pusher-js
 * decoded it (see hub/pusher-connection.ts) — instead of as the record object: a string crosses
 * a thread as one copy, while a structured clone of the record walks every field, and that walk
 * was the costliest thing the journal did on the capturing thread. The journal's thread decodes
 * the text as pusher-js does ({@link decodePusherFrame}), which gives the very same record.
 */
export interface CapturedBatch {
  /** In arrival order: a record, or a Pusher frame's wire text. */
  items: (JournalRecord | string)[];
  /** For wire-text items: arrival time (other items: 0). */
  ats: Float64Array;
  /** For wire-text items: index into `connections` (other items: 0). */
  connectionOf: Uint16Array;
  connections: string[];
  /**
   * For wire-text items whose payload the capturing thread decoded to an object or array: 1 +
   * the index in `sessionKeys` of the frame's journal session key ({@link journalSessionKey} of
   * its record, `''` for none). Then the journal's side parses the message but not the payload
   * inside it (pusher-js already found it to be JSON), and takes the key as given. 0 otherwise
   * (other items, other payloads): the journal's side decodes the payload itself.
   */
  keyOf: Uint16Array;
  sessionKeys: string[];
}

/** Collects records (or Pusher frames' wire text) into a {@link CapturedBatch}. */
export class CapturedBatchBuilder {
  private items: (JournalRecord | string)[] = [];
  private ats: number[] = [];
  private connectionOf: number[] = [];
  private connections: string[] = [];
  private lastConnection = '';
  private lastIndex = -1;
  private keyOf: number[] = [];
  private sessionKeys: string[] = [];
  /** Session key → its `keyOf` value (1-based). */
  private keyIndex = new Map<string, number>();

  /** `wireText`, when given, is the WebSocket message the frame `record` was decoded from. */
  add(record: JournalRecord, wireText?: string): void {
    if (wireText === undefined || record.type !== 'frame') {
      this.items.push(record);
      this.ats.push(0);
      this.connectionOf.push(0);
      this.keyOf.push(0);
      return;
    }
    this.items.push(wireText);
    this.ats.push(record.at);
    this.connectionOf.push(this.connectionIndex(record.connection));
    this.keyOf.push(this.keyHint(record));
  }

  get count(): number {
    return this.items.length;
  }

  take(): CapturedBatch {
    const batch: CapturedBatch = {
      items: this.items,
      ats: Float64Array.from(this.ats),
      connectionOf: Uint16Array.from(this.connectionOf),
      connections: this.connections,
      keyOf: Uint16Array.from(this.keyOf),
      sessionKeys: this.sessionKeys,
    };
    this.items = [];
    this.ats = [];
    this.connectionOf = [];
    this.connections = [];
    this.lastConnection = '';
    this.lastIndex = -1;
    this.keyOf = [];
    this.sessionKeys = [];
    this.keyIndex = new Map();
    return batch;
  }

  /** The frame's `keyOf` value: its session key's, when pusher-js decoded its payload to an object or array. */
  private keyHint(record: FrameRecord): number {
    if (typeof record.data !== 'object' || record.data === null) return 0;
    const key = journalSessionKey(record) ?? '';
    let hint = this.keyIndex.get(key);
    if (hint === undefined) {
      // More distinct keys than a Uint16Array can name: the rest are decoded on the other side.
      if (this.sessionKeys.length >= 0xffff) return 0;
      hint = this.sessionKeys.push(key);
      this.keyIndex.set(key, hint);
    }
    return hint;
  }

  private connectionIndex(connection: string): number {
    if (connection === this.lastConnection && this.lastIndex >= 0) return this.lastIndex;
    let index = this.connections.indexOf(connection);
    if (index < 0) {
      // More than 65,535 connections in one batch cannot happen (profiles are few); stay correct anyway.
      if (this.connections.length >= 0xffff) throw new RangeError('a captured batch names more than 65,535 connections');
      index = this.connections.push(connection) - 1;
    }
    this.lastConnection = connection;
    this.lastIndex = index;
    return index;
  }
}

/** Records as a batch of objects (what an import or a test appends). */
export function capturedBatchOf(records: readonly JournalRecord[]): CapturedBatch {
  return {
    items: [...records],
    ats: new Float64Array(records.length),
    connectionOf: new Uint16Array(records.length),
    connections: [],
    keyOf: new Uint16Array(records.length),
    sessionKeys: [],
  };
}

/** A captured batch decoded: its records, and the same as a {@link RecordBatch} ready to store. */
export interface DecodedCapture {
  records: JournalRecord[];
  batch: RecordBatch;
}

type CaptureCheck = { ok: true; capture: CapturedBatch } | { ok: false; message: string };

/** The batch's arrays, checked to line up (not its items). */
function checkCapture(value: unknown): CaptureCheck {
  if (typeof value !== 'object' || value === null) return { ok: false, message: 'a captured batch must be an object' };
  const { items, ats, connectionOf, connections, keyOf, sessionKeys } = value as Partial<Record<keyof CapturedBatch, unknown>>;
  if (!Array.isArray(items)) return { ok: false, message: 'captured batch "items" must be an array' };
  if (!(ats instanceof Float64Array) || ats.length !== items.length) return { ok: false, message: 'captured batch "ats" must be a Float64Array as long as "items"' };
  if (!(connectionOf instanceof Uint16Array) || connectionOf.length !== items.length)
    return { ok: false, message: 'captured batch "connectionOf" must be a Uint16Array as long as "items"' };
  if (!Array.isArray(connections) || !connections.every((name) => typeof name === 'string' && name.length > 0))
    return { ok: false, message: 'captured batch "connections" must be non-empty strings' };
  if (!(keyOf instanceof Uint16Array) || keyOf.length !== items.length) return { ok: false, message: 'captured batch "keyOf" must be a Uint16Array as long as "items"' };
  if (!Array.isArray(sessionKeys) || !sessionKeys.every((key) => typeof key === 'string')) return { ok: false, message: 'captured batch "sessionKeys" must be strings' };
  return {
    ok: true,
    capture: { items: items as (JournalRecord | string)[], ats, connectionOf, connections: connections as string[], keyOf, sessionKeys: sessionKeys as string[] },
  };
}

/**
 * Item `i` decoded in full: a record checked as such, or a wire text decoded as pusher-js does
 * with the frame's NDJSON line put together from its parts — the payload's own JSON text goes
 * in as it came (re-serialized only when it has line breaks between tokens, which an NDJSON
 * line may not) — so the line parses to that same record. Or what is wrong with the item.
 */
function decodeItem(capture: CapturedBatch, i: number, heads: LineHeads): { record: JournalRecord; line?: string } | string {
  const item: unknown = capture.items[i];
  if (typeof item !== 'string') {
    const check = checkRecord(item);
    return check.ok ? { record: check.record } : `captured batch item ${i}: ${check.unknownType ? 'unknown record type' : check.message}`;
  }
  const problem = wireProblem(capture, i);
  if (problem !== undefined) return problem;
  const connection = capture.connections[capture.connectionOf[i]!]!;
  const at = capture.ats[i]!;
  const decoded = decodePusherFrame(item);
  if (typeof decoded === 'string') return `captured batch item ${i}: ${decoded}`;
  const { event, channel, data, dataText } = decoded;
  // Same fields, same order as the hub's own frame record (connection-base.ts).
  const record: FrameRecord = channel === undefined ? { type: 'frame', at, connection, event, data } : { type: 'frame', at, connection, channel, event, data };
  // A message without `data` (soketi's `pusher_internal:subscription_succeeded`): the line has none either.
  if (data === undefined) return { record, line: serializeRecord(record) };
  const payload = dataText !== undefined && !dataText.includes('\n') && !dataText.includes('\r') ? dataText : JSON.stringify(data);
  return { record, line: `${heads.of(connection, channel, event, at)}${payload}}\n` };
}

/** What is wrong with a wire item's connection or arrival time, if anything. */
function wireProblem(capture: CapturedBatch, i: number): string | undefined {
  if (capture.connections[capture.connectionOf[i]!] === undefined) return `captured batch item ${i}: names no connection`;
  if (!Number.isFinite(capture.ats[i])) return `captured batch item ${i}: has no finite arrival time`;
  return undefined;
}

/**
 * The batch's records, wire text decoded, and its {@link RecordBatch}; or a message naming
 * the first item that is neither a valid record nor a Pusher frame's wire text (the whole batch
 * is refused: nothing half-written). Decodes every payload (the `keyOf` hints are not used).
 */
export function decodeCapture(value: unknown): { ok: true; capture: DecodedCapture } | { ok: false; message: string } {
  const checked = checkCapture(value);
  if (!checked.ok) return checked;
  const capture = checked.capture;
  const records: JournalRecord[] = new Array<JournalRecord>(capture.items.length);
  const builder = new RecordBatchBuilder();
  const heads = new LineHeads();
  for (let i = 0; i < capture.items.length; i++) {
    const decoded = decodeItem(capture, i, heads);
    if (typeof decoded === 'string') return { ok: false, message: decoded };
    records[i] = decoded.record;
    builder.add(decoded.record, decoded.line);
  }
  return { ok: true, capture: { records, batch: builder.take() } };
}

/**
 * What the journal's thread stores of a captured batch: its {@link RecordBatch}, the same as
 * `decodeCapture(value).capture.batch`, for less work. A wire frame with a `keyOf` hint is
 * parsed once (the message, not the payload in it) and goes in by its line and the key the
 * capturing thread gave; no record object is made. A hinted payload that does not start like
 * an object or array, or has line breaks, is decoded in full instead. Refuses a batch as
 * {@link decodeCapture} does.
 */
export function capturedRecordBatch(value: unknown): { ok: true; batch: RecordBatch } | { ok: false; message: string } {
  const checked = checkCapture(value);
  if (!checked.ok) return checked;
  const capture = checked.capture;
  const builder = new RecordBatchBuilder();
  const heads = new LineHeads();
  for (let i = 0; i < capture.items.length; i++) {
    const item = capture.items[i];
    const hint = typeof item === 'string' ? capture.keyOf[i]! : 0;
    if (hint > 0) {
      const sessionKey = capture.sessionKeys[hint - 1];
      if (sessionKey === undefined) return { ok: false, message: `captured batch item ${i}: names no session key` };
      const problem = wireProblem(capture, i);
      if (problem !== undefined) return { ok: false, message: problem };
      const frame = hintedFrame(item as string);
      if (frame !== undefined) {
        const connection = capture.connections[capture.connectionOf[i]!]!;
        const at = capture.ats[i]!;
        builder.addLine(`${heads.of(connection, frame.channel, frame.event, at)}${frame.payload}}\n`, at, connection, frame.channel ?? '', sessionKey);
        continue;
      }
    }
    const decoded = decodeItem(capture, i, heads);
    if (typeof decoded === 'string') return { ok: false, message: decoded };
    builder.add(decoded.record, decoded.line);
  }
  return { ok: true, batch: builder.take() };
}

/**
 * A hinted wire frame's event, channel and payload JSON, from one parse of the message; the
 * payload string is used as it is (the capturing thread's pusher-js parsed it to an object or
 * array). `undefined` when that cannot be taken as given: then the frame is decoded in full.
 */
function hintedFrame(text: string): { event: string; channel: string | undefined; payload: string } | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const { event, channel, data } = message as Record<string, unknown>;
  if (typeof event !== 'string') return undefined;
  let payload: string;
  if (typeof data === 'string') {
    const first = data.charCodeAt(0);
    // `{` or `[`: what JSON of an object or array starts with (leading whitespace is decoded in full).
    if ((first !== 123 && first !== 91) || data.includes('\n') || data.includes('\r')) return undefined;
    payload = data;
  } else if (typeof data === 'object' && data !== null) payload = JSON.stringify(data);
  else return undefined;
  return { event, channel: typeof channel === 'string' ? channel : undefined, payload };
}

/** Records of a captured batch (for a journal in the capturing thread). */
export function capturedRecords(value: unknown): { ok: true; records: JournalRecord[] } | { ok: false; message: string } {
  const decoded = decodeCapture(value);
  return decoded.ok ? { ok: true, records: decoded.capture.records } : decoded;
}

/** `{"type":"frame","at":` … `,"data":` of a frame's NDJSON line, its JSON-encoded names kept per batch. */
class LineHeads {
  /** connection → channel (`undefined` for none) → event → the names' JSON. */
  private readonly names = new Map<string, Map<string | undefined, Map<string, string>>>();

  of(connection: string, channel: string | undefined, event: string, at: number): string {
    let byChannel = this.names.get(connection);
    if (byChannel === undefined) this.names.set(connection, (byChannel = new Map()));
    let byEvent = byChannel.get(channel);
    if (byEvent === undefined) byChannel.set(channel, (byEvent = new Map()));
    let names = byEvent.get(event);
    if (names === undefined) {
      names = `,"connection":${JSON.stringify(connection)}${channel === undefined ? '' : `,"channel":${JSON.stringify(channel)}`},"event":${JSON.stringify(event)},"data":`;
      byEvent.set(event, names);
    }
    // A finite number's JSON is its String().
    return `{"type":"frame","at":${String(at)}${names}`;
  }
}

/**
 * A Pusher protocol message decoded exactly as pusher-js 8 decodes it before it emits the
 * event (`Protocol.decodeMessage`): the text is JSON; its `data`, when a string, is parsed as
 * JSON too, and kept as the string when that fails. A message pusher-js would not deliver
 * (not JSON, not an object, no event name) is an error here. `dataText` is the payload's JSON
 * text when it was one.
 */
export function decodePusherFrame(text: string): { event: string; channel?: string; data: unknown; dataText?: string } | string {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    return `wire text does not parse: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return 'wire text is not a JSON object';
  const { event, channel, data } = message as Record<string, unknown>;
  if (typeof event !== 'string') return 'wire text has no "event" name';
  if (typeof data === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      // Not JSON: pusher-js delivers the string itself.
      return typeof channel === 'string' ? { event, channel, data } : { event, data };
    }
    // Literals, not spreads: this runs for every frame.
    return typeof channel === 'string' ? { event, channel, data: parsed, dataText: data } : { event, data: parsed, dataText: data };
  }
  return typeof channel === 'string' ? { event, channel, data } : { event, data };
}
