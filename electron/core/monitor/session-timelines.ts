import { buildTimeline, timelineView, VIEW_TEXT_CHARS, type PriorAnalysis, type SessionTimeline, type TimelineView } from '../../../shared/analysis';
import type { FrameRecord } from '../../../shared/journal';
import type { Monitor } from './monitor';
import { realTimers, type Timers } from '../timers';

/** Most frames one session's detail covers (the journal keeps the rest). */
export const MAX_SESSION_FRAMES = 200_000;

export interface PrepareOptions {
  /**
   * Sessions with at least this many events are classified in the background once they end, so
   * opening one does not wait for it (100k events: ~100–200 ms of classification on a cold
   * host). Shorter sessions classify in a few ms on demand. Default 20,000.
   */
  minEvents?: number;
  /** Pause before each background classification, so a burst of endings is not one long task. Default 250 ms. */
  delayMs?: number;
  /** What times that pause; default real timers (tests pass a virtual clock). */
  timers?: Timers;
}

/**
 * Sessions classified for the detail view (shared/analysis/timeline), kept for the few most
 * recently opened: the charts, each window of the raw table and each anomaly lookup reuse one
 * classification instead of replaying a 100k-event session per request.
 */
export class SessionTimelines {
  private readonly cache = new Map<string, { signature: string; timeline: SessionTimeline }>();
  /** Ended long sessions waiting for background classification, oldest first (at most `capacity`). */
  private readonly toPrepare: string[] = [];
  private preparing: unknown = null;
  private closed = false;
  private readonly minEvents: number;
  private readonly delayMs: number;
  private readonly timers: Timers;
  /** Classifications run (on demand and in the background): for tests and diagnostics. */
  classifications = 0;

  constructor(
    private readonly monitor: Monitor,
    /**
     * A session's frames in arrival order (the monitor's history when it holds them all, else the
     * journal), with live analysis' findings when the monitor has them complete.
     */
    private readonly loadFrames: (sessionId: string, vantage: string | undefined) => Promise<{ frames: FrameRecord[]; prior?: PriorAnalysis }>,
    private readonly capacity = 4,
    prepare: PrepareOptions = {},
  ) {
    this.minEvents = prepare.minEvents ?? 20_000;
    this.delayMs = prepare.delayMs ?? 250;
    this.timers = prepare.timers ?? realTimers;
  }

  /**
   * A session ended: when it is long, classify it in the background (one at a time, each after a
   * pause), so the detail opens without waiting for it. Only the latest `capacity` endings wait:
   * the cache keeps no more than that anyway.
   */
  ended(sessionId: string, events: number): void {
    if (this.closed || events < this.minEvents) return;
    const queued = this.toPrepare.indexOf(sessionId);
    if (queued >= 0) this.toPrepare.splice(queued, 1);
    this.toPrepare.push(sessionId);
    while (this.toPrepare.length > this.capacity) this.toPrepare.shift();
    this.schedulePreparation();
  }

  /** Stops background work. */
  close(): void {
    this.closed = true;
    if (this.preparing !== null) this.timers.clearTimeout(this.preparing);
    this.preparing = null;
    this.toPrepare.length = 0;
  }

  private schedulePreparation(): void {
    if (this.preparing !== null || this.toPrepare.length === 0 || this.closed) return;
    this.preparing = this.timers.setTimeout(() => {
      const sessionId = this.toPrepare.shift();
      const next = () => {
        this.preparing = null;
        this.schedulePreparation();
      };
      if (sessionId === undefined) return next();
      // The view's budget-independent parts (latency lines, histogram, the texts the page shows
      // first) are kept with the classification. A failure here is not the user's: opening the
      // session reports it, if it persists.
      this.view(sessionId, undefined, VIEW_TEXT_CHARS).then(next, next);
    }, this.delayMs);
  }

  /**
   * One observation of the session (`vantage`, else the fullest) as it is now: classified again
   * only if frames, settings or contract changed. Frames of other vantages never enter it.
   */
  async current(sessionId: string, vantage = this.monitor.primaryVantage(sessionId)): Promise<SessionTimeline> {
    const key = cacheKey(sessionId, vantage);
    const { frames, prior } = await this.loadFrames(sessionId, vantage);
    const signature = this.signature(frames);
    const cached = this.cache.get(key);
    if (cached && cached.signature === signature) return this.touch(key, cached);
    const settings = this.monitor.settings();
    this.classifications++;
    // The channel's contract as live analysis reads it (given, or detected): the timeline reads the payloads with the same one.
    const channel = frames.find((frame) => frame.channel !== undefined)?.channel;
    const profile = (channel === undefined ? undefined : this.monitor.sessionContract(channel)) ?? this.monitor.profile();
    const timeline = buildTimeline(sessionId, frames, { ...settings, profile }, prior);
    return this.touch(key, { signature, timeline });
  }

  /**
   * The chart-ready view (shared/analysis/timeline/view.ts) of the session as it is now, with the
   * monitor's verdict as reference; undefined for an unknown session.
   */
  async view(sessionId: string, maxPoints?: number, maxTextChars?: number, vantage?: string): Promise<TimelineView | undefined> {
    const chosen = vantage ?? this.monitor.primaryVantage(sessionId);
    if (!this.monitor.detail(sessionId, chosen)) return undefined;
    const timeline = await this.current(sessionId, chosen);
    const detail = this.monitor.detail(sessionId, chosen);
    if (!detail) return undefined;
    // The observation drawn: its own terminal time and latency, not the session's combined row.
    const shown = detail.observations.find((o) => o.vantage === detail.vantage) ?? detail.row;
    const reference = {
      gaps: detail.gaps,
      anomalies: detail.anomalies,
      terminalAt: shown.terminalAt,
      terminalState: shown.terminalStates[0] ?? null,
      interTokenP99: shown.interTokenMs?.p99 ?? null,
      stallAfterMs: this.monitor.settings().stallAfterMs,
      // Live, a session without a terminal event is silent up to now; an imported recording is not.
      now: shown.source === undefined ? this.monitor.now() : null,
    };
    return timelineView(timeline, reference, maxPoints, maxTextChars);
  }

  /** The last classification shown (the table and anomaly lookups follow the charts), else a fresh one. */
  async latest(sessionId: string, vantage = this.monitor.primaryVantage(sessionId)): Promise<SessionTimeline> {
    const key = cacheKey(sessionId, vantage);
    const cached = this.cache.get(key);
    return cached ? this.touch(key, cached) : this.current(sessionId, vantage);
  }

  private signature(frames: readonly FrameRecord[]): string {
    const last = frames[frames.length - 1];
    return `${frames.length}|${last?.at ?? ''}|${JSON.stringify(this.monitor.settings())}|${JSON.stringify(this.monitor.profile())}`;
  }

  private touch(key: string, entry: { signature: string; timeline: SessionTimeline }): SessionTimeline {
    this.cache.delete(key);
    this.cache.set(key, entry);
    while (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return entry.timeline;
  }
}

function cacheKey(sessionId: string, vantage: string | undefined): string {
  return `${sessionId}\u0000${vantage ?? ''}`;
}
