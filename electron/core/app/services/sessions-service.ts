import { AppError, type CommandResponse, type ParsedRequest, type ReconcileResult } from '../../../../shared/api';
import { frameRows, nearestPoint, timelineText } from '../../../../shared/analysis';
import { lossByVantage, type Monitor, type SessionTimelines } from '../../monitor';
import type { DomainHandlers, DomainService } from '../command-router';
import type { SessionSource } from '../session-source';
import { sessionDetail } from '../topics';

/** Compares a session with the app's generation record now (undefined: its profile has no reconciliation URL). */
export type Reconcile = (sessionId: string, trigger: 'manual') => Promise<ReconcileResult | undefined>;

export interface SessionsServiceDeps {
  monitor: Monitor;
  /** The sessions' charts and frame tables, prepared in the background. */
  timelines: Pick<SessionTimelines, 'view' | 'latest'>;
  /** Where a session's events are (the journal, else the monitor). */
  source: Pick<SessionSource, 'events'>;
  reconcile: Reconcile;
}

/** The fleet over the monitor's sessions (`fleet.summary`, and the `fleet` topic's snapshots and deltas). */
export function fleetSummary(monitor: Monitor, { bucketMs, from, to }: ParsedRequest<'fleet.summary'>): CommandResponse<'fleet.summary'> {
  return {
    bucketMs,
    buckets: monitor.fleet(bucketMs, from, to),
    summary: monitor.summary(),
    lossByVantage: lossByVantage(monitor.list({ limit: 50_000 }).rows, (sessionId) => monitor.observationLosses(sessionId), bucketMs, from, to),
  };
}

/** The sessions live analysis verdicted: `sessions.*` and `fleet.summary`. */
export class SessionsService implements DomainService<'sessions'> {
  readonly handlers: DomainHandlers<'sessions'>;

  constructor({ monitor, timelines, source, reconcile }: SessionsServiceDeps) {
    const noSession = (sessionId: string) => new AppError('not_found', `no session "${sessionId}"`);
    this.handlers = {
      'sessions.list': (filter) => monitor.list(filter),
      'sessions.get': async (params) => {
        await monitor.load(params.sessionId);
        const detail = sessionDetail(monitor, params);
        if (!detail) throw noSession(params.sessionId);
        return detail;
      },
      'sessions.events': ({ sessionId, limit }) => source.events(sessionId, limit),
      'sessions.timeline': async ({ sessionId, vantage, maxPoints, maxTextChars }) => {
        await monitor.load(sessionId);
        const view = await timelines.view(sessionId, maxPoints, maxTextChars, vantage);
        if (!view) throw noSession(sessionId);
        return view;
      },
      'sessions.text': async ({ sessionId, vantage }) => {
        await monitor.load(sessionId);
        const detail = monitor.detail(sessionId, vantage);
        if (!detail) throw noSession(sessionId);
        return timelineText(await timelines.latest(sessionId, detail.vantage), detail.gaps);
      },
      'sessions.frames': async ({ sessionId, vantage, offset, limit }) => {
        await monitor.load(sessionId);
        const timeline = await timelines.latest(sessionId, vantage ?? monitor.primaryVantage(sessionId));
        return { total: timeline.frames.length, t0: timeline.t0, rows: frameRows(timeline, offset, limit) };
      },
      'sessions.reconcile': async ({ sessionId }) => {
        await monitor.load(sessionId);
        if (!monitor.detail(sessionId)) throw noSession(sessionId);
        const result = await reconcile(sessionId, 'manual');
        if (!result)
          throw new AppError('invalid_request', `the connection profile of "${sessionId}" has no reconciliation URL: add one (reconcile.url) to compare with the app's record`);
        return result;
      },
      'sessions.locate': async ({ sessionId, vantage, at, sequence }) => {
        await monitor.load(sessionId);
        return nearestPoint(await timelines.latest(sessionId, vantage ?? monitor.primaryVantage(sessionId)), at, sequence) ?? null;
      },
      'fleet.summary': (params) => fleetSummary(monitor, params),
    };
  }
}
