import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppRuntime } from './app-runtime';
import { authPolicyAllows, type ResolvedConfig } from './config';
import { BodyTooLarge, parseFormOrJson, readBody, sendError, sendJson } from './http-io';
import { tooDeep } from './inbound-json';
import { channelNameProblem, channelTraits } from './protocol';
import { signChannel, signUser } from './signature';

/**
 * Laravel-style `POST /broadcasting/auth` and `POST /broadcasting/user-auth`, so a frontend's
 * Echo can use an auth endpoint against the mock. The user is whoever the request says it is
 * (`user_id` field or `X-User-Id` header): the mock has no sessions.
 */
export interface BroadcastingAuthContext {
  config: ResolvedConfig;
  runtimes: Map<string, AppRuntime>;
  defaultApp: AppRuntime;
}

const SOCKET_ID = /^\d+\.\d+$/;

export const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'content-type, authorization, x-csrf-token, x-socket-id, x-app-id, x-user-id, x-requested-with',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
};

export async function handleBroadcastingAuth(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams, ctx: BroadcastingAuthContext): Promise<void> {
  if (req.method !== 'POST') return sendError(res, 405, `${pathname} expects POST`, CORS_HEADERS);
  let body: Buffer;
  try {
    body = await readBody(req, 64 * 1024);
  } catch (error) {
    if (error instanceof BodyTooLarge) return sendError(res, 413, error.message, CORS_HEADERS);
    throw error;
  }
  const fields = parseFormOrJson(body, req.headers['content-type']);
  if (!fields) return sendError(res, 400, 'Body must be JSON or form-encoded with socket_id and channel_name', CORS_HEADERS);
  const appId = query.get('app_id') ?? header(req, 'x-app-id') ?? stringField(fields, 'app_id');
  const runtime = appId ? ctx.runtimes.get(appId) : ctx.defaultApp;
  if (!runtime) return sendError(res, 404, `App "${appId ?? ''}" not found`, CORS_HEADERS);
  const socketId = stringField(fields, 'socket_id');
  if (!socketId || !SOCKET_ID.test(socketId)) return sendError(res, 400, 'socket_id is missing or does not look like "123.456"', CORS_HEADERS);
  const userId = stringField(fields, 'user_id') ?? header(req, 'x-user-id') ?? `guest-${socketId}`;
  const userInfo = parseUserInfo(fields.user_info);
  const { app } = runtime;

  if (pathname === '/broadcasting/user-auth') {
    const userData = JSON.stringify(userInfo === undefined ? { id: userId } : { id: userId, user_info: userInfo });
    return sendJson(res, 200, { auth: signUser(app.key, app.secret, socketId, userData), user_data: userData }, CORS_HEADERS);
  }

  const channel = stringField(fields, 'channel_name');
  const problem = channelNameProblem(channel);
  if (problem || channel === undefined) return sendError(res, 400, problem ?? 'channel_name is missing', CORS_HEADERS);
  const traits = channelTraits(channel);
  if (!traits.requiresAuth || traits.kind === 'user') {
    return sendError(res, 400, `Channel "${channel}" is public and needs no authorization`, CORS_HEADERS);
  }
  if (!authPolicyAllows(ctx.config.authPolicy, channel)) {
    runtime.counters.errors += 1;
    return sendError(res, 403, `The mock's auth policy (${ctx.config.authPolicy.kind}) denies "${channel}"`, CORS_HEADERS);
  }
  if (traits.kind === 'presence') {
    const channelData = JSON.stringify({ user_id: userId, user_info: userInfo ?? { name: userId } });
    return sendJson(res, 200, { auth: signChannel(app.key, app.secret, socketId, channel, channelData), channel_data: channelData }, CORS_HEADERS);
  }
  const auth = signChannel(app.key, app.secret, socketId, channel);
  if (traits.kind === 'private-encrypted') {
    const masterKey = ctx.config.encryptionMasterKeyBase64;
    if (!masterKey) return sendError(res, 400, 'private-encrypted- channels need an encryption master key (--encryption-master-key)', CORS_HEADERS);
    const sharedSecret = createHash('sha256')
      .update(Buffer.concat([Buffer.from(channel), Buffer.from(masterKey, 'base64')]))
      .digest('base64');
    return sendJson(res, 200, { auth, shared_secret: sharedSecret }, CORS_HEADERS);
  }
  return sendJson(res, 200, { auth }, CORS_HEADERS);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function stringField(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function parseUserInfo(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  try {
    const decoded: unknown = JSON.parse(value);
    return tooDeep(decoded) ? { name: value.slice(0, 100) } : decoded;
  } catch {
    return { name: value };
  }
}
