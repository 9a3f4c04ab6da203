// @vitest-environment jsdom
/**
 * Import in chunks (issue 19, item 6): the page's Import sends a file through the REAL headless
 * host's bridge (whose messages are at most 1 MiB: a file sent whole closed it at 2.3 MiB) into the
 * real segmented journal, a slice at a time. A file over 50 MB is imported whole and queries back
 * as it was built; a broken line is named by its number and only it is left out; an import that
 * stops half-way says what it journaled, and the journal holds exactly that.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppService } from '../../../electron/core/app';
import { HostJournal, JournalService } from '../../../electron/core/journal';
import { IMPORT_CHUNK_BYTES, type AppApi } from '../../../shared/api';
import { serializeJournal, type JournalRecord } from '../../../shared/journal';
import { ServedTabs } from '../../../test-support/served-tab';
import { connectApi } from '../bridge';
import { importInChunks } from './import-upload';

const T0 = 1_760_000_000_000.5;
const TEXT = 'token text with "quotes", a \\ backslash and ünïcödé — '.repeat(4);

/** `sessions` sessions of `tokens` tokens each, interleaved, on two connections, then a terminal each. */
function journal(sessions: number, tokens: number): JournalRecord[] {
  const records: JournalRecord[] = [];
  let at = T0;
  for (let sequence = 1; sequence <= tokens + 1; sequence++) {
    for (let s = 0; s < sessions; s++) {
      const last = sequence === tokens + 1;
      records.push({
        type: 'frame',
        at: (at += 0.25),
        connection: s % 2 === 0 ? 'c1' : 'c2',
        channel: `private-ai.s${s}`,
        event: 'chunk.delivered',
        data: { session_id: `s${s}`, chunk: last ? '' : `${sequence}:${TEXT}`, sequence, state: last ? 'completed' : 'generating', termination_code: last ? 'end_turn' : null },
      });
    }
  }
  return records;
}

const tabs = new ServedTabs();
let base: string;
let store: HostJournal;
let journalService: JournalService;
let api: AppApi;

beforeAll(() => tabs.reset());
afterAll(() => tabs.close());

beforeEach(async () => {
  base = mkdtempSync(join(tmpdir(), 'echoscope-import-'));
  store = await HostJournal.open({ directory: join(base, 'journal') });
  journalService = new JournalService(store, { location: base, clock: () => T0, onError: () => undefined });
  const host = await tabs.startHost(new AppService({ transport: 'browser', version: '9.9.9', journal: journalService, onWarning: () => undefined }));
  await tabs.open(host);
  api = connectApi();
});

afterEach(async () => {
  await tabs.close();
  await journalService.close();
  rmSync(base, { recursive: true, force: true });
});

const withSource = (records: JournalRecord[], source: string) => records.map((record) => ({ ...record, source }));

describe('Import in chunks through the headless host', () => {
  it('imports a journal over 50 MB (issue 19), which queries back as it was built', async () => {
    const records = journal(100, 1250);
    const text = serializeJournal(records, '2025-10-09T08:00:00Z');
    const bytes = new TextEncoder().encode(text).byteLength;
    expect(bytes).toBeGreaterThan(50 * 1000 * 1000);
    const progress: number[] = [];
    const result = await importInChunks(api, new File([text], 'big.ndjson'), (p) => progress.push(p.bytes));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({ format: 'ndjson', records: records.length, sessionCount: 100, issues: [], issueCount: 0 });
    // One answered chunk after another, none over the chunk size.
    expect(progress).toHaveLength(Math.ceil(bytes / IMPORT_CHUNK_BYTES));
    expect(progress.at(-1)).toBe(bytes);
    expect(await store.query()).toEqual(withSource(records, 'big.ndjson'));
    expect(await store.query({ sessionKey: 's7' })).toEqual(withSource(records, 'big.ndjson').filter((r) => r.type === 'frame' && r.channel === 'private-ai.s7'));
  }, 120_000);

  it('names a broken line by its number and imports every other line', async () => {
    const records = journal(2, 3);
    const lines = serializeJournal(records, '2025-10-09T08:00:00Z').split('\n');
    // Line 1 is the header; line 4 (records[2]) is cut in half, line 7 (records[5]) is JSON but no record.
    lines[3] = lines[3]!.slice(0, 40);
    lines[6] = '{"type":"frame","at":"yesterday"}';
    const result = await importInChunks(api, new File([lines.join('\n')], 'broken.ndjson'));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.issues.map((issue) => issue.line)).toEqual([4, 7]);
    expect(result.value.records).toBe(records.length - 2);
    const kept = records.filter((_, i) => i !== 2 && i !== 5);
    expect(await store.query()).toEqual(withSource(kept, 'broken.ndjson'));
  });

  it('an import stopped half-way says what it journaled, and the journal holds exactly that', async () => {
    const records = journal(50, 60);
    const text = serializeJournal(records, '2025-10-09T08:00:00Z');
    const bytes = new TextEncoder().encode(text);
    expect(bytes.byteLength).toBeGreaterThan(2 * IMPORT_CHUNK_BYTES);
    // The first chunk ends inside a line: the complete lines before it (the header among them) are what it holds.
    const first = bytes.subarray(0, IMPORT_CHUNK_BYTES);
    const completeLines = first.filter((byte) => byte === 10).length;
    const begun = await api.invoke('journal.importBegin', { fileName: 'cut.ndjson', bytes: bytes.byteLength });
    if (!begun.ok) throw new Error(begun.error.message);
    const { importId } = begun.value;
    const sent = await api.invoke('journal.importChunk', { importId, offset: 0, data: Buffer.from(first).toString('base64') });
    expect(sent).toEqual({ ok: true, value: { importId, bytes: IMPORT_CHUNK_BYTES, records: completeLines - 1, lines: completeLines } });
    // A chunk that does not start where the last ended is refused, and the import goes on.
    const skipped = await api.invoke('journal.importChunk', { importId, offset: 2 * IMPORT_CHUNK_BYTES, data: '' });
    expect(skipped).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining(`the import is at byte ${IMPORT_CHUNK_BYTES}`) } });
    const aborted = await api.invoke('journal.importAbort', { importId });
    expect(aborted).toEqual({ ok: true, value: { importId, bytes: IMPORT_CHUNK_BYTES, records: completeLines - 1, lines: completeLines } });
    expect(await store.query()).toEqual(withSource(records.slice(0, completeLines - 1), 'cut.ndjson'));
    expect(await api.invoke('journal.importEnd', { importId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('a HAR file sent in chunks is read whole at the end', async () => {
    const records = journal(2, 2).map((r) => ({ ...r, connection: 'har:1' }));
    const har = {
      log: {
        version: '1.2',
        creator: { name: 'Chrome', version: '1' },
        entries: [
          {
            _webSocketMessages: records.map((r) => ({
              type: 'receive',
              time: r.at / 1000,
              opcode: 1,
              data: JSON.stringify({ event: (r as { event: string }).event, channel: (r as { channel: string }).channel, data: JSON.stringify((r as { data: unknown }).data) }),
            })),
          },
        ],
      },
    };
    const result = await importInChunks(api, new File([JSON.stringify(har, null, 2)], 'chrome.har'));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({ format: 'har', records: records.length, issues: [] });
    expect((await store.query()).map((r) => [r.connection, r.source, r.type === 'frame' ? r.data : null])).toEqual(
      records.map((r) => ['har:1', 'chrome.har', (r as { data: unknown }).data]),
    );
  });
});
