import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeZodError } from '../../../shared/api';
import { ProxyFaultsSchema, type ProxyFaults, type ProxyTruth } from '../../../shared/proxy';
import { allowedHostHeaders, isAllowedHostHeader } from '../host/loopback-host';
import { readSmallBody } from '../http-body';

/**
 * The proxy's own HTTP answers on its listening port (every other request is a WebSocket
 * upgrade to pass on): its status, its ground truth, and its rules changed at run time — so a
 * Playwright test or a script can switch faults on and off mid-run.
 *
 *   GET  /echoscope/proxy          status (clients, upstream, rules in force)
 *   GET  /echoscope/proxy/truth    the ground truth so far
 *   PUT  /echoscope/proxy/faults   a rule set `{seed?, faults: [...]}` (application/json) replaces the rules
 *
 * Only requests addressed to a loopback name answer (DNS rebinding), and a change must be JSON:
 * a cross-site page can send neither without a preflight the proxy never grants.
 */

export const PROXY_CONTROL_PATH = '/echoscope/proxy';
const MAX_RULES_BYTES = 256 * 1024;

export interface ProxyControlTarget {
  readonly url: string;
  readonly faults: ProxyFaults;
  setFaults(faults: ProxyFaults): void;
  status(): unknown;
  truth(): ProxyTruth;
}

export function answerControl(request: IncomingMessage, response: ServerResponse, proxy: ProxyControlTarget): void {
  const reply = (status: number, body: unknown) => {
    if (response.headersSent) return;
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };
  const listening = new URL(proxy.url);
  if (!isAllowedHostHeader(request.headers.host, allowedHostHeaders(Number(listening.port), listening.hostname.replace(/^\[|\]$/g, '')))) {
    return reply(403, { error: 'the proxy answers only requests addressed to its loopback address (DNS rebinding protection)' });
  }
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'GET' && path === PROXY_CONTROL_PATH) return reply(200, proxy.status());
  if (request.method === 'GET' && path === `${PROXY_CONTROL_PATH}/truth`) return reply(200, proxy.truth());
  if (path === `${PROXY_CONTROL_PATH}/faults`) {
    if (request.method === 'GET') return reply(200, proxy.faults);
    if (request.method !== 'PUT') return reply(405, { error: 'PUT a rule set as JSON to change the faults' });
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) return reply(415, { error: 'send the rule set as application/json' });
    readSmallBody(request, response, MAX_RULES_BYTES, `a rule set is at most ${MAX_RULES_BYTES} bytes`, (text) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        return reply(400, { error: `not JSON: ${error instanceof Error ? error.message : String(error)}` });
      }
      const parsed = ProxyFaultsSchema.safeParse(body);
      if (!parsed.success) return reply(400, { error: describeZodError(parsed.error) });
      proxy.setFaults(parsed.data);
      reply(200, parsed.data);
    });
    return;
  }
  reply(404, { error: `this is the EchoScope fault proxy in front of a Pusher or Socket.IO server: connect a WebSocket client here, or see GET ${PROXY_CONTROL_PATH}` });
}
