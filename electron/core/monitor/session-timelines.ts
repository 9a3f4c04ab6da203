import { buildTimeline, type PriorAnalysis, type SessionTimeline } from '../../../shared/analysis';
import type { FrameRecord } from '../../../shared/journal';
import type { Monitor } from './monitor';

/** Most frames one session's detail covers (the journal keeps the rest). */
export const MAX_SESSION_FRAMES = 200_000;


/**
 * Sessions classified for the detail view (shared/analysis/timeline), kept for the few most
 * recently opened: the charts, each window of the raw table and each anomaly lookup reuse one
 * classification instead of replaying a 100k-event session per request.
 */
export class SessionTimelines {
  private readonly cache = new Map<string, { signature: string; timeline: SessionTimeline }>();

  constructor(
    private readonly monitor: Monitor,
    /**
     * A session's frames in arrival order (the monitor's history when it holds them all, else the
     * journal), with live analysis' findings when the monitor has them complete.
     */
    private readonly loadFrames: (sessionId: string) => Promise<{ frames: FrameRecord[]; prior?: PriorAnalysis }>,
    private readonly capacity = 4,
  ) {}

  /** The session as it is now: classified again only if frames, settings or contract changed. */
  async current(sessionId: string): Promise<SessionTimeline> {
    const { frames, prior } = await this.loadFrames(sessionId);
    const signature = this.signature(frames);
    const cached = this.cache.get(sessionId);
    if (cached && cached.signature === signature) return this.touch(sessionId, cached);
    const settings = this.monitor.settings();
    const timeline = buildTimeline(sessionId, frames, { ...settings, profile: this.monitor.profile() }, prior);
    return this.touch(sessionId, { signature, timeline });
  }

  /** The last classification shown (the table and anomaly lookups follow the charts), else a fresh one. */
  async latest(sessionId: string): Promise<SessionTimeline> {
    const cached = this.cache.get(sessionId);
    return cached ? this.touch(sessionId, cached) : this.current(sessionId);
  }

  private signature(frames: readonly FrameRecord[]): string {
    const last = frames[frames.length - 1];
    return `${frames.length}|${last?.at ?? ''}|${JSON.stringify(this.monitor.settings())}|${JSON.stringify(this.monitor.profile())}`;
  }

  private touch(sessionId: string, entry: { signature: string; timeline: SessionTimeline }): SessionTimeline {
    this.cache.delete(sessionId);
    this.cache.set(sessionId, entry);
    while (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return entry.timeline;
  }
}
