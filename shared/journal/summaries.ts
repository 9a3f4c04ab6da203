import type { BlockGroup } from './blocks';

/**
 * What the journal holds per (connection, channel, session key): a few numbers per
 * session, kept next to the blocks so listing channels and sessions never reads records.
 */
export interface JournalSummaryRow {
  /** {@link summaryKey} of the three fields below. */
  key: string;
  connection: string;
  channel: string;
  sessionKey: string;
  records: number;
  bytes: number;
  firstAt: number;
  lastAt: number;
}

export interface JournalChannelSummary {
  connection: string;
  channel: string;
  records: number;
  bytes: number;
  firstAt: number;
  lastAt: number;
}

export interface JournalSessionSummary {
  sessionKey: string;
  channels: string[];
  connections: string[];
  records: number;
  bytes: number;
  firstAt: number;
  lastAt: number;
}

export interface JournalStats {
  records: number;
  bytes: number;
  /** Storage rows (blocks) holding them. */
  blocks: number;
  /** Arrival time of the oldest and newest record kept, `null` when empty. */
  oldestAt: number | null;
  newestAt: number | null;
}

export function summaryKey(connection: string, channel: string, sessionKey: string): string {
  return `${connection}\u0000${channel}\u0000${sessionKey}`;
}

type BlockFigures = Pick<BlockGroup, 'connection' | 'channel' | 'sessionKey' | 'count' | 'bytes' | 'firstAt' | 'lastAt'>;

/** Adds block groups (or single records' figures) into `rows` (created as needed); returns the rows it touched. */
export function addToSummaries(rows: Map<string, JournalSummaryRow>, blocks: Iterable<BlockFigures>): Set<JournalSummaryRow> {
  const touched = new Set<JournalSummaryRow>();
  for (const block of blocks) {
    const key = summaryKey(block.connection, block.channel, block.sessionKey);
    let row = rows.get(key);
    if (row === undefined) {
      row = { key, connection: block.connection, channel: block.channel, sessionKey: block.sessionKey, records: 0, bytes: 0, firstAt: block.firstAt, lastAt: block.lastAt };
      rows.set(key, row);
    }
    row.records += block.count;
    row.bytes += block.bytes;
    row.firstAt = Math.min(row.firstAt, block.firstAt);
    row.lastAt = Math.max(row.lastAt, block.lastAt);
    touched.add(row);
  }
  return touched;
}

/** One entry per (connection, channel) with a channel, sorted by first arrival. */
export function channelSummaries(rows: Iterable<JournalSummaryRow>): JournalChannelSummary[] {
  const byChannel = new Map<string, JournalChannelSummary>();
  for (const row of rows) {
    if (row.channel === '' || row.records === 0) continue;
    const key = `${row.connection}\u0000${row.channel}`;
    const entry = byChannel.get(key);
    if (entry === undefined) {
      byChannel.set(key, { connection: row.connection, channel: row.channel, records: row.records, bytes: row.bytes, firstAt: row.firstAt, lastAt: row.lastAt });
    } else {
      entry.records += row.records;
      entry.bytes += row.bytes;
      entry.firstAt = Math.min(entry.firstAt, row.firstAt);
      entry.lastAt = Math.max(entry.lastAt, row.lastAt);
    }
  }
  return [...byChannel.values()].sort((a, b) => a.firstAt - b.firstAt || compare(a.channel, b.channel));
}

/** One entry per session key, sorted by first arrival. */
export function sessionSummaries(rows: Iterable<JournalSummaryRow>): JournalSessionSummary[] {
  const bySession = new Map<string, JournalSessionSummary>();
  for (const row of rows) {
    if (row.sessionKey === '' || row.records === 0) continue;
    let entry = bySession.get(row.sessionKey);
    if (entry === undefined) {
      entry = { sessionKey: row.sessionKey, channels: [], connections: [], records: 0, bytes: 0, firstAt: row.firstAt, lastAt: row.lastAt };
      bySession.set(row.sessionKey, entry);
    }
    if (!entry.channels.includes(row.channel)) entry.channels.push(row.channel);
    if (!entry.connections.includes(row.connection)) entry.connections.push(row.connection);
    entry.records += row.records;
    entry.bytes += row.bytes;
    entry.firstAt = Math.min(entry.firstAt, row.firstAt);
    entry.lastAt = Math.max(entry.lastAt, row.lastAt);
  }
  for (const entry of bySession.values()) {
    entry.channels.sort(compare);
    entry.connections.sort(compare);
  }
  return [...bySession.values()].sort((a, b) => a.firstAt - b.firstAt || compare(a.sessionKey, b.sessionKey));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
