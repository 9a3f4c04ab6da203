/** Key of the worker's out-of-band warning messages (torn lines, broken lines) beside the journal protocol. */
export const WORKER_WARNING = 'echoscopeJournalWarning';
