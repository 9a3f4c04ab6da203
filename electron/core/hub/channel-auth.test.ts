import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { endpointAuthorizer, localSigner } from './channel-auth';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A stand-in for the user's Laravel app (outside our control): checks the bearer token like an auth guard. */
async function laravelLikeAuth(): Promise<{ url: string; seen: Array<Record<string, string | string[] | undefined>> }> {
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ ...req.headers, body });
      if (req.headers.authorization !== 'Bearer good') {
        res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"This action is unauthorized."}');
        return;
      }
      const params = new URLSearchParams(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ auth: `key:${params.get('socket_id')}:${params.get('channel_name')}` }));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/broadcasting/auth`, seen };
}

describe('channel authorization', () => {
  it('signs locally exactly as Pusher documents (HMAC-SHA256 of socket_id:channel)', async () => {
    // Example from Pusher's auth signature docs.
    const auth = await localSigner('278d425bdf160c739803', '7ad3773142a6692b25b8')('1234.1234', 'private-foobar');
    expect(auth.auth).toBe('278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4');
  });

  it('adds channel_data for presence channels and signs it', async () => {
    const auth = await localSigner('k', 's')('1.2', 'presence-room');
    expect(JSON.parse(auth.channel_data!)).toMatchObject({ user_id: 'echoscope-1.2' });
  });

  it('calls the auth endpoint with the custom headers and form body', async () => {
    const endpoint = await laravelLikeAuth();
    const auth = await endpointAuthorizer(endpoint.url, { Authorization: 'Bearer good', 'X-CSRF-TOKEN': 'csrf1', Cookie: 'laravel_session=abc' })('9.9', 'private-ai.s1');
    expect(auth.auth).toBe('key:9.9:private-ai.s1');
    expect(endpoint.seen[0]).toMatchObject({
      authorization: 'Bearer good',
      'x-csrf-token': 'csrf1',
      cookie: 'laravel_session=abc',
      body: 'socket_id=9.9&channel_name=private-ai.s1',
    });
  });

  it('reports a refusal with the status and the body', async () => {
    const endpoint = await laravelLikeAuth();
    await expect(endpointAuthorizer(endpoint.url, {})('9.9', 'private-ai.s1')).rejects.toThrow(/answered 403 for private-ai\.s1: .*unauthorized/);
  });

  it('reports an unreachable endpoint in words', async () => {
    await expect(endpointAuthorizer('http://127.0.0.1:1/broadcasting/auth', {})('9.9', 'private-x')).rejects.toThrow(/unreachable/);
  });
});
