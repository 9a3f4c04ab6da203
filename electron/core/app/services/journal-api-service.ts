import { AppError, type JournalExportRequest, type JournalImportResult } from '../../../../shared/api';
import { exportFileName, type HarCreator, type JournalRecord } from '../../../../shared/journal';
import type { Clock } from '../../clock';
import type { DomainHandlers, DomainService } from '../command-router';
import { ImportUploads } from '../import-uploads';
import { JournalImport, type ImportOutcome } from '../journal-import';
import type { ChooseSaveFile, JournalPort } from '../journal-port';
import { saveStream } from '../save-file';
import type { Engine } from '../../engine/engine';

export interface JournalApiServiceDeps {
  /** The durable journal; without one, the journal commands answer `not_found` (`journal.import` still analyzes). */
  journal: JournalPort | undefined;
  /**
   * Live analysis: an imported record is captured like a live one (journaled, and analyzed by the
   * engine wherever it runs), the sessions it fed are tallied there, and a session's scope says
   * where its records are (an export of one session).
   */
  engine: Pick<Engine, 'capture' | 'importBegin' | 'importEnd' | 'scope'>;
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
    const { journal, engine, creator, clock, chooseSaveFile } = deps;
    this.uploads = new ImportUploads(deps.onWarning);
    const scopeOf = async (filter: JournalExportRequest) => (filter.sessionId === undefined ? undefined : engine.scope(filter.sessionId));
    const suggestedName = (filter: JournalExportRequest) => exportFileName(new Date(clock()).toISOString(), filter.format ?? 'ndjson', filter.sessionId);
    this.handlers = {
      'journal.stats': () => requireJournal(journal).stats(),
      'journal.retention': (update) => requireJournal(journal).setRetention(update),
      'journal.export': async (filter) => {
        const format = filter.format ?? 'ndjson';
        const { ndjson, records } = await requireJournal(journal).exportNdjson(filter, await scopeOf(filter), creator);
        return { fileName: suggestedName(filter), format, content: ndjson, records };
      },
      'journal.saveAs': async (filter) => {
        if (chooseSaveFile === undefined) throw new AppError('invalid_request', 'saving to a file is the desktop app’s: in a browser, the export downloads from the host');
        const format = filter.format ?? 'ndjson';
        const path = await chooseSaveFile(suggestedName(filter), format);
        if (path === null) return { saved: false, path: null, format, records: 0, bytes: 0 };
        const counter = { records: 0 };
        const bytes = await saveStream(requireJournal(journal).exportStream(filter, await scopeOf(filter), creator, counter), path);
        return { saved: true, path, format, records: counter.records, bytes };
      },
      'journal.import': ({ fileName, content }) => this.importText(fileName, content),
      'journal.importBegin': ({ fileName }) => {
        requireJournal(journal);
        const sink = this.importSink(fileName);
        return this.uploads.begin(fileName, sink, sink.finish, sink.done);
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
    const { journal, engine } = this.deps;
    engine.importBegin(fileName);
    let ended = false;
    return {
      /** A dropped import's tally is let go. */
      done: () => {
        if (!ended) void engine.importEnd(fileName);
        ended = true;
      },
      take: async (records: JournalRecord[]) => {
        for (const read of records) {
          const record = read.source === undefined ? { ...read, source: fileName } : read;
          engine.capture(record, undefined, journal?.append(record) ?? false);
        }
        await journal?.flush();
      },
      finish: async (outcome: ImportOutcome): Promise<JournalImportResult> => {
        // Everything taken is journaled (and so with the engine, wherever it runs): what it fed is known now.
        ended = true;
        const { sessions, count } = await engine.importEnd(fileName);
        return {
          format: outcome.format,
          records: outcome.records,
          sessions,
          sessionCount: count,
          issues: outcome.issues,
          issueCount: outcome.issueCount,
        };
      },
    };
  }

  /** Imports journal text sent whole (`journal.import`: small inputs from code and tests). */
  private async importText(fileName: string, content: string): Promise<JournalImportResult> {
    const sink = this.importSink(fileName);
    const importer = new JournalImport(sink);
    try {
      await importer.push(content);
      return await sink.finish(await importer.end());
    } catch (error) {
      sink.done();
      if (error instanceof AppError) throw new AppError(error.code, `${fileName}: ${error.message}`);
      throw error;
    }
  }
}
