import type { FrameRecord, JournalRecord } from './records';
import { decodeWireData, readWireFrame, wireRecords, type WireFrame } from './wire-records';
import { checkRecord } from './guards';
import type { JournalIssue } from './ndjson';

/**
 * HAR import (DESIGN §6): the WebSocket messages a browser saved, as journal records.
 *
 * Chrome (since 76) and Chromium-based tools put them on the entry as `_webSocketMessages`:
 * `{ type: 'send' | 'receive', time: <epoch seconds, fractional>, opcode: 1, data: <text> }`.
 * Firefox exports use the same property when they include WebSocket messages; this reader also
 * accepts `incoming`/`outgoing` as direction names and times already in milliseconds, since
 * third-party exporters differ there. Each WebSocket entry becomes one connection `har:N`.
 *
 * Each message is read as the fault proxy reads what it passes (wire-records.ts).
 *
 * An entry EchoScope wrote (har-export.ts: `_echoscope` names its connection) is read back as it
 * was written: its connection's name and source, and the connection and subscription records its
 * messages carry, instead of records guessed from protocol frames.
 */

export interface HarImport {
  records: JournalRecord[];
  issues: JournalIssue[];
  /** WebSocket entries found. */
  connections: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` (parsed JSON) looks like a HAR document. */
export function isHar(value: unknown): value is { log: { entries: unknown[] } } {
  return isObject(value) && isObject(value.log) && Array.isArray(value.log.entries);
}

/** Epoch ms from a HAR message time: Chrome writes seconds; a value above 1e11 is already ms. */
function messageTimeMs(time: unknown): number | undefined {
  if (typeof time !== 'number' || !Number.isFinite(time)) return undefined;
  return time > 1e11 ? time : time * 1000;
}

function direction(type: unknown): 'receive' | 'send' | undefined {
  if (type === 'receive' || type === 'incoming') return 'receive';
  if (type === 'send' || type === 'outgoing') return 'send';
  return undefined;
}

/** A WebSocket message's Pusher frame, or undefined with the reason in `issues` (its data is not text, or not a Pusher frame). */
function messageFrame(message: Record<string, unknown>, where: string, issues: JournalIssue[]): Extract<WireFrame, { ok: true }> | undefined {
  if (typeof message.data !== 'string') {
    issues.push({ line: 0, message: `${where}: data is not text` });
    return undefined;
  }
  const frame = readWireFrame(message.data);
  if (frame.ok) return frame;
  issues.push({ line: 0, message: `${where}: ${frame.problem}` });
  return undefined;
}

/** Parses a HAR (text or already-parsed JSON) into journal records sorted by arrival time. */
export function parseHar(input: string | unknown): HarImport {
  const issues: JournalIssue[] = [];
  let document: unknown = input;
  if (typeof input === 'string') {
    try {
      document = JSON.parse(input);
    } catch (error) {
      return { records: [], issues: [{ line: 0, message: `not JSON: ${error instanceof Error ? error.message : String(error)}` }], connections: 0 };
    }
  }
  if (!isHar(document)) return { records: [], issues: [{ line: 0, message: 'not a HAR file (no log.entries)' }], connections: 0 };

  const records: JournalRecord[] = [];
  let connections = 0;
  document.log.entries.forEach((entry, entryIndex) => {
    if (!isObject(entry) || !Array.isArray(entry._webSocketMessages)) return;
    connections++;
    const own = ownVantage(entry._echoscope);
    if (own !== undefined) {
      readOwnEntry(entry._webSocketMessages, own, entry._echoscope as Record<string, unknown>, entryIndex, records, issues);
      return;
    }
    const connection = `har:${connections}`;
    entry._webSocketMessages.forEach((message, messageIndex) => {
      const where = `entry ${entryIndex + 1}, message ${messageIndex + 1}`;
      if (!isObject(message)) {
        issues.push({ line: 0, message: `${where}: not an object` });
        return;
      }
      const at = messageTimeMs(message.time);
      const way = direction(message.type);
      if (at === undefined || way === undefined) {
        issues.push({ line: 0, message: `${where}: no usable time or direction` });
        return;
      }
      if (message.opcode !== undefined && message.opcode !== 1) return; // binary or control: not Pusher text
      const frame = messageFrame(message, where, issues);
      if (frame !== undefined) records.push(...wireRecords(frame, way, at, connection));
    });
  });
  // Entries are per connection; the journal is one timeline (stable: same-time order kept).
  records.sort((a, b) => a.at - b.at);
  return { records, issues, connections };
}

/** The vantage an EchoScope-written entry names (`_echoscope: {connection, source?}`), if it is one. */
function ownVantage(value: unknown): { connection: string; source?: string } | undefined {
  if (!isObject(value) || typeof value.connection !== 'string' || value.connection === '') return undefined;
  return typeof value.source === 'string' && value.source !== '' ? { connection: value.connection, source: value.source } : { connection: value.connection };
}

/** Records an EchoScope entry carries (a message's `_echoscope`, the entry's `trailing`), checked one by one. */
function carriedRecords(value: unknown, where: string, records: JournalRecord[], issues: JournalIssue[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    issues.push({ line: 0, message: `${where}: _echoscope is not a list of records` });
    return;
  }
  value.forEach((item, index) => {
    const check = checkRecord(item);
    if (check.ok) records.push(check.record);
    else if (!check.unknownType) issues.push({ line: 0, message: `${where}: carried record ${index + 1}: ${check.message}` });
  });
}

function readOwnEntry(
  messages: unknown[],
  vantage: { connection: string; source?: string },
  meta: Record<string, unknown>,
  entryIndex: number,
  records: JournalRecord[],
  issues: JournalIssue[],
): void {
  messages.forEach((message, messageIndex) => {
    const where = `entry ${entryIndex + 1}, message ${messageIndex + 1}`;
    if (!isObject(message)) {
      issues.push({ line: 0, message: `${where}: not an object` });
      return;
    }
    carriedRecords(message._echoscope, where, records, issues);
    const at = typeof message._at === 'number' && Number.isFinite(message._at) ? message._at : messageTimeMs(message.time);
    if (at === undefined || direction(message.type) !== 'receive' || (message.opcode !== undefined && message.opcode !== 1)) return;
    const frame = messageFrame(message, where, issues);
    if (frame === undefined) return;
    const record: FrameRecord = { type: 'frame', at, connection: vantage.connection, event: frame.event };
    if (vantage.source !== undefined) record.source = vantage.source;
    if (frame.channel !== undefined) record.channel = frame.channel;
    if (frame.data !== undefined) record.data = decodeWireData(frame.data);
    records.push(record);
  });
  carriedRecords(meta.trailing, `entry ${entryIndex + 1}, trailing`, records, issues);
}
