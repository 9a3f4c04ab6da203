/** Presence-channel membership: one member per user id, however many sockets that user has open. */
import { TOO_DEEP_MESSAGE, tooDeep } from './inbound-json';

export interface PresenceMember {
  userId: string;
  userInfo: unknown;
}

export interface PresenceSnapshot {
  ids: string[];
  hash: Record<string, unknown>;
  count: number;
}

/** The `channel_data` a presence subscription carries: `{"user_id": …, "user_info"?: …}`. */
export function parseChannelData(channelData: unknown): PresenceMember | string {
  if (typeof channelData !== 'string') return 'presence channels need channel_data (a JSON string with user_id)';
  let value: unknown;
  try {
    value = JSON.parse(channelData);
  } catch {
    return 'channel_data is not valid JSON';
  }
  if (typeof value !== 'object' || value === null) return 'channel_data must be a JSON object';
  if (tooDeep(value)) return `channel_data ${TOO_DEEP_MESSAGE}`;
  const record = value as Record<string, unknown>;
  const id = record.user_id;
  if ((typeof id !== 'string' || id.length === 0) && typeof id !== 'number') return 'channel_data needs a user_id (string or number)';
  return { userId: String(id), userInfo: record.user_info };
}

export class PresenceRoster {
  private readonly members = new Map<string, { userInfo: unknown; sockets: number }>();

  /** Adds one socket of a user; true when the user is new to the channel (announce member_added). */
  join(member: PresenceMember): boolean {
    const existing = this.members.get(member.userId);
    if (existing) {
      existing.sockets += 1;
      return false;
    }
    this.members.set(member.userId, { userInfo: member.userInfo, sockets: 1 });
    return true;
  }

  /** Removes one socket of a user; true when the user's last socket left (announce member_removed). */
  leave(userId: string): boolean {
    const existing = this.members.get(userId);
    if (!existing) return false;
    existing.sockets -= 1;
    if (existing.sockets > 0) return false;
    this.members.delete(userId);
    return true;
  }

  get size(): number {
    return this.members.size;
  }

  userIds(): string[] {
    return [...this.members.keys()];
  }

  snapshot(): PresenceSnapshot {
    // User ids come from clients: a plain object would treat "__proto__" as its prototype.
    const hash = Object.create(null) as Record<string, unknown>;
    for (const [id, member] of this.members) hash[id] = member.userInfo ?? null;
    return { ids: [...this.members.keys()], hash, count: this.members.size };
  }
}
