import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Serves the example's Echo page on 127.0.0.1 (a free port): its HTML and script, pusher-js and
 * laravel-echo's browser builds from node_modules, and `/echo-config.js` — the Echo options the
 * fixture gives (`echoscope.echoOptions`), as a real app bakes its VITE_REVERB_* in.
 */

const require = createRequire(import.meta.url);
const page = (name: string) => fileURLToPath(new URL(`./echo-page/${name}`, import.meta.url));

const FILES: Record<string, { path: string; type: string }> = {
  '/': { path: page('index.html'), type: 'text/html' },
  '/app.js': { path: page('app.js'), type: 'text/javascript' },
  '/vendor/pusher.js': { path: require.resolve('pusher-js/dist/web/pusher.js'), type: 'text/javascript' },
  '/vendor/echo.js': { path: require.resolve('laravel-echo/iife'), type: 'text/javascript' },
};

export interface ServedPage {
  url: string;
  close(): Promise<void>;
}

export async function serveEchoPage(echoOptions: object): Promise<ServedPage> {
  const config = `window.ECHO_CONFIG = ${JSON.stringify(echoOptions)};\n`;
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    if (path === '/echo-config.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(config);
      return;
    }
    const file = FILES[path];
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    readFile(file.path).then(
      (body) => response.writeHead(200, { 'content-type': file.type }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
