export { Monitor, type MonitorOptions, type MonitorUpdate } from './monitor';
export { reconcileSession, type ReconcileTarget } from './reconciler';
