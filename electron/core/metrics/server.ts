import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRecorder } from './recorder';

export const METRICS_PATH = '/metrics';

/**
 * Answers `GET /metrics` (and HEAD) with the recorder's exposition; false for any other path, so
 * a server that serves more (the dashboard host) goes on with the request.
 */
export function answerMetrics(recorder: MetricsRecorder, request: IncomingMessage, response: ServerResponse, onScrape?: () => void): boolean {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== METRICS_PATH) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return true;
  }
  recorder.exposition().then(
    (text) => {
      response.writeHead(200, { 'content-type': recorder.contentType, 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : text);
      onScrape?.();
    },
    (error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`cannot render metrics: ${error instanceof Error ? error.message : String(error)}`);
    },
  );
  return true;
}

export interface MetricsServer {
  url: string;
  port: number;
  /** Resolves true once a scrape that arrived after this call was answered; false after `timeoutMs` without one. */
  nextScrape(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** `/metrics` on a port of its own (`watch --metrics-port`, `check --metrics-port`); 404 elsewhere. */
export async function startMetricsServer(recorder: MetricsRecorder, options: { host?: string; port?: number } = {}): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  // Scrapes are numbered as they arrive: one that began before `nextScrape` was asked may carry older figures.
  let arrived = 0;
  const waiting = new Set<(scrape: number) => void>();
  const server = createServer((request, response) => {
    const scrape = ++arrived;
    const scraped = () => {
      for (const notify of [...waiting]) notify(scrape);
    };
    if (!answerMetrics(recorder, request, response, scraped))
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`EchoScope serves ${METRICS_PATH} here\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}${METRICS_PATH}`,
    port,
    nextScrape(timeoutMs) {
      const after = arrived;
      return new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          waiting.delete(onScrape);
          resolve(ok);
        };
        const onScrape = (scrape: number) => {
          if (scrape > after) done(true);
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        waiting.add(onScrape);
      });
    },
    close: async () => {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
