import { AppError, type JournalExportRequest, type JournalImportResult } from '../../../../shared/api';
import { exportFileName, type HarCreator, type JournalRecord } from '../../../../shared/journal';
import type { Clock } from '../../clock';
import type { DomainHandlers, DomainService } from '../command-router';
import { ImportUploads } from '../import-uploads';
import { JournalImport, type ImportOutcome } from '../journal-import';
import type { ChooseSaveFile, JournalPort } from '../journal-port';
import { saveStream } from '../save-file';
import type { SessionSource } from '../session-source';

/** Sessions an import's result lists by name (all are counted). */
const LISTED_IMPORT_SESSIONS = 10_000;

export interface JournalApiServiceDeps {
  /** The durable journal; without one, the journal commands answer `not_found` (`journal.import` still analyzes). */
  journal: JournalPort | undefined;
  /** Feeds an imported record to live analysis (guarded): the key of its session, if it has one. */
  ingest: (record: JournalRecord) => string | undefined;
  /** Where a session's records are (an export of one session). */
  source: Pick<SessionSource, 'scope'>;
  /** How a HAR names the app that wrote it. */
  creator: HarCreator;
  clock: Clock;
  /** The desktop app's save dialog; without it, `journal.saveAs` is refused. */
  chooseSaveFile: ChooseSaveFile | undefined;
  onWarning: (message: string) => void;
}

/** The journal without a journal is `not_found`. */
export function requireJournal(journal: JournalPort | undefined): JournalPort {
  if (!journal) throw new AppError('not_found', 'this host runs without a journal');
  return journal;
}

/** The journal's commands: `journal.stats|retention`, exports (`export`, `saveAs`) and imports (`import`, `importBegin|Chunk|End|Abort`). */
export class JournalApiService implements DomainService<'journal'> {
  readonly handlers: DomainHandlers<'journal'>;
  private readonly uploads: ImportUploads;

  constructor(private readonly deps: JournalApiServiceDeps) {
    const { journal, source, creator, clock, chooseSaveFile } = deps;
    this.uploads = new ImportUploads(deps.onWarning);
    const scopeOf = (filter: JournalExportRequest) => (filter.sessionId === undefined ? undefined : source.scope(filter.sessionId));
    const suggestedName = (filter: JournalExportRequest) => exportFileName(new Date(clock()).toISOString(), filter.format ?? 'ndjson', filter.sessionId);
    this.handlers = {
      'journal.stats': () => requireJournal(journal).stats(),
      'journal.retention': (update) => requireJournal(journal).setRetention(update),
      'journal.export': async (filter) => {
        const format = filter.format ?? 'ndjson';
        const { ndjson, records } = await requireJournal(journal).exportNdjson(filter, scopeOf(filter), creator);
        return { fileName: suggestedName(filter), format, content: ndjson, records };
      },
      'journal.saveAs': async (filter) => {
        if (chooseSaveFile === undefined) throw new AppError('invalid_request', 'saving to a file is the desktop app’s: in a browser, the export downloads from the host');
        const format = filter.format ?? 'ndjson';
        const path = await chooseSaveFile(suggestedName(filter), format);
        if (path === null) return { saved: false, path: null, format, records: 0, bytes: 0 };
        const counter = { records: 0 };
        const bytes = await saveStream(requireJournal(journal).exportStream(filter, scopeOf(filter), creator, counter), path);
        return { saved: true, path, format, records: counter.records, bytes };
      },
      'journal.import': ({ fileName, content }) => this.importText(fileName, content),
      'journal.importBegin': ({ fileName }) => {
        requireJournal(journal);
        const sink = this.importSink(fileName);
        return this.uploads.begin(fileName, sink, sink.finish);
      },
      'journal.importChunk': ({ importId, offset, data }) => this.uploads.chunk(importId, offset, Buffer.from(data, 'base64')),
      'journal.importEnd': ({ importId }) => this.uploads.end(importId),
      'journal.importAbort': ({ importId }) => this.uploads.abort(importId),
    };
  }

  close(): void {
    this.uploads.close();
  }

  /**
   * An import's sink: its records are journaled and analyzed with the live ones, each marked with
   * the file as its `source` — a file is a vantage of its own, so two recordings of one session are
   * two observations, not one stream seen twice. Each batch waits until the journal has written it,
   * so a big file goes at the journal's pace in bounded memory. `finish` makes the command's result.
   */
  private importSink(fileName: string) {
    const sessions = new Set<string>();
    let sessionCount = 0;
    const { journal, ingest } = this.deps;
    return {
      take: async (records: JournalRecord[]) => {
        for (const read of records) {
          const record = read.source === undefined ? { ...read, source: fileName } : read;
          journal?.append(record);
          const key = ingest(record);
          if (key !== undefined && !sessions.has(key)) {
            sessionCount++;
            if (sessions.size < LISTED_IMPORT_SESSIONS) sessions.add(key);
          }
        }
        await journal?.flush();
      },
      finish: (outcome: ImportOutcome): JournalImportResult => ({
        format: outcome.format,
        records: outcome.records,
        sessions: [...sessions],
        sessionCount,
        issues: outcome.issues,
        issueCount: outcome.issueCount,
      }),
    };
  }

  /** Imports journal text sent whole (`journal.import`: small inputs from code and tests). */
  private async importText(fileName: string, content: string): Promise<JournalImportResult> {
    const sink = this.importSink(fileName);
    const importer = new JournalImport(sink);
    try {
      await importer.push(content);
      return sink.finish(await importer.end());
    } catch (error) {
      if (error instanceof AppError) throw new AppError(error.code, `${fileName}: ${error.message}`);
      throw error;
    }
  }
}
