import type { ExportFormat, JournalExportRequest, JournalStats, Retention } from '../../../shared/api';
import type { HarCreator, JournalRecord } from '../../../shared/journal';
import type { SessionScope } from '../monitor';

/** What the App service needs of the journal (the headless host's file-backed one, or Electron's journal window). */
export interface JournalPort {
  /**
   * `wireText`, when the hub has it, is the WebSocket message the frame was decoded from (the
   * journal decodes it again). False when the journal turned the record away (too many wait).
   */
  append(record: JournalRecord, wireText?: string): boolean;
  stats(): Promise<JournalStats>;
  setRetention(update: Partial<Retention>): Promise<Retention>;
  /** Resolves once everything appended so far is written: an import waits on it, so it never reads faster than the journal takes. */
  flush(): Promise<void>;
  /**
   * An export, NDJSON or HAR (`filter.format`), whole. `scope` says where a session's records are and which contract keys them
   * (the monitor's `sessionScope`); `creator` names the app in a HAR.
   */
  exportNdjson(filter: JournalExportRequest, scope?: SessionScope, creator?: HarCreator): Promise<{ ndjson: string; records: number }>;
  /** The same, piece by piece (a download streams it in bounded memory). */
  exportStream(filter: JournalExportRequest, scope?: SessionScope, creator?: HarCreator, counter?: { records: number }): AsyncIterable<string>;
}

/** The desktop app's save dialog: where to write an export (null: cancelled). */
export type ChooseSaveFile = (suggestedName: string, format: ExportFormat) => Promise<string | null>;
