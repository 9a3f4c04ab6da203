import { createHmac } from 'node:crypto';
import type { AuthInput } from '../../../shared/api';

export interface ChannelAuthorization {
  auth: string;
  channel_data?: string;
  shared_secret?: string;
}

/** Why an authorization failed, in words a user can act on. */
export class ChannelAuthError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ChannelAuthError';
  }
}

export type ChannelAuthorizer = (socketId: string, channel: string) => Promise<ChannelAuthorization>;

/** Signs `socket_id:channel[:channel_data]` locally with the app secret (Pusher auth, HMAC-SHA256). */
export function localSigner(key: string, secret: string): ChannelAuthorizer {
  return async (socketId, channel) => {
    if (channel.startsWith('private-encrypted-')) {
      throw new ChannelAuthError(`${channel}: encrypted channels need the app's auth endpoint (their shared secret is derived server-side)`);
    }
    const channelData = channel.startsWith('presence-') ? JSON.stringify({ user_id: `echoscope-${socketId}`, user_info: { name: 'EchoScope monitor' } }) : undefined;
    const toSign = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
    const signature = createHmac('sha256', secret).update(toSign).digest('hex');
    return channelData === undefined ? { auth: `${key}:${signature}` } : { auth: `${key}:${signature}`, channel_data: channelData };
  };
}

/** Calls the app's auth endpoint (e.g. Laravel's `/broadcasting/auth`) as a browser would, with custom headers. */
export function endpointAuthorizer(url: string, headers: Record<string, string>, fetchImpl: typeof fetch = fetch): ChannelAuthorizer {
  return async (socketId, channel) => {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
        body: new URLSearchParams({ socket_id: socketId, channel_name: channel }).toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ChannelAuthError(`auth endpoint ${url} unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    const body = await response.text();
    if (!response.ok) {
      throw new ChannelAuthError(`auth endpoint ${url} answered ${response.status} for ${channel}: ${body.slice(0, 200)}`, response.status);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new ChannelAuthError(`auth endpoint ${url} answered with non-JSON for ${channel}: ${body.slice(0, 200)}`, response.status);
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { auth?: unknown }).auth !== 'string') {
      throw new ChannelAuthError(`auth endpoint ${url} answered without an "auth" string for ${channel}`, response.status);
    }
    return parsed as ChannelAuthorization;
  };
}

export function authorizerFor(key: string, auth: AuthInput): ChannelAuthorizer | undefined {
  switch (auth.mode) {
    case 'none':
      return undefined;
    case 'secret':
      return localSigner(key, auth.secret);
    case 'endpoint':
      return endpointAuthorizer(auth.url, auth.headers);
  }
}
