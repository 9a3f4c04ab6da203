/**
 * The one entry of the charts chunk: every recharts-based component is loaded through here,
 * so recharts and its dependencies end up in a single lazily loaded chunk. (The session
 * detail's charts are plain SVG: SessionCharts.tsx, in the main bundle.)
 */
export { default as FleetCharts } from './FleetCharts';
