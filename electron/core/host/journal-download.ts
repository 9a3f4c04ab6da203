import type { ServerResponse } from 'node:http';
import { AppError, JOURNAL_EXPORT_PATH, type JournalExportRequest } from '../../../shared/api';
import { exportFileName } from '../../../shared/journal';
import type { AppService } from '../app';

/** Where the headless host streams a journal export as a download (issue 19, item 6). */
export const EXPORT_PATH = JOURNAL_EXPORT_PATH;

/** The filter of `?sessionId=&from=&to=` (epoch ms) `&format=ndjson|har`, or why it is not one. */
export function exportFilterOf(params: URLSearchParams): JournalExportRequest | string {
  const filter: JournalExportRequest = {};
  const format = params.get('format');
  if (format !== null) {
    if (format !== 'ndjson' && format !== 'har') return 'format must be ndjson or har';
    filter.format = format;
  }
  const sessionId = params.get('sessionId');
  if (sessionId !== null) {
    if (sessionId.length === 0 || sessionId.length > 1000) return 'sessionId must be 1 to 1000 characters';
    filter.sessionId = sessionId;
  }
  for (const name of ['from', 'to'] as const) {
    const value = params.get(name);
    if (value === null) continue;
    const ms = Number(value);
    if (value.trim() === '' || !Number.isFinite(ms)) return `${name} must be a time in epoch milliseconds`;
    filter[name] = ms;
  }
  return filter;
}

const CONTENT_TYPES = { ndjson: 'application/x-ndjson; charset=utf-8', har: 'application/json; charset=utf-8' } as const;

/**
 * Streams an export to the browser as an NDJSON or HAR file: written piece by piece as the journal's
 * thread reads it, waiting for the socket to drain (so memory stays bounded by a few pieces however
 * large the journal), stopped when the browser goes away. An error before the first byte is an
 * HTTP error in words; after it, the download is cut (the file is then visibly incomplete: it
 * lacks lines, never has a broken one in the middle of what arrived).
 */
export async function answerExport(params: URLSearchParams, response: ServerResponse, service: AppService, now = new Date()): Promise<void> {
  const filter = exportFilterOf(params);
  if (typeof filter === 'string') {
    response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(filter);
    return;
  }
  const format = filter.format ?? 'ndjson';
  const fileName = exportFileName(now.toISOString(), format, filter.sessionId);
  const head = { 'content-type': CONTENT_TYPES[format], 'content-disposition': `attachment; filename="${fileName}"`, 'cache-control': 'no-store' };
  let gone = false;
  response.once('close', () => (gone = true));
  try {
    for await (const piece of service.exportStream(filter)) {
      if (gone) break;
      if (!response.headersSent) response.writeHead(200, head);
      if (!response.write(piece)) await drained(response);
    }
    if (!response.headersSent) response.writeHead(200, head);
    response.end();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!response.headersSent) {
      response
        .writeHead(error instanceof AppError && error.code === 'not_found' ? 404 : 500, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`cannot export the journal: ${message}`);
    } else response.destroy();
  }
}

/** Resolves when the response can take more, or has closed (the reader went away). */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
