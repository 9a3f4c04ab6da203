import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Pusher-protocol webhooks (issue 20, item 4): what Pusher Channels and soketi POST when a channel
 * is occupied or vacated, a member joins or leaves, a client event is sent — so discovery learns of a
 * channel the moment it is occupied instead of at the next poll.
 *
 * The format, as Pusher documents it and soketi 1.6 sends it (its webhook-sender.js): a JSON body
 * `{"time_ms": …, "events": [{"name": "channel_occupied", "channel": "…"}, …]}`, with the headers
 * `X-Pusher-Key` (the app key) and `X-Pusher-Signature` (hex HMAC-SHA256 of the body with the app
 * secret). A body whose signature does not match the secret of the key's profile is refused.
 */

/** Largest webhook body read (Pusher batches events; a megabyte is far beyond any batch). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

/** Where the headless host (and `watch --webhook-port`) receives webhooks. */
export const WEBHOOK_PATH = '/webhooks/pusher';

export type WebhookEventName = 'channel_occupied' | 'channel_vacated' | 'member_added' | 'member_removed' | 'client_event' | 'cache_miss';

export interface WebhookEvent {
  name: WebhookEventName | string;
  channel: string;
  /** client_event: its event name; member_*: the user. */
  event?: string;
  user_id?: string;
}

export type WebhookReading = { ok: true; key: string; timeMs: number | null; events: WebhookEvent[] } | { ok: false; status: 400 | 401 | 403; message: string };

/**
 * Checks and reads one webhook request. `secretOf` gives the secret of the profiles with that app
 * key (undefined: no profile with a secret has it). Never throws.
 */
export function readWebhook(body: string, key: string | undefined, signature: string | undefined, secretOf: (key: string) => string | undefined): WebhookReading {
  if (key === undefined || key.length === 0) return { ok: false, status: 401, message: 'no X-Pusher-Key header: a Pusher webhook names its app key' };
  if (signature === undefined || !/^[0-9a-f]{64}$/i.test(signature)) return { ok: false, status: 401, message: 'no X-Pusher-Signature header (hex HMAC-SHA256 of the body)' };
  const secret = secretOf(key);
  if (secret === undefined)
    return { ok: false, status: 403, message: `no connection profile with app key "${printable(key)}" and its secret: add one to check this webhook's signature` };
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, status: 401, message: 'the signature does not match the body signed with the app secret' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, status: 400, message: 'the body is not JSON' };
  }
  const events = (parsed as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) return { ok: false, status: 400, message: 'the body has no "events" list' };
  const read: WebhookEvent[] = [];
  for (const event of events) {
    const fields = event as { name?: unknown; channel?: unknown; event?: unknown; user_id?: unknown } | null;
    if (typeof fields?.name !== 'string' || typeof fields.channel !== 'string') continue;
    read.push({
      name: fields.name,
      channel: fields.channel,
      ...(typeof fields.event === 'string' ? { event: fields.event } : {}),
      ...(typeof fields.user_id === 'string' ? { user_id: fields.user_id } : {}),
    });
  }
  const timeMs = (parsed as { time_ms?: unknown }).time_ms;
  return { ok: true, key, timeMs: typeof timeMs === 'number' ? timeMs : null, events: read };
}

function printable(text: string): string {
  return text.slice(0, 100).replace(/[^\x20-\x7e]/g, '?');
}
