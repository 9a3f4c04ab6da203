import { HostJournal, isJournalDirectory, JournalWriter, NdjsonFileJournal, type JournalSink } from '../core/journal';
import type { JournalRecord } from '../../shared/journal';

/** Where `watch --journal PATH` records: batched, `fdatasync`ed appends through the app's JournalWriter. */
export interface WatchJournal {
  add(record: JournalRecord): void;
  /** A batch that could not be written (the run should stop: it would record nothing). */
  onError(listener: (error: Error) => void): void;
  /** Writes what is left and closes; rejects when the last batches cannot be written. */
  close(): Promise<void>;
}

/**
 * Opens PATH for a run: an existing directory is a segmented journal (as `serve` keeps one) and
 * is continued; anything else is one NDJSON file, created with a header or continued without a
 * second one (a torn last line from a killed run is cut off first, and `say` is told).
 */
export async function openWatchJournal(path: string, say: (line: string) => void): Promise<WatchJournal> {
  let journal: JournalSink & { close(): Promise<void> };
  if (isJournalDirectory(path)) {
    journal = await HostJournal.open({ directory: path, onWarning: say });
  } else {
    const file = await NdjsonFileJournal.open(path);
    if (file.tornBytes > 0) say(`journal ${path}: torn last line (${file.tornBytes} bytes after the last newline, a write cut short) — cut off; the run continues the journal`);
    journal = file;
  }
  const writer = new JournalWriter(journal);
  return {
    add: (record) => writer.add(record),
    onError: (listener) => void writer.onError(listener),
    close: async () => {
      try {
        await writer.close();
      } finally {
        await journal.close();
      }
    },
  };
}
