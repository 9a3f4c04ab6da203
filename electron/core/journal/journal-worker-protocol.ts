/** Key of the worker's out-of-band warning messages (torn lines, broken lines) beside the journal protocol. */
export const WORKER_WARNING = 'echoscopeJournalWarning';

const WRITES = new Set(['append', 'import', 'prune']);

export function isJournalWrite(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && WRITES.has(String((raw as { op?: unknown }).op));
}
