import { utf8Length } from '../shared/contract/payload';
import type { Journal } from '../shared/journal/journal';
import { parseNdjsonJournal, serializeRecord } from '../shared/journal/ndjson';
import { recordMatches, type JournalQuery } from '../shared/journal/query';
import type { JournalRecord } from '../shared/journal/records';
import { journalSessionKey } from '../shared/journal/session-key';
import { addToSummaries, channelSummaries, sessionSummaries, type JournalSummaryRow } from '../shared/journal/summaries';

/**
 * One list of journal checks run against every place the journal lives — fake-indexeddb
 * under Vitest, Chromium's IndexedDB under Playwright — so "the same queries pass" is the
 * same code. Each check compares the journal with a plain filter over the fixture.
 */

export interface StoreCheckResult {
  name: string;
  ok: boolean;
  /** What differed, when not ok. */
  detail?: string;
}

const BASE_AT = 1_732_262_400_000;

/**
 * A deterministic journal of `size` records: three connections, sessions on
 * `private-ai.*` channels with interleaved tokens, subscription and connection records,
 * protocol frames without a channel, raw-string payloads, a channel whose payloads carry
 * another `session_id`, and a few arrival times out of order.
 */
export function journalFixture(size = 5000): JournalRecord[] {
  const records: JournalRecord[] = [];
  const sequences = new Map<string, number>();
  let at = BASE_AT;
  for (let i = 0; records.length < size; i++) {
    at += 0.25 + (i % 7) * 0.125;
    const connection = `c${(i % 3) + 1}`;
    const session = `s${(i % 23) + 1}`;
    const channel = `private-ai.${session}`;
    // Now and then the clock of one event runs behind its predecessor (arrival order ≠ time order).
    const when = i % 211 === 5 ? at - 3 : at;
    if (i % 500 === 0) {
      records.push({
        type: 'connection',
        at: when,
        connection,
        state: i % 1000 === 0 ? 'connected' : 'disconnected',
        ...(i % 1000 === 0 ? { socketId: `${i}.1` } : { code: 4201, reason: 'pong reply not received' }),
      });
    } else if (i % 97 === 1) {
      records.push({ type: 'subscription', at: when, connection, channel, status: 'subscribed' });
    } else if (i % 89 === 2) {
      records.push({ type: 'frame', at: when, connection, event: 'pusher:ping', data: {} });
    } else if (i % 83 === 3) {
      records.push({
        type: 'frame',
        at: when,
        connection,
        channel: 'private-ai.mixed',
        event: 'chunk.delivered',
        data: { session_id: `x${i % 2}`, chunk: 'é✓', sequence: 1, state: 'generating', termination_code: null },
      });
    } else if (i % 79 === 4) {
      records.push({ type: 'frame', at: when, connection, channel, event: 'chunk.delivered', data: 'not json {' });
    } else {
      const sequence = (sequences.get(session) ?? 0) + 1;
      sequences.set(session, sequence);
      records.push({
        type: 'frame',
        at: when,
        connection,
        channel,
        event: 'chunk.delivered',
        data: { session_id: session, chunk: `tok${sequence} `, sequence, state: 'generating', termination_code: null, emitted_at: when - 1.5 },
      });
    }
  }
  return records;
}

/** Batch sizes to append the fixture with (uneven on purpose: 1-record batches and large ones). */
export function fixtureBatches(records: readonly JournalRecord[]): JournalRecord[][] {
  const sizes = [1, 1, 3, 250, 17, 1200, 64, 2];
  const batches: JournalRecord[][] = [];
  let start = 0;
  for (let i = 0; start < records.length; i++) {
    const size = sizes[i % sizes.length]!;
    batches.push(records.slice(start, start + size));
    start += size;
  }
  return batches;
}

/** The queries every journal must answer like a plain filter over the fixture. */
export function fixtureQueries(records: readonly JournalRecord[]): { name: string; query: JournalQuery }[] {
  const mid = records[Math.floor(records.length / 2)]!.at;
  const late = records[Math.floor(records.length * 0.9)]!.at;
  return [
    { name: 'everything', query: {} },
    { name: 'first 100', query: { limit: 100 } },
    { name: 'limit 0', query: { limit: 0 } },
    { name: 'session s5', query: { sessionKey: 's5' } },
    { name: 'session s5, first 10', query: { sessionKey: 's5', limit: 10 } },
    { name: 'session from payload on a shared channel', query: { sessionKey: 'x1' } },
    { name: 'unknown session', query: { sessionKey: 'nope' } },
    { name: 'channel', query: { channel: 'private-ai.s7' } },
    { name: 'channel with two sessions', query: { channel: 'private-ai.mixed' } },
    { name: 'connection', query: { connection: 'c2' } },
    { name: 'connection, first 250', query: { connection: 'c2', limit: 250 } },
    { name: 'time range', query: { from: mid, to: late } },
    { name: 'from', query: { from: late } },
    { name: 'to, first 50', query: { to: mid, limit: 50 } },
    { name: 'from, first 20', query: { from: mid, limit: 20 } },
    { name: 'session + connection + time', query: { sessionKey: 's3', connection: 'c1', from: mid } },
    { name: 'channel + time, empty range', query: { channel: 'private-ai.s3', from: late, to: mid } },
  ];
}

function firstDifference(actual: readonly unknown[], expected: readonly unknown[]): string | undefined {
  if (actual.length !== expected.length) return `${actual.length} items, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = JSON.stringify(actual[i]);
    const e = JSON.stringify(expected[i]);
    if (a !== e) return `item ${i}: ${a.slice(0, 200)} ≠ expected ${e.slice(0, 200)}`;
  }
  return undefined;
}

function check(name: string, actual: readonly unknown[], expected: readonly unknown[]): StoreCheckResult {
  const detail = firstDifference(actual, expected);
  return detail === undefined ? { name, ok: true } : { name, ok: false, detail };
}

function referenceSummaries(records: readonly JournalRecord[]): JournalSummaryRow[] {
  const rows = new Map<string, JournalSummaryRow>();
  addToSummaries(
    rows,
    records.map((record) => ({
      connection: record.connection,
      channel: record.type === 'connection' ? '' : (record.channel ?? ''),
      sessionKey: journalSessionKey(record) ?? '',
      count: 1,
      bytes: utf8Length(serializeRecord(record)),
      firstAt: record.at,
      lastAt: record.at,
    })),
  );
  return [...rows.values()];
}

/** Runs every check against a journal holding exactly `records` (appended in arrival order). */
export async function runStoreChecks(journal: Journal, records: readonly JournalRecord[]): Promise<StoreCheckResult[]> {
  const results: StoreCheckResult[] = [];
  const count = await journal.count();
  results.push(check('count', [count], [records.length]));
  for (const { name, query } of fixtureQueries(records)) {
    const expected = records.filter((record) => recordMatches(record, query));
    if (query.limit !== undefined) expected.length = Math.min(expected.length, query.limit);
    results.push(check(`query: ${name}`, await journal.query(query), expected));
  }
  const rows = referenceSummaries(records);
  results.push(check('sessions', await journal.sessions(), sessionSummaries(rows)));
  results.push(check('channels', await journal.channels(), channelSummaries(rows)));
  const stats = await journal.stats();
  const bytes = records.reduce((sum, record) => sum + utf8Length(serializeRecord(record)), 0);
  const oldest = records.reduce((min, record) => Math.min(min, record.at), Number.POSITIVE_INFINITY);
  const newest = records.reduce((max, record) => Math.max(max, record.at), Number.NEGATIVE_INFINITY);
  results.push(check('stats', [stats.records, stats.bytes, stats.oldestAt, stats.newestAt], [records.length, bytes, oldest, newest]));
  let text = '';
  for await (const piece of journal.exportNdjson('2026-11-22T10:00:00Z')) text += piece;
  const parsed = parseNdjsonJournal(text);
  results.push(check('export: NDJSON v1 header and no issues', [parsed.summary.header?.version, parsed.summary.issueCount, parsed.summary.tornLastLine], [1, 0, false]));
  results.push(check('export: every record, identical, in arrival order', parsed.records, records));
  // A filtered export streams the matching records (a query's limit is not an export's).
  for (const { name, query } of fixtureQueries(records)) {
    if (query.limit !== undefined) continue;
    let filtered = '';
    for await (const piece of journal.exportNdjson('2026-11-22T10:00:00Z', query)) filtered += piece;
    const read = parseNdjsonJournal(filtered);
    results.push(
      check(`export of query: ${name}`, [read.summary.header?.version, read.summary.issueCount, read.records], [1, 0, records.filter((record) => recordMatches(record, query))]),
    );
  }
  return results;
}
