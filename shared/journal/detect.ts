import { isHar, parseHar } from './har';
import { parseNdjsonJournal, type JournalIssue } from './ndjson';
import type { JournalRecord } from './records';

export interface ImportedJournal {
  format: 'ndjson' | 'har';
  records: JournalRecord[];
  issues: JournalIssue[];
}

/**
 * What a file's first bytes (up to 64 KiB) say it is: NDJSON starts with a one-line JSON record;
 * anything else that opens an object naming `"log"` is a HAR (a pretty-printed HAR's first line is
 * `{` alone); the rest is read as NDJSON, whose reader then reports its lines.
 */
export function sniffJournalFormat(head: string): 'ndjson' | 'har' {
  const text = head.replace(/^\uFEFF/, '');
  const firstLine = text.trimStart().split('\n', 1)[0] ?? '';
  try {
    const first: unknown = JSON.parse(firstLine);
    if (typeof first === 'object' && first !== null && !Array.isArray(first) && 'type' in first) return 'ndjson';
  } catch {
    // not one line of JSON: a HAR, or a journal whose first line is broken
  }
  return /^\s*\{/.test(text) && /"log"\s*:/.test(text) ? 'har' : 'ndjson';
}

/** Bytes of a file's start that sniffJournalFormat needs. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Largest HAR file `echoscope analyze` and `replay` read: a HAR is one JSON document, read whole
 * (an NDJSON journal streams, whatever its size). Past it they say so and suggest NDJSON.
 */
export const MAX_HAR_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Reads a whole file's text as an NDJSON journal (v1) or a browser HAR, deciding by content.
 * Null when it is neither: no record lines and no HAR document.
 */
export function parseJournalText(content: string): ImportedJournal | null {
  const text = content.replace(/^\uFEFF/, '');
  const firstLine = text.trimStart().split('\n', 1)[0] ?? '';
  let first: unknown;
  try {
    first = JSON.parse(firstLine);
  } catch {
    first = undefined;
  }
  const looksLikeRecord = typeof first === 'object' && first !== null && !Array.isArray(first) && 'type' in first;
  if (!looksLikeRecord) {
    let whole: unknown;
    try {
      whole = JSON.parse(text);
    } catch {
      whole = undefined;
    }
    if (isHar(whole)) {
      const har = parseHar(whole);
      return { format: 'har', records: har.records, issues: har.issues };
    }
    return null;
  }
  const journal = parseNdjsonJournal(text);
  if (journal.records.length === 0 && journal.summary.header === null) return null;
  return { format: 'ndjson', records: journal.records, issues: journal.summary.issues };
}
