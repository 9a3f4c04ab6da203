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
