/**
 * HAR download (issue 21, item 5): `GET /journal/export?format=har` from the real headless host,
 * over the real segmented journal, read back by the real HAR reader, gives the journal's records
 * and verdicts; with `sessionId` it holds the session's frames. Expectations come from the
 * records written below.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeJournal } from '../../../shared/analysis';
import { BRIDGE_TOKEN_META } from '../../../shared/api';
import { parseHar, recordBatch, type FrameRecord, type JournalRecord } from '../../../shared/journal';
import { AppService } from '../app';
import { HostJournal, JournalService } from '../journal';
import { startHeadlessHost, type HeadlessHost } from './headless-host';
import { EXPORT_PATH } from './journal-download';

const T0 = 1_750_000_000_000.25;

/** Three connections, each streaming two sessions, interleaved; c3 drops once while its first session streams. */
function journal(): JournalRecord[] {
  const records: JournalRecord[] = [];
  let at = T0;
  for (const c of ['c1', 'c2', 'c3']) records.push({ type: 'connection', at: (at += 1.5), connection: c, state: 'connected', socketId: `${c}.1` });
  for (let sequence = 1; sequence <= 6; sequence++) {
    for (const c of ['c1', 'c2', 'c3']) {
      for (const s of [`${c}-a`, `${c}-b`]) {
        const last = sequence === 6;
        records.push({
          type: 'frame',
          at: (at += 1.5),
          connection: c,
          channel: `private-ai.${s}`,
          event: 'chunk.delivered',
          data: { session_id: s, chunk: last ? '' : `t${sequence} `, sequence, state: last ? 'completed' : 'generating', termination_code: last ? 'end_turn' : null },
        });
      }
    }
    if (sequence === 3) records.push({ type: 'connection', at: (at += 1.5), connection: 'c3', state: 'disconnected', code: 4200 });
    if (sequence === 3) records.push({ type: 'connection', at: (at += 1.5), connection: 'c3', state: 'connected', socketId: 'c3.2' });
  }
  return records;
}

let base: string;
let host: HeadlessHost;
let service: AppService;
let journalService: JournalService;
let token: string;

beforeEach(async () => {
  base = mkdtempSync(join(tmpdir(), 'echoscope-har-download-'));
  const renderer = join(base, 'page');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  const store = await HostJournal.open({ directory: join(base, 'journal') });
  await store.appendBatch(recordBatch(journal()));
  journalService = new JournalService(store, { location: base, clock: () => T0 + 60_000, onError: () => undefined });
  service = new AppService({ transport: 'browser', version: '9.9.9', journal: journalService });
  host = await startHeadlessHost({ service, rendererDir: renderer });
  const html = await (await fetch(host.url)).text();
  token = new RegExp(`<meta name="${BRIDGE_TOKEN_META}" content="([0-9a-f]+)">`).exec(html)![1]!;
});

afterEach(async () => {
  await host.close();
  service.close();
  await journalService.close();
  rmSync(base, { recursive: true, force: true });
});

async function download(params: Record<string, string>): Promise<{ response: Response; text: string }> {
  const url = new URL(EXPORT_PATH, host.url);
  url.searchParams.set('token', token);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const response = await fetch(url);
  return { response, text: await response.text() };
}

describe('HAR download from the headless host', () => {
  it('the whole journal as HAR reads back as the same records and verdicts', async () => {
    const { response, text } = await download({ format: 'har' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="echoscope-.*\.har"$/);
    const document = JSON.parse(text) as { log: { version: string; creator: unknown; entries: unknown[] } };
    expect(document.log.version).toBe('1.2');
    expect(document.log.creator).toEqual({ name: 'EchoScope', version: '9.9.9' });
    expect(document.log.entries).toHaveLength(3);
    const read = parseHar(document);
    expect(read.issues).toEqual([]);
    expect(read.records).toEqual(journal());
    expect(analyzeJournal(read.records)).toEqual(analyzeJournal(journal()));
    // By construction: six sessions, all completed, and c3's first session saw the drop.
    const verdict = analyzeJournal(read.records);
    expect(verdict.sessions.map((s) => [s.sessionId, s.status, s.events, s.disconnects])).toEqual(
      expect.arrayContaining([
        ['c1-a', 'completed', 6, 0],
        ['c3-a', 'completed', 6, 1],
      ]),
    );
  });

  it('one session as HAR holds exactly its frames', async () => {
    const { response, text } = await download({ format: 'har', sessionId: 'c2-b' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="echoscope-c2-b-.*\.har"$/);
    const read = parseHar(text);
    const expected = journal().filter((r): r is FrameRecord => r.type === 'frame' && r.channel === 'private-ai.c2-b');
    expect(expected).toHaveLength(6);
    expect(read.records).toEqual(expected);
  });

  it('a time range applies to HAR as to NDJSON, and an unknown format is refused', async () => {
    const from = T0 + 1.5 * 10;
    const to = T0 + 1.5 * 20;
    const read = parseHar((await download({ format: 'har', from: String(from), to: String(to) })).text);
    expect(read.records).toEqual(journal().filter((r) => r.at >= from && r.at <= to));
    const refused = await download({ format: 'xml' });
    expect(refused.response.status).toBe(400);
    expect(refused.text).toBe('format must be ndjson or har');
  });

  it('the desktop path (journal.export over the App API) gives the same HAR', async () => {
    const result = await service.invoke('journal.export', { format: 'har' });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.format).toBe('har');
    expect(result.value.fileName).toMatch(/\.har$/);
    expect(result.value.records).toBe(journal().length);
    expect(parseHar(result.value.content).records).toEqual(journal());
  });
});
