import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Socket.IO's HTTP long-polling through the proxy: socket.io-client (Echo's default transports)
 * opens with polling requests and upgrades to a WebSocket. Each request goes to the server as it
 * came (method, path, query, headers, body) and its answer comes back as it was, so a client
 * with default transports works through the proxy; only what it receives once on the WebSocket is
 * journaled and faulted.
 */
export function passPollingOn(request: IncomingMessage, response: ServerResponse, upstream: string): void {
  const base = new URL(upstream);
  const secure = base.protocol === 'wss:';
  const send = secure ? httpsRequest : httpRequest;
  const outgoing = send(
    {
      protocol: secure ? 'https:' : 'http:',
      hostname: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port === '' ? (secure ? 443 : 80) : Number(base.port),
      method: request.method,
      path: `${base.pathname.replace(/\/+$/, '')}${request.url ?? '/'}`,
      headers: { ...request.headers, host: base.host },
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
      answer.pipe(response);
      answer.on('error', () => response.destroy());
    },
  );
  outgoing.on('error', (error) => {
    if (response.headersSent) return void response.destroy();
    response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end(`EchoScope proxy: the server ${upstream} did not answer (${error.message})`);
  });
  request.on('aborted', () => outgoing.destroy());
  request.pipe(outgoing);
}
