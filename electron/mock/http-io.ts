import type { IncomingMessage, ServerResponse } from 'node:http';
import { tooDeep } from './inbound-json';

export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}

/**
 * Reads a request body up to `limit` bytes; rejects with BodyTooLarge beyond it: at once when
 * Content-Length says so (nothing read), else as soon as the bytes read pass the limit (the
 * rest is discarded, never kept).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyTooLarge(`request body of ${declared} bytes exceeds ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLarge(`request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Errors cross the HTTP boundary as `{"error": message, "code": status}` (soketi's shape). */
export function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: message, code: status }, headers);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Parses a JSON or `application/x-www-form-urlencoded` body into a flat record. */
export function parseFormOrJson(body: Buffer, contentType: string | undefined): Record<string, unknown> | null {
  const text = body.toString('utf8');
  if (contentType?.includes('application/json') || /^\s*\{/.test(text)) {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null && !Array.isArray(value) && !tooDeep(value) ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}
