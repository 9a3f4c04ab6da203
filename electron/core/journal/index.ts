export { HostJournal, type HostJournalOptions, type HostJournalLoad } from './host-journal';
export { JournalWriter, type JournalWriterOptions, type JournalAck, type JournalSink } from './journal-writer';
export { NdjsonFileJournal } from './ndjson-file-journal';
export { isJournalDirectory } from './journal-directory';
export { JournalService, DEFAULT_RETENTION, type JournalServiceOptions } from './journal-service';
export {
  OwnerChannel,
  ownerPort,
  startAnalysisWorker,
  startEngineWorker,
  startJournalWorker,
  type AnalysisWorker,
  type EngineWorkerOptions,
  type JournalWorker,
  type JournalWorkerOptions,
  type Postable,
  type WorkerChannel,
} from './journal-worker-host';
export { superviseJournal, type JournalOwner, type SupervisedJournal, type SupervisorOptions } from './journal-supervisor';
export { JOURNAL_FILE_MODE } from './journal-file';
