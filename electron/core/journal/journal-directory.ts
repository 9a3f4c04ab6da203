import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The layout of a segmented journal on disk (docs/journal.md, "Segments"): a directory of
 * segment files `00000001.ndjson`, `00000002.ndjson`, … — each a complete NDJSON v1 journal
 * with its own header, the last one being written — and beside each its index,
 * `00000001.index.ndjson`, one line per closed chunk.
 */

const SEGMENT = /^(\d{8})\.ndjson$/;
const INDEX = /^(\d{8})\.index\.ndjson$/;

export function segmentFile(directory: string, segment: number): string {
  return join(directory, `${String(segment).padStart(8, '0')}.ndjson`);
}

export function indexFile(directory: string, segment: number): string {
  return join(directory, `${String(segment).padStart(8, '0')}.index.ndjson`);
}

export interface DirectoryListing {
  /** Segment numbers, ascending. */
  segments: number[];
  /** Index files whose segment is gone (retention removed the data first, then stopped). */
  orphanIndexes: number[];
}

export function listSegments(directory: string): DirectoryListing {
  const segments: number[] = [];
  const indexes: number[] = [];
  for (const name of readdirSync(directory)) {
    const segment = SEGMENT.exec(name);
    if (segment) segments.push(Number(segment[1]));
    const index = INDEX.exec(name);
    if (index) indexes.push(Number(index[1]));
  }
  segments.sort((a, b) => a - b);
  const present = new Set(segments);
  return { segments, orphanIndexes: indexes.filter((segment) => !present.has(segment)) };
}

/** Whether `path` is a journal directory (an existing directory), as opposed to a single NDJSON file. */
export function isJournalDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * Before segments, the host kept one file (`journal.ndjson` beside the directory). Such a file
 * is a valid first segment: moved in whole (a rename, no copy), and indexed on the next open.
 * Returns whether it moved one.
 */
export function adoptSingleFileJournal(file: string, directory: string): boolean {
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  if (listSegments(directory).segments.length > 0) return false;
  renameSync(file, segmentFile(directory, 1));
  return true;
}
