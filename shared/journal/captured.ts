import { RecordBatchBuilder, type RecordBatch } from './batch';
import { checkRecord } from './guards';
import type { FrameRecord, JournalRecord } from './records';

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
}

/** Collects records (or Pusher frames' wire text) into a {@link CapturedBatch}. */
export class CapturedBatchBuilder {
  private items: (JournalRecord | string)[] = [];
  private ats: number[] = [];
  private connectionOf: number[] = [];
  private connections: string[] = [];
  private lastConnection = '';
  private lastIndex = -1;

  /** `wireText`, when given, is the WebSocket message the frame `record` was decoded from. */
  add(record: JournalRecord, wireText?: string): void {
    if (wireText === undefined || record.type !== 'frame') {
      this.items.push(record);
      this.ats.push(0);
      this.connectionOf.push(0);
      return;
    }
    this.items.push(wireText);
    this.ats.push(record.at);
    this.connectionOf.push(this.connectionIndex(record.connection));
  }

  get count(): number {
    return this.items.length;
  }

  take(): CapturedBatch {
    const batch: CapturedBatch = { items: this.items, ats: Float64Array.from(this.ats), connectionOf: Uint16Array.from(this.connectionOf), connections: this.connections };
    this.items = [];
    this.ats = [];
    this.connectionOf = [];
    this.connections = [];
    this.lastConnection = '';
    this.lastIndex = -1;
    return batch;
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
  return { items: [...records], ats: new Float64Array(records.length), connectionOf: new Uint16Array(records.length), connections: [] };
}

/** A captured batch decoded: its records, and the same as a {@link RecordBatch} ready to store. */
export interface DecodedCapture {
  records: JournalRecord[];
  batch: RecordBatch;
}

/**
 * The batch's records, wire text decoded, and its {@link RecordBatch}; or a message naming
 * the first item that is neither a valid record nor a Pusher frame's wire text (the whole batch
 * is refused: nothing half-written). A wire frame's NDJSON line is put together from its parts
 * — the payload's own JSON text goes in as it came — instead of serializing the decoded record
 * again: the line parses to that same record.
 */
export function decodeCapture(value: unknown): { ok: true; capture: DecodedCapture } | { ok: false; message: string } {
  if (typeof value !== 'object' || value === null) return { ok: false, message: 'a captured batch must be an object' };
  const { items, ats, connectionOf, connections } = value as Partial<Record<keyof CapturedBatch, unknown>>;
  if (!Array.isArray(items)) return { ok: false, message: 'captured batch "items" must be an array' };
  if (!(ats instanceof Float64Array) || ats.length !== items.length) return { ok: false, message: 'captured batch "ats" must be a Float64Array as long as "items"' };
  if (!(connectionOf instanceof Uint16Array) || connectionOf.length !== items.length) return { ok: false, message: 'captured batch "connectionOf" must be a Uint16Array as long as "items"' };
  if (!Array.isArray(connections) || !connections.every((name) => typeof name === 'string' && name.length > 0)) return { ok: false, message: 'captured batch "connections" must be non-empty strings' };
  const records: JournalRecord[] = new Array<JournalRecord>(items.length);
  const builder = new RecordBatchBuilder();
  const heads = new LineHeads();
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (typeof item !== 'string') {
      const check = checkRecord(item);
      if (!check.ok) return { ok: false, message: `captured batch item ${i}: ${check.unknownType ? 'unknown record type' : check.message}` };
      records[i] = check.record;
      builder.add(check.record);
      continue;
    }
    const connection = connections[connectionOf[i]!] as string | undefined;
    if (connection === undefined) return { ok: false, message: `captured batch item ${i}: names no connection` };
    const at = ats[i]!;
    if (!Number.isFinite(at)) return { ok: false, message: `captured batch item ${i}: has no finite arrival time` };
    const decoded = decodePusherFrame(item);
    if (typeof decoded === 'string') return { ok: false, message: `captured batch item ${i}: ${decoded}` };
    const { event, channel, data, dataText } = decoded;
    // Same fields, same order as the hub's own frame record (connection-base.ts).
    const record: FrameRecord = channel === undefined ? { type: 'frame', at, connection, event, data } : { type: 'frame', at, connection, channel, event, data };
    records[i] = record;
    // JSON may hold line breaks between tokens; an NDJSON line may not (inside strings they are escaped).
    const payload = dataText !== undefined && !dataText.includes('\n') && !dataText.includes('\r') ? dataText : JSON.stringify(data);
    builder.add(record, `${heads.of(connection, channel, event, at)}${payload}}\n`);
  }
  return { ok: true, capture: { records, batch: builder.take() } };
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
