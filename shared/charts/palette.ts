/**
 * Chart colours per theme, one table for the app's charts (renderer/src/charts) and the HTML
 * report's static SVG (electron/core/scenarios/reporters). SVG presentation attributes set by
 * recharts do not resolve CSS variables everywhere, so the app's charts get concrete colours;
 * they match renderer/src/styles.css. The report writes them as CSS custom properties, light
 * and dark (prefers-color-scheme).
 */
export interface ChartPalette {
  grid: string;
  axis: string;
  text: string;
  attempts: string[];
  duplicate: string;
  replay: string;
  conflict: string;
  outOfOrder: string;
  afterTerminal: string;
  violation: string;
  terminal: Record<string, string>;
  gap: string;
  stall: string;
  disconnect: string;
  focus: string;
  latency: string;
  delivery: string;
  status: Record<string, string>;
  connection: Record<string, string>;
}

export const LIGHT_CHART_PALETTE: ChartPalette = {
  grid: '#e3e7ec',
  axis: '#8c959f',
  text: '#424a53',
  attempts: ['#0969da', '#8250df', '#1b7c83', '#bc4c00', '#4d2d00'],
  duplicate: '#bf8700',
  replay: '#cf222e',
  conflict: '#a40e26',
  outOfOrder: '#d4a72c',
  afterTerminal: '#e16f24',
  violation: '#82071e',
  terminal: { completed: '#1a7f37', finished: '#1a7f37', truncated: '#9a6700', errored: '#cf222e', abandoned: '#6e7781' },
  gap: 'rgba(207, 34, 46, 0.14)',
  stall: 'rgba(191, 135, 0, 0.18)',
  disconnect: '#bc4c00',
  focus: '#0550ae',
  latency: '#0969da',
  delivery: '#8250df',
  status: { completed: '#2da44e', truncated: '#d4a72c', errored: '#cf222e', abandoned: '#8c959f', orphaned: '#a40e26', stalled: '#bf8700', streaming: '#54aeff' },
  connection: { connected: '#2da44e', connecting: '#d4a72c', initialized: '#d4a72c', unavailable: '#e16f24', disconnected: '#8c959f', failed: '#cf222e' },
};

export const DARK_CHART_PALETTE: ChartPalette = {
  grid: '#30363d',
  axis: '#6e7681',
  text: '#c9d1d9',
  attempts: ['#4493f8', '#ab7df8', '#39c5cf', '#f0883e', '#e3b341'],
  duplicate: '#d29922',
  replay: '#ff7b72',
  conflict: '#ffa198',
  outOfOrder: '#e3b341',
  afterTerminal: '#f0883e',
  violation: '#ff4d4d',
  terminal: { completed: '#3fb950', finished: '#3fb950', truncated: '#d29922', errored: '#f85149', abandoned: '#8b949e' },
  gap: 'rgba(248, 81, 73, 0.18)',
  stall: 'rgba(210, 153, 34, 0.2)',
  disconnect: '#f0883e',
  focus: '#79c0ff',
  latency: '#4493f8',
  delivery: '#ab7df8',
  status: { completed: '#3fb950', truncated: '#d29922', errored: '#f85149', abandoned: '#8b949e', orphaned: '#ff7b72', stalled: '#bb8009', streaming: '#58a6ff' },
  connection: { connected: '#3fb950', connecting: '#d29922', initialized: '#d29922', unavailable: '#f0883e', disconnected: '#8b949e', failed: '#f85149' },
};
