import { compileProfile, contractSessionKey } from '../../../shared/contract';
import type { FrameRecord, Journal, JournalQuery, JournalRecord } from '../../../shared/journal';
import type { SessionScope } from '../monitor';

/**
 * A session's records as its contract keys them. The journal indexes records by its own key
 * (shared/journal/session-key.ts: `session_id`, else the channel's suffix), which is the
 * contract's key for the seed's contract and for event streams; a contract that names the
 * session otherwise (a renamed id field, sessions sharing a user channel) is answered by
 * reading the session's channels and keeping what the contract's codec attributes to it, plus
 * the channels' subscriptions.
 */
export async function sessionRecords(journal: Pick<Journal, 'query'>, scope: SessionScope, query: JournalQuery): Promise<JournalRecord[]> {
  const profile = scope.profile;
  if (profile === null || scope.channels.length === 0 || profile.stream !== null || profile.fields.sessionId === 'session_id') {
    return journal.query({ ...query, sessionKey: scope.sessionId });
  }
  const compiled = compileProfile(profile);
  const { limit, ...range } = query;
  const lists = await Promise.all(scope.channels.map((channel) => journal.query({ ...range, channel })));
  const records = lists
    .flat()
    .filter((record) => record.type === 'subscription' || contractSessionKey(compiled, record) === scope.sessionId)
    .sort((a, b) => a.at - b.at);
  return limit === undefined ? records : records.slice(0, limit);
}

/** A session's frames, oldest first, at most `limit`. */
export async function sessionFrames(journal: Pick<Journal, 'query'>, scope: SessionScope, limit: number): Promise<FrameRecord[]> {
  const records = await sessionRecords(journal, scope, { limit: limit * 2 });
  return records.filter((record): record is FrameRecord => record.type === 'frame').slice(0, limit);
}

/**
 * The records of the most recent sessions (for re-analysis at start-up), oldest first: whole
 * sessions, newest first, as many as fit in `limit` records, within `windowMs` of the newest
 * record. Chosen from the journal's session summaries (its index), so the cost is bounded by
 * `limit`, not by the journal's size; a session is never cut in half (it would read as a late join).
 */
export async function recentRecords(journal: Pick<Journal, 'query' | 'stats' | 'sessions'>, windowMs: number, limit: number): Promise<JournalRecord[]> {
  const stats = await journal.stats();
  if (stats.newestAt === null) return [];
  const sessions = (await journal.sessions()).filter((session) => session.lastAt >= stats.newestAt! - windowMs).sort((a, b) => b.lastAt - a.lastAt);
  let from = stats.newestAt;
  let records = 0;
  for (const session of sessions) {
    if (records + session.records > limit && records > 0) break;
    records += session.records;
    from = Math.min(from, session.firstAt);
  }
  return journal.query({ from, limit });
}
