import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeJournal } from '../analysis';
import { NdjsonJournalReader, parseHar, parseNdjsonJournal, serializeJournal, type JournalRecord } from '.';

const header = '{"type":"header","format":"echoscope-journal","version":1,"createdAt":"2026-11-22T10:00:00Z"}';
const lines = [
  header,
  '{"type":"connection","at":1732262400000.1,"connection":"c1","state":"connected","socketId":"123.456"}',
  '{"type":"subscription","at":1732262400005.3,"connection":"c1","channel":"private-ai.s1","status":"subscribed"}',
  '{"type":"frame","at":1732262400123.4,"connection":"c1","channel":"private-ai.s1","event":"chunk.delivered","data":{"session_id":"s1","chunk":"Hel","sequence":1,"state":"generating","termination_code":null}}',
];

describe('NDJSON journal v1', () => {
  it('reads the DESIGN §6 example', () => {
    const { records, summary } = parseNdjsonJournal(lines.join('\n') + '\n');
    expect(records.map((r) => r.type)).toEqual(['connection', 'subscription', 'frame']);
    expect(summary).toMatchObject({ header: { version: 1 }, records: 3, issues: [], tornLastLine: false, lines: 4 });
  });

  it('reports broken lines by number, skips them and unknown types, keeps unknown fields', () => {
    const text = [
      header,
      '{"type":"frame","at":1,"connection":"c1","event":"e","data":1,"extra":true}',
      'garbage',
      '{"type":"marker","at":2}',
      '{"type":"connection","at":3,"connection":"c1","state":"sleeping"}',
      '',
      '{"type":"frame","at":"soon","connection":"c1","event":"e"}',
      '{"type":"frame","at":4,"connection":"c1","event":"e","data":null}',
    ].join('\r\n');
    const { records, summary } = parseNdjsonJournal(text);
    expect(records).toHaveLength(2);
    expect((records[0] as unknown as { extra: boolean }).extra).toBe(true);
    expect(summary.ignored).toBe(1);
    expect(summary.issues.map((i) => i.line)).toEqual([3, 5, 7]);
    expect(summary.issues[1]!.message).toBe('connection record: unknown state "sleeping"');
    expect(summary.tornLastLine).toBe(false);
  });

  it("keeps an imported record's source (its vantage) and refuses one that is not a file name", () => {
    const text = [
      header,
      '{"type":"frame","at":1,"connection":"c1","source":"alice.ndjson","event":"e","data":1}',
      '{"type":"frame","at":2,"connection":"c1","source":7,"event":"e","data":1}',
    ].join('\n');
    const { records, summary } = parseNdjsonJournal(text);
    expect(records.map((r) => r.source)).toEqual(['alice.ndjson']);
    expect(summary.issues).toEqual([{ line: 3, message: 'frame record: "source" must be a non-empty string (the imported file\'s name)' }]);
  });

  it('detects a torn last line', () => {
    const { records, summary } = parseNdjsonJournal(lines.join('\n') + '\n{"type":"frame","at":17322');
    expect(records).toHaveLength(3);
    expect(summary.tornLastLine).toBe(true);
    expect(summary.issues).toEqual([{ line: 5, message: 'torn last line: the journal ends inside a record (skipped)' }]);
  });

  it('warns about a header of another version and still reads', () => {
    const { records, summary } = parseNdjsonJournal(['{"type":"header","format":"echoscope-journal","version":2,"createdAt":"x"}', lines[1]].join('\n'));
    expect(records).toHaveLength(1);
    expect(summary.issues[0]!.message).toContain('journal version 2');
  });

  it('gives the same records whatever the chunking, and accepts lines', () => {
    const text = lines.join('\n') + '\n';
    const whole = parseNdjsonJournal(text).records;
    fc.assert(
      fc.property(fc.array(fc.nat({ max: text.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set([0, ...cuts, text.length])].sort((a, b) => a - b);
        const chunks = points.slice(1).map((end, i) => text.slice(points[i], end));
        expect(parseNdjsonJournal(chunks).records).toEqual(whole);
      }),
    );
    expect(parseNdjsonJournal(lines, { input: 'lines' }).records).toEqual(whole);
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.json()), { maxLength: 20 }), (items) => {
        const reader = new NdjsonJournalReader(() => {});
        for (const item of items) reader.push(`${item}\n`);
        const summary = reader.end();
        expect(summary.records + summary.ignored + summary.issueCount + (summary.header ? 1 : 0)).toBeLessThanOrEqual(summary.lines);
      }),
    );
  });

  it('round-trips through the writer', () => {
    const { records } = parseNdjsonJournal(lines.join('\n'));
    const again = parseNdjsonJournal(serializeJournal(records, '2026-11-22T10:00:00Z'));
    expect(again.records).toEqual(records);
    expect(again.summary.header).toEqual({ type: 'header', format: 'echoscope-journal', version: 1, createdAt: '2026-11-22T10:00:00Z' });
  });
});

describe('HAR import', () => {
  const har = readFileSync(fileURLToPath(new URL('./fixtures/chrome-pusher.har', import.meta.url)), 'utf8');

  it('turns Chrome _webSocketMessages into journal records, decoding double-encoded Pusher data', () => {
    const imported = parseHar(har);
    expect(imported.connections).toBe(1);
    expect(imported.issues).toEqual([{ line: 0, message: 'entry 2, message 12: not a Pusher frame (not JSON)' }]);
    const [connected, , subscribed] = imported.records;
    expect(connected).toEqual({ type: 'connection', at: 1732262400000, connection: 'har:1', state: 'connected', socketId: '123.456' });
    expect(subscribed).toMatchObject({ type: 'subscription', connection: 'har:1', channel: 'private-ai.s1', status: 'subscribed' });
    const first = imported.records.find((r): r is Extract<JournalRecord, { type: 'frame' }> => r.type === 'frame' && r.event === 'chunk.delivered');
    expect(first?.data).toEqual({ session_id: 's1', chunk: 'Hel', sequence: 1, state: 'generating', termination_code: null });
  });

  it('gives the verdict of the equivalent journal', () => {
    const s = analyzeJournal(parseHar(har).records).sessions;
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({
      sessionId: 's1',
      status: 'completed',
      events: 6,
      duplicates: 1,
      outOfOrder: 1,
      missing: 0,
      text: 'Hello, world',
      naiveText: 'Hellolo world,',
      // a subscription is not the job's start (issue 15): no TTFT from a browser recording
      ttftMs: null,
      ttftNote: 'no_known_start',
    });
  });

  it('rejects what is not a HAR', () => {
    expect(parseHar('{"log":{}}').issues[0]!.message).toBe('not a HAR file (no log.entries)');
    expect(parseHar('nope').records).toEqual([]);
  });

  it('accepts millisecond times and incoming/outgoing directions (other exporters)', () => {
    const doc = { log: { entries: [{ _webSocketMessages: [{ type: 'incoming', time: 1732262400123.5, opcode: 1, data: '{"event":"x","channel":"c","data":"raw text"}' }] }] } };
    expect(parseHar(doc).records).toEqual([{ type: 'frame', at: 1732262400123.5, connection: 'har:1', channel: 'c', event: 'x', data: 'raw text' }]);
  });
});
