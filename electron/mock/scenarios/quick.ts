/**
 * The library's timing. Timings are short (milliseconds per token, sub-second stalls) and the
 * analyzer's thresholds are scaled down to match, so `echoscope check builtin` runs the whole
 * library in seconds while keeping every silence far from its threshold (no flaky verdicts).
 */

/** Fast tokens: ~4 ms apart, rarely over 15. */
export const FAST = { ttftMs: { uniform: [5, 15] as [number, number] }, interTokenMs: { lognormal: { p50: 4, p95: 10 } } };

/**
 * A stall is 500 ms of silence; the sweeper orphans after 1.2 s, the analyzer after 0.9 s. Every
 * deliberate silence keeps ≥ 300 ms from a threshold, so a loaded CI machine's scheduling jitter
 * cannot turn a healthy gap into a stall.
 */
export const QUICK = { timing: FAST, orphanAfterMs: 1200, analyzer: { stallAfterMs: 500, orphanAfterMs: 900 } };
