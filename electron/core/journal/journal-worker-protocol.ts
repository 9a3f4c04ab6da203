/** Key of the worker's out-of-band warning messages (torn lines, broken lines) beside the journal protocol. */
export const WORKER_WARNING = 'echoscopeJournalWarning';

/** The text of a worker's warning message, or undefined when `message` is not one. */
export function workerWarning(message: unknown): string | undefined {
  return typeof message === 'object' && message !== null && WORKER_WARNING in message ? String((message as Record<string, unknown>)[WORKER_WARNING]) : undefined;
}
