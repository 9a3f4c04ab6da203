import { vantageKeyOf, type PriorAnalysis } from '../../../shared/analysis';
import type { FrameRecord } from '../../../shared/journal';
import { MAX_SESSION_FRAMES, type Monitor, type SessionScope } from '../monitor';

/** Where a session's full event list comes from (the journal); without it, the monitor's retained history. */
export type SessionEvents = (scope: SessionScope, limit: number) => Promise<FrameRecord[]>;

/** Where a session's records are: in the monitor's memory while it holds them, else in the journal as live analysis keys them. */
export class SessionSource {
  constructor(
    private readonly monitor: Pick<Monitor, 'sessionScope' | 'recentEvents' | 'sessionAnalysis'>,
    private readonly journalEvents?: SessionEvents,
  ) {}

  /** Where the journal holds a session's records, as live analysis keys them. */
  scope(sessionId: string): SessionScope {
    const scope = this.monitor.sessionScope(sessionId);
    return scope === undefined ? { sessionId, channels: [], profile: null } : { sessionId, ...scope };
  }

  /** A session's events, at most `limit`: from the journal when there is one. */
  events(sessionId: string, limit: number): Promise<FrameRecord[]> | FrameRecord[] {
    return this.journalEvents ? this.journalEvents(this.scope(sessionId), limit) : this.monitor.recentEvents(sessionId, limit);
  }

  /**
   * A session's frames: from memory when the monitor still holds them all (a journal query of
   * 100k frames costs seconds), with the anomalies live analysis found in them when it kept all.
   */
  async frames(sessionId: string, vantage: string | undefined): Promise<{ frames: FrameRecord[]; prior?: PriorAnalysis }> {
    const held = this.monitor.sessionAnalysis(sessionId, vantage);
    if (held && held.frames.length > 0) {
      const frames = held.frames.slice(0, MAX_SESSION_FRAMES);
      return { frames, prior: { classes: held.classes.subarray(0, frames.length), positions: held.positions.subarray(0, frames.length) } };
    }
    const all = await this.events(sessionId, MAX_SESSION_FRAMES);
    // One observation's stream: the journal files every vantage's frames under the session.
    return { frames: vantage === undefined ? all : all.filter((frame) => vantageKeyOf(frame) === vantage) };
  }
}
