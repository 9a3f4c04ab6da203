import type { JournalRecord } from './records';

/**
 * The journal's session key of a record — the one rule the store, the monitor and the
 * analyzer's default profile agree on (DESIGN §5: "keyed by `session_id`, else by the
 * channel's suffix"):
 * - a frame: its payload's `session_id` (string, or a number written as text) if present,
 *   else the channel's suffix after the last `.` (`private-ai.s1` → `s1`; a channel without
 *   a dot is its own key);
 * - a subscription: the channel's suffix (so a session's query also returns when it was
 *   subscribed, which time-to-first-token needs);
 * - a connection record, or a frame without a channel: none (`undefined`).
 */
export function journalSessionKey(record: JournalRecord): string | undefined {
  if (record.type === 'frame') {
    const data = record.data;
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
      const id = (data as Record<string, unknown>).session_id;
      if (typeof id === 'string' && id.length > 0) return id;
      if (typeof id === 'number' && Number.isFinite(id)) return String(id);
    }
    return record.channel === undefined ? undefined : channelSuffix(record.channel);
  }
  if (record.type === 'subscription') return channelSuffix(record.channel);
  return undefined;
}

/** `private-ai.s1` → `s1`. */
export function channelSuffix(channel: string): string {
  return channel.slice(channel.lastIndexOf('.') + 1);
}
