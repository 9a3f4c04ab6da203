/**
 * What a Redis message published for broadcasting says, in the two formats a tap reads. Checked
 * against the projects' published source (docs/taps.md records the versions):
 *
 * - Laravel's `RedisBroadcaster::broadcast` (laravel/framework 8.83 – 13.x) publishes
 *   `json_encode(['event' => $event, 'data' => $payload, 'socket' => $socket])` to
 *   `{prefix}{channel}` for each channel, where `{prefix}` is `database.redis.options.prefix`
 *   (Laravel 8 through 12 default `laravel_database_`, 13 `laravel-database-`). `data` is the
 *   event's payload as a JSON object (8.x leaves `socket` in it too); `socket` is the socket id
 *   `toOthers()` leaves out, or null.
 * - Reverb's `EventDispatcher::dispatch` (laravel/reverb 1.x) publishes to the scaling channel
 *   `json_encode(['type' => 'message', 'application' => serialize($app), 'payload' => $payload]
 *   + ['socket_id' => …])`; `payload` is `{event, channels, data}` from the HTTP API (its `data`
 *   a JSON string, as the Pusher protocol carries it) or `{event, channel, data[, user_id]}` for
 *   a client event. Other `type`s (`metrics`, `terminate`, …) are Reverb's own traffic.
 *   `application` is PHP's `serialize()` of `Laravel\Reverb\Application`: only its protected `id`
 *   property is read (to keep to one app), nothing is unserialized.
 */

import { reverbApplicationId } from '../../mock/scaling-format';

/** The mock's nodes write this format, so its reader of `application` is the one codec of both. */
export { reverbApplicationId };

/** One broadcast event on one channel, as a tap journals it. */
export interface PublishedEvent {
  channel: string;
  event: string;
  /** The payload as a client decodes it (a Pusher `data` string parsed as JSON when it is JSON). */
  data: unknown;
  /** The socket the publisher asked to leave out (`toOthers()`, Reverb's `socket_id`). */
  exceptSocketId?: string;
}

export type TapRead = { events: PublishedEvent[] } | { ignored: string };

function parseObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A Pusher `data` string is JSON text; a client (pusher-js) delivers it parsed, or as the string when it is not JSON. */
function clientData(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** A message of Laravel's redis broadcaster on `redisChannel` (`{prefix}{channel}`). */
export function readBroadcasterMessage(redisChannel: string, prefix: string, message: string): TapRead {
  if (!redisChannel.startsWith(prefix) || redisChannel.length === prefix.length) return { ignored: `channel ${excerpt(redisChannel)} is not under the prefix ${excerpt(prefix)}` };
  const fields = parseObject(message);
  if (fields === undefined) return { ignored: `not a JSON object on ${excerpt(redisChannel)}: ${excerpt(message)}` };
  if (typeof fields.event !== 'string' || fields.event.length === 0) return { ignored: `no "event" in the message on ${excerpt(redisChannel)}: ${excerpt(message)}` };
  const event: PublishedEvent = { channel: redisChannel.slice(prefix.length), event: fields.event, data: fields.data };
  if (typeof fields.socket === 'string' && fields.socket.length > 0) event.exceptSocketId = fields.socket;
  return { events: [event] };
}

/** A message on Reverb's scaling channel; `appId` keeps to one Reverb app. */
export function readScalingMessage(message: string, appId?: string): TapRead {
  const fields = parseObject(message);
  if (fields === undefined) return { ignored: `not a JSON object: ${excerpt(message)}` };
  if (fields.type !== 'message') return { ignored: `a Reverb "${typeof fields.type === 'string' ? fields.type : '?'}" message, not a broadcast` };
  if (appId !== undefined) {
    const id = typeof fields.application === 'string' ? reverbApplicationId(fields.application) : undefined;
    if (id !== appId) return { ignored: id === undefined ? 'a message whose application id cannot be read' : `a message of Reverb app ${excerpt(id)}, not ${excerpt(appId)}` };
  }
  const payload = fields.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ignored: 'a message without a payload object' };
  const { event, channels, channel, data } = payload as Record<string, unknown>;
  if (typeof event !== 'string' || event.length === 0) return { ignored: 'a message whose payload has no event name' };
  const names = Array.isArray(channels) ? channels : typeof channel === 'string' ? [channel] : [];
  const decoded = clientData(data);
  const except = typeof fields.socket_id === 'string' && fields.socket_id.length > 0 ? fields.socket_id : undefined;
  const events: PublishedEvent[] = [];
  for (const name of names) {
    if (typeof name !== 'string' || name.length === 0) continue;
    events.push(except === undefined ? { channel: name, event, data: decoded } : { channel: name, event, data: decoded, exceptSocketId: except });
  }
  return events.length === 0 ? { ignored: `a "${event}" message naming no channel` } : { events };
}
