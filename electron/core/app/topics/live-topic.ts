import { countByStatus, querySessions, type ParsedTopicParams, type SessionRow, type TopicDelta, type TopicState } from '../../../../shared/api';
import type { Monitor } from '../../monitor';
import { Subscribers, type Subscription } from './subscription';

type LiveParams = ParsedTopicParams<'live'>;

/** Sessions the Live table reads at most (the monitor's own list bound). */
const MAX_SESSIONS = 50_000;

function liveWindow(monitor: Monitor, { offset, limit, query }: LiveParams): TopicState<'live'> {
  const all = monitor.list({ limit: MAX_SESSIONS }).rows;
  const matched = querySessions(all, query);
  return { total: matched.length, sessions: all.length, counts: countByStatus(all), offset, rows: matched.slice(offset, offset + limit) };
}

/** One Live table's window: the rows it was last sent, by id, so a delta carries only new or changed rows. */
class LiveSubscription implements Subscription {
  dirty = false;
  private sent: Map<string, SessionRow>;
  private figures: string;

  constructor(
    private readonly params: LiveParams,
    snapshot: TopicState<'live'>,
    private readonly monitor: Monitor,
    private readonly leave: (member: LiveSubscription) => void,
  ) {
    this.sent = new Map(snapshot.rows.map((row) => [row.sessionId, row]));
    this.figures = figuresOf(snapshot);
  }

  take(): TopicDelta<'live'> | undefined {
    if (!this.dirty) return undefined;
    this.dirty = false;
    const next = liveWindow(this.monitor, this.params);
    const figures = figuresOf(next);
    const ids = next.rows.map((row) => row.sessionId);
    // The monitor replaces a row object when it computes the row again: an unchanged row is the same object.
    const rows = next.rows.filter((row) => this.sent.get(row.sessionId) !== row);
    const sentIds = [...this.sent.keys()];
    const sameWindow = ids.length === sentIds.length && ids.every((id, i) => sentIds[i] === id);
    if (rows.length === 0 && sameWindow && figures === this.figures) return undefined;
    this.sent = new Map(next.rows.map((row) => [row.sessionId, row]));
    this.figures = figures;
    return { total: next.total, sessions: next.sessions, counts: next.counts, ids, rows };
  }

  close(): void {
    this.leave(this);
  }
}

function figuresOf(window: TopicState<'live'>): string {
  return JSON.stringify([window.total, window.sessions, window.counts]);
}

/**
 * The Live table's visible window (`offset`, `limit`, the view's filter and sort), computed on the
 * host: a window shows a few dozen rows whatever the fleet, and a window without a Live table gets
 * no rows at all. Recomputed only when the monitor reported changed rows, per subscriber.
 */
export class LiveTopic {
  private readonly subscribers = new Subscribers<LiveSubscription>();

  constructor(private readonly monitor: Monitor) {
    monitor.onUpdate(() => {
      for (const member of this.subscribers) member.dirty = true;
    });
  }

  get size(): number {
    return this.subscribers.size;
  }

  open(params: LiveParams): { snapshot: TopicState<'live'>; subscription: Subscription } {
    const snapshot = liveWindow(this.monitor, params);
    const subscription = this.subscribers.add(new LiveSubscription(params, snapshot, this.monitor, (member) => this.subscribers.delete(member)));
    return { snapshot, subscription };
  }
}
