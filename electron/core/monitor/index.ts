export { Monitor, type MonitorOptions, type MonitorUpdate } from './monitor';
export { reconcileSession, type ReconcileTarget } from './reconciler';
export { MAX_SESSION_FRAMES, SessionTimelines, type PrepareOptions } from './session-timelines';
