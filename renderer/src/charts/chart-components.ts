/**
 * The one entry of the charts chunk: every recharts-based component is loaded through here,
 * so recharts and its dependencies end up in a single lazily loaded chunk.
 */
export { default as SessionCharts } from './SessionCharts';
export { default as FleetCharts } from './FleetCharts';
