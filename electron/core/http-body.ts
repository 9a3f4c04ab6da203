import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Reads a small request body (a webhook, a proxy rule set) up to `maxBytes`, then calls `done`
 * with its text. A larger body is answered 413 with `tooLarge` in words and never held; a broken
 * request closes the response. The hosts' endpoints share it so each limit is kept the same way.
 */
export function readSmallBody(request: IncomingMessage, response: ServerResponse, maxBytes: number, tooLarge: string, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  request.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > maxBytes) {
      refused = true;
      if (!response.headersSent) response.writeHead(413, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: tooLarge }));
      request.resume();
      return;
    }
    chunks.push(chunk);
  });
  request.on('error', () => response.destroy());
  request.on('end', () => {
    if (!refused) done(Buffer.concat(chunks).toString('utf8'));
  });
}
