import { diffSessionDetail, type ParsedTopicParams, type SessionDetail, type TopicDelta } from '../../../../shared/api';
import type { Monitor } from '../../monitor';
import { Subscribers, type Subscription } from './subscription';

type SessionParams = ParsedTopicParams<'session'>;

/** A session's detail as `sessions.get` answers it: `maxTextChars` cuts both texts and says their full lengths. */
export function sessionDetail(monitor: Monitor, { sessionId, vantage, maxTextChars }: SessionParams): SessionDetail | undefined {
  const detail = monitor.detail(sessionId, vantage);
  if (!detail) return undefined;
  if (maxTextChars === undefined || (detail.text.length <= maxTextChars && detail.naiveText.length <= maxTextChars)) return detail;
  return {
    ...detail,
    text: detail.text.slice(0, maxTextChars),
    naiveText: detail.naiveText.slice(0, maxTextChars),
    textLength: detail.text.length,
    naiveTextLength: detail.naiveText.length,
  };
}

/**
 * How often an open detail is compared with the monitor's even when nothing said it changed: a
 * safety net, so a change that reached the detail without a recompute notice would be shown within
 * seconds, never missed for good. Sends nothing when nothing changed. (The case that once looked
 * like a missed notice — a second recording imported into a compacted session — was the read-back
 * dropping the first recording's frames from the second's first arrival on: fixed in `restore`.)
 */
export const SESSION_REVALIDATE_MS = 2000;

/** One subscriber of one session: the detail it was last sent, and whether the session was verdicted again since. */
class SessionSubscription implements Subscription {
  dirty = false;
  private checkedAt: number;

  constructor(
    readonly params: SessionParams,
    private sent: SessionDetail | null,
    private readonly monitor: Monitor,
    private readonly leave: (member: SessionSubscription) => void,
  ) {
    this.checkedAt = monitor.now();
  }

  take(): TopicDelta<'session'> | undefined {
    // An ongoing stall grows with the clock, not with frames: its detail is asked again at every push while it lasts.
    const now = this.monitor.now();
    if (!this.dirty && !this.silent() && now - this.checkedAt < SESSION_REVALIDATE_MS) return undefined;
    this.dirty = false;
    this.checkedAt = now;
    // A session the monitor let go (compacted, or past the cap) keeps what was sent: the journal still has it.
    const next = sessionDetail(this.monitor, this.params);
    if (next === undefined) return undefined;
    const previous = this.sent;
    this.sent = next;
    if (previous === null) return { kind: 'replace', detail: next };
    return diffSessionDetail(previous, next);
  }

  close(): void {
    this.leave(this);
  }

  private silent(): boolean {
    return this.sent?.anomalies.some((anomaly) => anomaly['ongoing'] === true) ?? false;
  }
}

/**
 * One session's detail (verdict, observations, texts, anomalies, reconciliation), kept up to date
 * by patches: the detail is computed again only for a subscribed session the monitor verdicted
 * again, at most once per push interval per subscriber, and only what changed is sent.
 */
export class SessionTopic {
  private readonly bySession = new Map<string, Subscribers<SessionSubscription>>();

  constructor(private readonly monitor: Monitor) {
    monitor.onRecomputed((sessionIds) => {
      if (this.bySession.size === 0) return;
      for (const sessionId of sessionIds) {
        const members = this.bySession.get(sessionId);
        if (members) for (const member of members) member.dirty = true;
      }
    });
  }

  get size(): number {
    let count = 0;
    for (const members of this.bySession.values()) count += members.size;
    return count;
  }

  /** The snapshot is taken, and the subscriber joins, in one step after the session is read back: no change falls between. */
  async open(params: SessionParams): Promise<{ snapshot: SessionDetail | null; subscription: Subscription }> {
    await this.monitor.load(params.sessionId);
    const snapshot = sessionDetail(this.monitor, params) ?? null;
    const members = this.bySession.get(params.sessionId) ?? new Subscribers<SessionSubscription>();
    this.bySession.set(params.sessionId, members);
    const subscription = members.add(
      new SessionSubscription(params, snapshot, this.monitor, (member) => {
        members.delete(member);
        if (members.size === 0) this.bySession.delete(params.sessionId);
      }),
    );
    return { snapshot, subscription };
  }
}
