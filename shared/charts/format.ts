/** How the session charts write times (the app's detail and the HTML report read alike). */

/** A duration in the UI's units: `4.2 ms`, `312 ms`, `1.5 s`, `12 s`, `2.0 min`; `—` when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 10_000) return `${(ms / 1000).toFixed(0)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** Time-axis ticks: milliseconds under a second (so 0.45 s and 0.55 s do not both read "0.5s"), else seconds. */
export const axisSeconds = (ms: number): string => (Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);
