export { Monitor, type MonitorMetrics, type MonitorOptions, type MonitorUpdate, type SessionScope } from './monitor';
export { reconcileSession, type ReconcileTarget } from './reconciler';
export { MAX_SESSION_FRAMES, SessionTimelines, type PrepareOptions } from './session-timelines';
export { RecordFollower, DEFAULT_SETTLE_MS, type RecordFollowerOptions, type RecordFollowerPorts } from './record-follower';
export { lossByVantage, MAX_LOSS_SESSIONS } from './vantage-loss';
