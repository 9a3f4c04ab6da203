/**
 * Reverb's horizontal-scaling messages (laravel/reverb 1.x, read in 1.10.2 — docs/mock-provider.md
 * "Several nodes"), written and read by the mock's nodes so they share one Redis channel with each
 * other and with real Reverb nodes, and read by EchoScope's Reverb tap (electron/core/taps).
 *
 * `EventDispatcher::dispatch` publishes `json_encode(['type' => 'message', 'application' =>
 * serialize($app), 'payload' => $payload] + ['socket_id' => …])`; every node (the sender too)
 * delivers `payload` to its own subscribers of `payload.channels` (HTTP API events) or
 * `payload.channel` (batch events, client events), leaving out `socket_id`. `terminate_connections`
 * publishes `type: 'terminate'` with `payload.user_id`. `application` is PHP's `serialize()` of
 * `Laravel\Reverb\Application`; only its protected `id` is read back, nothing is unserialized.
 */

/** What a node knows of an app, written into `application` as Reverb 1.10's constructor arguments. */
export interface ScalingApplication {
  id: string;
  key: string;
  secret: string;
  /** Seconds (Reverb's `ping_interval`, `activity_timeout`). */
  pingInterval: number;
  activityTimeout: number;
  maxMessageSize: number;
  maxConnections: number | null;
}

/** One broadcast as a node hands it to the fleet: a server event (`channels`) or a client event (`channel`, `user_id`). */
export interface ScalingPayload {
  event: string;
  /** HTTP API events: every channel the event names. */
  channels?: string[];
  /** Batch and client events: one channel. */
  channel?: string;
  /** The Pusher protocol's `data`: a JSON string. */
  data: string;
  /** A client event on a presence channel: its sender's member id. */
  user_id?: string;
}

export type ScalingRead =
  | { type: 'message'; appId: string; channels: string[]; event: string; data: string; userId?: string; exceptSocketId?: string }
  | { type: 'terminate'; appId: string; userId: string }
  | { ignored: string };

const CLASS = 'Laravel\\Reverb\\Application';

const phpString = (text: string): string => `s:${Buffer.byteLength(text, 'utf8')}:"${text}";`;
const phpInt = (value: number): string => `i:${Math.trunc(value)};`;
/** A protected property's name: NUL * NUL name. */
const phpProtected = (name: string): string => phpString(`\u0000*\u0000${name}`);

/**
 * PHP's `serialize()` of `new Laravel\Reverb\Application(...)` with Reverb 1.10's eleven
 * protected properties in their declared order, so a real Reverb node can `unserialize()` it.
 */
export function serializeApplication(app: ScalingApplication): string {
  const properties: Array<[string, string]> = [
    ['id', phpString(app.id)],
    ['key', phpString(app.key)],
    ['secret', phpString(app.secret)],
    ['pingInterval', phpInt(app.pingInterval)],
    ['activityTimeout', phpInt(app.activityTimeout)],
    ['allowedOrigins', `a:1:{i:0;${phpString('*')}}`],
    ['maxMessageSize', phpInt(app.maxMessageSize)],
    ['maxConnections', app.maxConnections === null ? 'N;' : phpInt(app.maxConnections)],
    ['acceptClientEventsFrom', phpString('members')],
    ['rateLimiting', 'N;'],
    ['options', 'a:0:{}'],
  ];
  return `O:${Buffer.byteLength(CLASS)}:"${CLASS}":${properties.length}:{${properties.map(([name, value]) => phpProtected(name) + value).join('')}}`;
}

const REVERB_APPLICATION = `O:${Buffer.byteLength(CLASS)}:"${CLASS}":`;
const ID_PROPERTY = 's:5:"\u0000*\u0000id";s:';

/**
 * The `id` of a `serialize()`d `Laravel\Reverb\Application`: `s:5:"\0*\0id";s:N:"…";` — N counts
 * UTF-8 bytes. Undefined when the text is not that class or the property is not there.
 */
export function reverbApplicationId(serialized: string): string | undefined {
  if (!serialized.startsWith(REVERB_APPLICATION)) return undefined;
  const at = serialized.indexOf(ID_PROPERTY);
  if (at < 0) return undefined;
  const lengthAt = at + ID_PROPERTY.length;
  const colon = serialized.indexOf(':', lengthAt);
  const bytes = Number(serialized.slice(lengthAt, colon));
  if (colon < 0 || !Number.isInteger(bytes) || bytes < 0 || serialized[colon + 1] !== '"') return undefined;
  const rest = Buffer.from(serialized.slice(colon + 2, colon + 2 + bytes + 2), 'utf8');
  if (rest.length < bytes + 2 || rest[bytes] !== 0x22 /* " */ || rest[bytes + 1] !== 0x3b /* ; */) return undefined;
  return rest.subarray(0, bytes).toString('utf8');
}

/** The JSON text a node PUBLISHes for one broadcast; `socketId` is left out by every node. */
export function scalingMessage(application: string, payload: ScalingPayload, socketId?: string): string {
  return JSON.stringify(socketId === undefined ? { type: 'message', application, payload } : { type: 'message', application, payload, socket_id: socketId });
}

/** The JSON text a node PUBLISHes for `terminate_connections` of a user. */
export function terminateMessage(application: string, userId: string): string {
  return JSON.stringify({ type: 'terminate', application, payload: { user_id: userId } });
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** What a node does with a message read from the scaling channel (its own included). */
export function readScaling(text: string): ScalingRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ignored: 'not JSON' };
  }
  const fields = asObject(parsed);
  if (fields === undefined) return { ignored: 'not a JSON object' };
  const type = fields.type;
  if (type !== 'message' && type !== 'terminate') return { ignored: `a "${typeof type === 'string' ? type.slice(0, 40) : '?'}" message` };
  const appId = typeof fields.application === 'string' ? reverbApplicationId(fields.application) : undefined;
  if (appId === undefined) return { ignored: 'a message whose application id cannot be read' };
  const payload = asObject(fields.payload);
  if (payload === undefined) return { ignored: 'a message without a payload object' };
  if (type === 'terminate') {
    const userId = payload.user_id;
    return typeof userId === 'string' || typeof userId === 'number' ? { type, appId, userId: String(userId) } : { ignored: 'a terminate message without a user_id' };
  }
  const { event, channels, channel, data, user_id: userId } = payload;
  if (typeof event !== 'string' || event.length === 0) return { ignored: 'a message whose payload has no event name' };
  const names = (Array.isArray(channels) ? channels : typeof channel === 'string' ? [channel] : []).filter((name): name is string => typeof name === 'string' && name.length > 0);
  if (names.length === 0) return { ignored: `a "${event.slice(0, 100)}" message naming no channel` };
  // Reverb's client events carry `data` decoded (an object); the Pusher protocol's frame carries a string.
  const read: ScalingRead = { type, appId, channels: names, event, data: typeof data === 'string' ? data : JSON.stringify(data ?? null) };
  if (typeof userId === 'string' || typeof userId === 'number') read.userId = String(userId);
  if (typeof fields.socket_id === 'string' && fields.socket_id.length > 0) read.exceptSocketId = fields.socket_id;
  return read;
}
