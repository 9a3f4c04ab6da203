import { isIP } from 'node:net';

/**
 * DNS rebinding: a web page on `evil.example` can point its own name at 127.0.0.1 and then
 * talk to the dashboard as same-origin. What such a request cannot fake is the `Host` it was
 * sent to: the host answers only requests addressed to a loopback name with its own port
 * (and to the address it listens on, when the user chose a specific one).
 */
export function allowedHostHeaders(port: number, listenHost: string): ReadonlySet<string> {
  const allowed = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const family = isIP(listenHost);
  const wildcard = listenHost === '0.0.0.0' || listenHost === '::';
  if (family !== 0 && !wildcard) allowed.add(family === 6 ? `[${listenHost.toLowerCase()}]:${port}` : `${listenHost}:${port}`);
  return allowed;
}

export function isAllowedHostHeader(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  return host !== undefined && allowed.has(host.toLowerCase());
}

/**
 * A browser always sends `Origin` on a WebSocket upgrade: it must be exactly this page's origin.
 * Non-browser clients (scripts, tests) send none; they still need the token.
 */
export function isOwnOrigin(origin: string | undefined, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  return isAllowedHostHeader(host, allowed) && origin.toLowerCase() === `http://${host!.toLowerCase()}`;
}
