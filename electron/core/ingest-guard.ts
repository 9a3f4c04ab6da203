import type { JournalRecord } from '../../shared/journal';

/** Failures reported in full before the guard only counts them. */
const REPORTED_FAILURES = 10;

/**
 * Every place that feeds records to an analyzer goes through one of these: the analyzer is
 * built to turn a bad frame into a violation, and this is the belt to those braces — a record
 * that still makes it throw is reported (a few times, then counted) and skipped, so one hostile
 * frame can never take down `watch`, `serve`, `analyze` or the desktop app.
 */
export class IngestGuard {
  failures = 0;

  constructor(private readonly warn: (message: string) => void) {}

  /** `ingest(record)`, or undefined when it threw. */
  feed<T>(ingest: (record: JournalRecord) => T, record: JournalRecord): T | undefined {
    try {
      return ingest(record);
    } catch (error) {
      this.failures += 1;
      if (this.failures <= REPORTED_FAILURES) {
        const where = record.type === 'frame' ? `frame of ${record.channel ?? 'no channel'} at ${record.at}` : `${record.type} record at ${record.at}`;
        this.warn(`skipped a ${where} the analyzer could not read: ${error instanceof Error ? error.message : String(error)}`);
      } else if (this.failures === REPORTED_FAILURES + 1) {
        this.warn('more records the analyzer could not read are skipped without a message');
      }
      return undefined;
    }
  }
}
