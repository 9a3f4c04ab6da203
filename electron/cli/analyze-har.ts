import { createReadStream, createWriteStream } from 'node:fs';
import { Analyzer, type AnalyzerOptions, type Verdict } from '../../shared/analysis';
import { harDocument, ndjsonRecords, type HarCreator, type JournalRecord } from '../../shared/journal';

/** Where `analyze` read its records from, so that `--har-out` can read them again (once per vantage). */
export type RecordSource = { kind: 'ndjson'; files: readonly string[] } | { kind: 'har'; records: readonly JournalRecord[] };

/** The records of the source, in the order analyze read them; an NDJSON file is read again, a piece at a time. */
export async function* sourceRecords(source: RecordSource): AsyncIterable<JournalRecord> {
  if (source.kind === 'har') {
    yield* source.records;
    return;
  }
  for (const file of source.files) yield* ndjsonRecords(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>);
}

const vantageOf = (record: { connection: string; source?: string | undefined }) => `${record.source ?? ''}\u0001${record.connection}`;

/**
 * The records of one session as the analyzer attributes them (a fresh analyzer with the same
 * options sees the same records, so it keys each frame as the run did): its frames, plus the
 * subscriptions of its channels and the connection changes of the vantages that saw it — so the
 * session's verdict (its disconnects included) reads the same from the HAR.
 */
function sessionFilter(sessionId: string, verdict: Verdict, options: AnalyzerOptions): (records: AsyncIterable<JournalRecord>) => AsyncIterable<JournalRecord> {
  const observations = verdict.sessions.filter((session) => session.sessionId === sessionId);
  const channels = new Set(observations.map((session) => session.channel));
  const vantages = new Set(observations.map(vantageOf));
  return async function* (records) {
    const analyzer = new Analyzer(options);
    for await (const record of records) {
      let key: string | undefined;
      try {
        key = analyzer.ingest(record);
      } catch {
        key = undefined; // analyze's own pass reported it
      }
      if (record.type === 'frame') {
        if (key === sessionId) yield record;
      } else if (vantages.has(vantageOf(record)) && (record.type === 'connection' || channels.has(record.channel))) yield record;
    }
  };
}

export interface HarOutOptions {
  path: string;
  source: RecordSource;
  creator: HarCreator;
  /** Only this session (as the verdict names it). */
  sessionId?: string;
  verdict: Verdict;
  analyzer: AnalyzerOptions;
}

/**
 * Writes the run (or one session) as HAR 1.2 with Chrome's `_webSocketMessages`, a piece at a time
 * as the file takes it: the source is read once per vantage (shared/journal/har-export.ts), never
 * held whole. Resolves with the records written.
 */
export async function writeHar(options: HarOutOptions): Promise<number> {
  const keep = options.sessionId === undefined ? (records: AsyncIterable<JournalRecord>) => records : sessionFilter(options.sessionId, options.verdict, options.analyzer);
  const counter = { records: 0 };
  const out = createWriteStream(options.path, { mode: 0o600 });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  for await (const piece of harDocument(() => keep(sourceRecords(options.source)), options.creator, counter)) {
    if (!out.write(piece)) await Promise.race([new Promise<void>((resolve) => out.once('drain', () => resolve())), failed]);
  }
  await Promise.race([new Promise<void>((resolve) => out.end(resolve)), failed]);
  return counter.records;
}
