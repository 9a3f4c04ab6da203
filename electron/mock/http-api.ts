import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppRuntime } from './app-runtime';
import type { ResolvedConfig } from './config';
import { BodyTooLarge, readBody, sendError, sendJson } from './http-io';
import { TOO_DEEP_MESSAGE, tooDeep } from './inbound-json';
import { decodePathSegment } from './request-path';
import { CLOSE, MAX_EVENT_NAME_LENGTH, channelNameProblem } from './protocol';
import { constantTimeEqual, httpRequestSigningString, hmacSha256Hex, md5Hex } from './signature';

/** Pusher's HTTP API (`/apps/{id}/…`), signed with the app's key and secret. */
export interface HttpApiContext {
  config: ResolvedConfig;
  runtimes: Map<string, AppRuntime>;
  byKey: Map<string, AppRuntime>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const ROUTE = /^\/apps\/([^/]+)\/(events|batch_events|channels|channels\/([^/]+)|channels\/([^/]+)\/users|users\/([^/]+)\/terminate_connections)$/;
const SOCKET_ID = /^\d+\.\d+$/;

export function isPusherApiPath(pathname: string): boolean {
  return pathname.startsWith('/apps/');
}

export async function handlePusherApi(req: IncomingMessage, res: ServerResponse, rawPath: string, query: URLSearchParams, ctx: HttpApiContext): Promise<void> {
  let runtime: AppRuntime | undefined;
  try {
    const match = ROUTE.exec(rawPath);
    if (!match) throw new ApiError(404, `No Pusher API route ${req.method ?? ''} ${rawPath}`);
    const appId = decodeSegment(match[1]!);
    runtime = ctx.runtimes.get(appId);
    if (!runtime) throw new ApiError(404, `App "${appId}" not found`);
    const route = match[2]!;
    const method = req.method ?? 'GET';
    const isPost = route === 'events' || route === 'batch_events' || route.endsWith('/terminate_connections');
    if (method !== (isPost ? 'POST' : 'GET')) throw new ApiError(405, `${route} expects ${isPost ? 'POST' : 'GET'}`);
    // The signature covers the query (body_md5 included), so a request is authenticated before
    // any of its body is read: an unsigned client cannot make the server buffer anything.
    authenticate(method, rawPath, query, runtime, ctx);
    let body: Buffer = Buffer.alloc(0);
    if (isPost) {
      try {
        body = await readBody(req, ctx.config.limits.maxHttpBodySize);
      } catch (error) {
        if (error instanceof BodyTooLarge) throw new ApiError(413, error.message);
        throw error;
      }
      checkBodyMd5(query, body);
    }
    runtime.counters.apiRequests += 1;
    if (route === 'events') return sendJson(res, 200, triggerEvent(parseBody(body), runtime, ctx.config));
    if (route === 'batch_events') return sendJson(res, 200, triggerBatch(parseBody(body), runtime, ctx.config));
    if (route === 'channels') return sendJson(res, 200, listChannels(query, runtime));
    if (match[5] !== undefined) return sendJson(res, 200, terminateUser(decodeSegment(match[5]), runtime));
    if (match[4] !== undefined) return sendJson(res, 200, channelUsers(decodeSegment(match[4]), runtime));
    return sendJson(res, 200, channelInfo(decodeSegment(match[3]!), query, runtime, ctx.config));
  } catch (error) {
    if (runtime) runtime.counters.errors += 1;
    // A refused body may still be arriving: close the connection rather than read it.
    if (error instanceof ApiError) return sendError(res, error.status, error.message, error.status === 413 ? { connection: 'close' } : {});
    return sendError(res, 500, error instanceof Error ? error.message : String(error));
  }
}

/** A path segment decoded, or a 400 naming the problem (`%ZZ` is a client error, not a server one). */
function decodeSegment(raw: string): string {
  const decoded = decodePathSegment(raw);
  if (decoded === null) throw new ApiError(400, 'Malformed percent-encoding in the path');
  return decoded;
}

/** auth_key, auth_timestamp (±tolerance), body_md5 and auth_signature, compared in constant time. */
function authenticate(method: string, path: string, query: URLSearchParams, runtime: AppRuntime, ctx: HttpApiContext): void {
  const key = query.get('auth_key');
  const timestamp = query.get('auth_timestamp');
  const signature = query.get('auth_signature');
  if (!key || !timestamp || !signature || !query.get('auth_version')) {
    throw new ApiError(401, 'Missing auth_key, auth_timestamp, auth_version or auth_signature');
  }
  const signer = ctx.byKey.get(key);
  if (!signer) throw new ApiError(401, `Unknown auth_key "${key}"`);
  const nowSec = ctx.config.now() / 1000;
  const skew = Math.abs(nowSec - Number(timestamp));
  if (!Number.isFinite(skew) || skew > ctx.config.timestampToleranceSec) {
    throw new ApiError(401, `Timestamp expired: auth_timestamp ${timestamp} is more than ${ctx.config.timestampToleranceSec} s from server time ${Math.floor(nowSec)}`);
  }
  const signed = httpRequestSigningString(method, path, query);
  if (!constantTimeEqual(signature.toLowerCase(), hmacSha256Hex(signer.app.secret, signed))) {
    throw new ApiError(401, `Invalid signature: expected HMAC-SHA256 hex digest of ${JSON.stringify(signed)}`);
  }
  if (signer !== runtime) throw new ApiError(403, `auth_key "${key}" belongs to another app than "${runtime.app.id}"`);
}

/** The body is the one the signature vouches for (its MD5 is in the signed query). */
function checkBodyMd5(query: URLSearchParams, body: Buffer): void {
  if (body.length === 0) return;
  const declared = query.get('body_md5');
  if (!declared || !constantTimeEqual(declared.toLowerCase(), md5Hex(body))) throw new ApiError(401, 'body_md5 missing or does not match the MD5 of the body');
}

function parseBody(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'Body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError(400, 'Body must be a JSON object');
  if (tooDeep(value)) throw new ApiError(400, `Body ${TOO_DEEP_MESSAGE}`);
  return value as Record<string, unknown>;
}

interface EventRequest {
  name: string;
  data: string;
  channels: string[];
  socketId: string | undefined;
  info: string[];
}

function parseEvent(body: Record<string, unknown>, config: ResolvedConfig, batch: boolean): EventRequest {
  const name = body.name;
  if (typeof name !== 'string' || name.length === 0) throw new ApiError(400, 'Event needs a non-empty "name"');
  if (name.length > MAX_EVENT_NAME_LENGTH) throw new ApiError(400, `Event name longer than ${MAX_EVENT_NAME_LENGTH} characters`);
  // Pusher wants `data` as a string; objects are accepted and encoded (Laravel always sends a string).
  const data = typeof body.data === 'string' ? body.data : JSON.stringify(body.data ?? null);
  const size = Buffer.byteLength(data);
  if (size > config.limits.maxMessageSize) throw new ApiError(413, `Event data is ${size} bytes, the limit is ${config.limits.maxMessageSize}`);
  let channels: unknown;
  if (batch) channels = [body.channel];
  else channels = body.channels ?? (body.channel === undefined ? undefined : [body.channel]);
  if (!Array.isArray(channels) || channels.length === 0) throw new ApiError(400, 'Event needs "channel" or a non-empty "channels" array');
  if (channels.length > config.limits.maxChannelsPerEvent) throw new ApiError(400, `At most ${config.limits.maxChannelsPerEvent} channels per event`);
  for (const channel of channels) {
    const problem = typeof channel === 'string' && channel.startsWith('#server-to-user-') ? null : channelNameProblem(channel);
    if (problem) throw new ApiError(400, problem);
  }
  const socketId = body.socket_id;
  if (socketId !== undefined && socketId !== null && (typeof socketId !== 'string' || !SOCKET_ID.test(socketId))) {
    throw new ApiError(400, 'socket_id must look like "123.456"');
  }
  const info = typeof body.info === 'string' ? body.info.split(',').filter(Boolean) : [];
  return { name, data, channels: channels as string[], socketId: typeof socketId === 'string' ? socketId : undefined, info };
}

function triggerEvent(body: Record<string, unknown>, runtime: AppRuntime, config: ResolvedConfig): Record<string, unknown> {
  const event = parseEvent(body, config, false);
  refuseWhileFleetIsDown(runtime, [event.name]);
  runtime.publish(event.channels, event.name, event.data, event.socketId);
  if (event.info.length === 0) return {};
  const channels = keyedByClientNames();
  for (const name of event.channels) channels[name] = attributes(name, event.info, runtime);
  return { channels };
}

function triggerBatch(body: Record<string, unknown>, runtime: AppRuntime, config: ResolvedConfig): Record<string, unknown> {
  const batch = body.batch;
  if (!Array.isArray(batch) || batch.length === 0) throw new ApiError(400, 'Body needs a non-empty "batch" array');
  if (batch.length > config.limits.maxBatchSize) throw new ApiError(400, `Batch of ${batch.length} events exceeds ${config.limits.maxBatchSize}`);
  // Validate every event before publishing any, so a bad batch publishes nothing.
  const events = batch.map((item: unknown) => {
    if (typeof item !== 'object' || item === null) throw new ApiError(400, 'Each batch entry must be an object');
    return parseEvent(item as Record<string, unknown>, config, true);
  });
  refuseWhileFleetIsDown(
    runtime,
    events.map((event) => event.name),
  );
  for (const event of events) runtime.publish(event.channels, event.name, event.data, event.socketId);
  if (events.every((event) => event.info.length === 0)) return {};
  return { batch: events.map((event) => attributes(event.channels[0]!, event.info, runtime)) };
}

/**
 * With scaling, nothing is published while the scaling Redis is unreachable: the publisher is
 * told (503, so Laravel's broadcaster raises and a job can retry) and the node counts the events.
 */
function refuseWhileFleetIsDown(runtime: AppRuntime, events: readonly string[]): void {
  const fleet = runtime.fleet;
  if (fleet === null || fleet.canPublish()) return;
  fleet.refused(events);
  throw new ApiError(503, 'The scaling Redis is unreachable: nothing was published; retry shortly');
}

/** Channel names are chosen by clients, and "__proto__" is a valid one: no prototype to hit. */
function keyedByClientNames(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

function attributes(name: string, info: string[], runtime: AppRuntime): Record<string, number> {
  const channel = runtime.channels.get(name);
  const result: Record<string, number> = {};
  if (info.includes('subscription_count')) result.subscription_count = channel?.subscribers.size ?? 0;
  if (info.includes('user_count') && name.startsWith('presence-')) result.user_count = channel?.roster?.size ?? 0;
  return result;
}

function parseInfo(query: URLSearchParams, allowed: string[]): string[] {
  const info = (query.get('info') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const attribute of info) if (!allowed.includes(attribute)) throw new ApiError(400, `Unknown info attribute "${attribute}"; allowed: ${allowed.join(', ')}`);
  return info;
}

function listChannels(query: URLSearchParams, runtime: AppRuntime): Record<string, unknown> {
  const prefix = query.get('filter_by_prefix') ?? '';
  const info = parseInfo(query, ['user_count', 'subscription_count']);
  if (info.includes('user_count') && !prefix.startsWith('presence-')) {
    throw new ApiError(400, 'info=user_count is only available with filter_by_prefix=presence-');
  }
  const channels = keyedByClientNames();
  for (const channel of runtime.channels.all()) {
    if (channel.subscribers.size === 0 || !channel.name.startsWith(prefix) || channel.traits.kind === 'user') continue;
    channels[channel.name] = attributes(channel.name, info, runtime);
  }
  // Channels a publisher announced (replay, waiting for its first subscriber) count as occupied.
  for (const name of runtime.announced) if (name.startsWith(prefix) && !(name in channels)) channels[name] = attributes(name, info, runtime);
  return { channels };
}

function channelInfo(name: string, query: URLSearchParams, runtime: AppRuntime, config: ResolvedConfig): Record<string, unknown> {
  const problem = channelNameProblem(name);
  if (problem) throw new ApiError(400, problem);
  const info = parseInfo(query, ['user_count', 'subscription_count', 'cache']);
  if (info.includes('user_count') && !name.startsWith('presence-')) throw new ApiError(400, 'info=user_count is only available for presence channels');
  const channel = runtime.channels.get(name);
  const result: Record<string, unknown> = { occupied: (channel?.subscribers.size ?? 0) > 0 || runtime.announced.has(name), ...attributes(name, info, runtime) };
  if (info.includes('cache')) {
    const now = config.now();
    const cached = runtime.channels.cached(name, now);
    if (cached) result.cache = { ttl: Math.max(0, Math.round((cached.expiresAt - now) / 1000)) };
  }
  return result;
}

function channelUsers(name: string, runtime: AppRuntime): Record<string, unknown> {
  if (!name.startsWith('presence-')) throw new ApiError(400, 'Users are only available for presence channels');
  const roster = runtime.channels.get(name)?.roster;
  return { users: (roster?.userIds() ?? []).map((id) => ({ id })) };
}

function terminateUser(userId: string, runtime: AppRuntime): Record<string, unknown> {
  if (runtime.fleet === null) runtime.terminateUser(userId, CLOSE.unauthorized);
  else if (!runtime.fleet.terminate(runtime, userId)) throw new ApiError(503, 'The scaling Redis is unreachable: no connection was terminated; retry shortly');
  return {};
}
