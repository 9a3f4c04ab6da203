import { isHar, parseHar } from './har';
import { parseNdjsonJournal, type JournalIssue } from './ndjson';
import type { JournalRecord } from './records';

export interface ImportedJournal {
  format: 'ndjson' | 'har';
  records: JournalRecord[];
  issues: JournalIssue[];
}

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
