import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { journalSessionKey, parseNdjsonJournal, type JournalRecord } from '.';
import { openJournalStore, type JournalStoreOptions } from './store';
import { fixtureBatches, journalFixture, runStoreChecks } from '../../test-support/journal-store-checks';

/** A fresh IndexedDB per store: tests never share a database. */
function storeOptions(overrides: Partial<JournalStoreOptions> = {}): JournalStoreOptions {
  return { indexedDB: new IDBFactory(), IDBKeyRange, ...overrides };
}

async function filledStore(records: readonly JournalRecord[], overrides: Partial<JournalStoreOptions> = {}) {
  const store = await openJournalStore(storeOptions(overrides));
  for (const batch of fixtureBatches(records)) await store.append(batch);
  return store;
}

async function exported(store: { exportNdjson(createdAt: string): AsyncIterable<string> }): Promise<string> {
  let text = '';
  for await (const piece of store.exportNdjson('2026-11-22T10:00:00Z')) text += piece;
  return text;
}

const fixture = journalFixture(5000);

describe('journalSessionKey', () => {
  it('takes session_id from the payload, else the channel suffix', () => {
    expect(journalSessionKey({ type: 'frame', at: 1, connection: 'c', channel: 'private-ai.s1', event: 'e', data: { session_id: 'abc' } })).toBe('abc');
    expect(journalSessionKey({ type: 'frame', at: 1, connection: 'c', channel: 'private-ai.s1', event: 'e', data: { session_id: 42 } })).toBe('42');
    expect(journalSessionKey({ type: 'frame', at: 1, connection: 'c', channel: 'private-ai.s1', event: 'e', data: 'raw' })).toBe('s1');
    expect(journalSessionKey({ type: 'frame', at: 1, connection: 'c', channel: 'nodots', event: 'e', data: {} })).toBe('nodots');
    expect(journalSessionKey({ type: 'frame', at: 1, connection: 'c', event: 'pusher:ping', data: {} })).toBeUndefined();
    expect(journalSessionKey({ type: 'subscription', at: 1, connection: 'c', channel: 'private-ai.s9', status: 'subscribed' })).toBe('s9');
    expect(journalSessionKey({ type: 'connection', at: 1, connection: 'c', state: 'connected' })).toBeUndefined();
  });
});

describe('JournalStore on fake-indexeddb', () => {
  it('passes the shared checks with default blocks', async () => {
    const store = await filledStore(fixture);
    const failures = (await runStoreChecks(store, fixture)).filter((result) => !result.ok);
    expect(failures).toEqual([]);
    // Batched: far fewer rows than events.
    expect((await store.stats()).blocks).toBeLessThan(fixture.length / 2);
  });

  it('passes the shared checks with tiny blocks (splitting, limits across many blocks)', async () => {
    const store = await filledStore(fixture, { blockLimits: { records: 5, chars: 600 } });
    expect((await runStoreChecks(store, fixture)).filter((result) => !result.ok)).toEqual([]);
  });

  it('export → NDJSON → import gives an identical journal', async () => {
    const store = await filledStore(fixture);
    const text = await exported(store);
    const parsed = parseNdjsonJournal(text);
    expect(parsed.summary.issues).toEqual([]);
    const copy = await openJournalStore(storeOptions());
    expect(await copy.import(parsed.records)).toBe(fixture.length);
    expect(await exported(copy)).toBe(text);
    expect((await runStoreChecks(copy, fixture)).filter((result) => !result.ok)).toEqual([]);
  });

  it('survives closing and reopening the same database', async () => {
    const indexedDB = new IDBFactory();
    const first = await filledStore(fixture.slice(0, 1000), { indexedDB, name: 'reopen' });
    await first.close();
    const again = await openJournalStore(storeOptions({ indexedDB, name: 'reopen' }));
    await again.append(fixture.slice(1000));
    expect((await runStoreChecks(again, fixture)).filter((result) => !result.ok)).toEqual([]);
  });

  it('rebuilds summaries after a crash from the last checkpoint plus the blocks after it', async () => {
    const indexedDB = new IDBFactory();
    const crashed = await filledStore(fixture, { indexedDB, name: 'crash', checkpointEvery: 3 });
    // No close(): the in-memory summaries of `crashed` are lost, as in a crash.
    const reopened = await openJournalStore(storeOptions({ indexedDB, name: 'crash' }));
    expect(await reopened.sessions()).toEqual(await crashed.sessions());
    expect((await runStoreChecks(reopened, fixture)).filter((result) => !result.ok)).toEqual([]);
  });

  it('prunes whole blocks by age, then by size, and keeps summaries true', async () => {
    const records = journalFixture(3000);
    const store = await filledStore(records, { blockLimits: { records: 50, chars: 1 << 20 } });
    const before = await store.stats();
    const newest = before.newestAt!;
    // Age: keep the last ~300 ms of arrivals (records are ~0.6 ms apart).
    const byAge = await store.prune({ maxAgeMs: 300 }, newest);
    expect(byAge.records).toBeGreaterThan(0);
    const afterAge = await store.stats();
    expect(afterAge.records).toBe(before.records - byAge.records);
    const remaining = await store.query();
    expect(remaining.length).toBe(afterAge.records);
    // Whole blocks: nothing recent is lost, only blocks that ended before the cutoff went.
    const recent = records.filter((record) => record.at >= newest - 300);
    expect(remaining.slice(-recent.length)).toEqual(recent);
    // What remains is a suffix of each (connection, channel, session) stream.
    const kept = new Set(remaining.map((record) => JSON.stringify(record)));
    expect(records.filter((record) => kept.has(JSON.stringify(record)))).toEqual(remaining);
    // Size.
    const bySize = await store.prune({ maxBytes: 20_000 }, newest);
    const afterSize = await store.stats();
    expect(afterSize.bytes).toBeLessThanOrEqual(20_000);
    expect(afterSize.records).toBe(afterAge.records - bySize.records);
    const sessions = await store.sessions();
    expect(sessions.reduce((sum, session) => sum + session.records, 0)).toBeLessThanOrEqual(afterSize.records);
    const left = await store.query();
    for (const session of sessions) {
      const own = left.filter((record) => journalSessionKey(record) === session.sessionKey);
      expect(session.records).toBe(own.length);
      expect(session.firstAt).toBe(Math.min(...own.map((record) => record.at)));
    }
    // Appends continue after pruning, in order.
    await store.append(records.slice(0, 10));
    expect((await store.query()).slice(-10)).toEqual(records.slice(0, 10));
  });
});
