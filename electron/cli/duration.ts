import { UsageError } from './command';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `1500ms`, `30s`, `5m`, `1h`, `1m30s` or a bare number of seconds. */
export function parseDuration(text: string, option: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new UsageError(`--${option} must be a duration like 30s, 5m, 1500ms or 1h, got ${JSON.stringify(text)}`);
  }
  return parts.reduce((total, part) => total + Number(part[1]) * (UNITS[part[2]!] ?? 0), 0);
}

/**
 * An analyzer threshold on the command line, in the units Settings shows: a duration with its unit
 * (`8s`, `1500ms`, `5m`), or a bare number of milliseconds (what the flags always took).
 */
export function parseThreshold(text: string, option: string): number {
  const trimmed = text.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : parseDurationOrThrow(trimmed, option);
  if (!Number.isSafeInteger(Math.round(ms)) || ms < 1) throw new UsageError(`--${option} must be at least 1 ms, got ${JSON.stringify(text)}`);
  return Math.round(ms);
}

function parseDurationOrThrow(text: string, option: string): number {
  try {
    return parseDuration(text, option);
  } catch {
    throw new UsageError(`--${option} must be a duration like 8s, 1500ms or 5m (a bare number is milliseconds), got ${JSON.stringify(text)}`);
  }
}

/** The help text of a threshold flag. */
export const THRESHOLD_HELP = '(8s, 1500ms, 5m; a bare number is milliseconds)';

/** Reads a threshold flag (`--stall-after`, `--orphan-after`) in ms, `fallback` when absent. */
export function thresholdOption(args: { values: Record<string, unknown> }, name: string, fallback: number): number {
  const raw = args.values[name];
  return typeof raw === 'string' ? parseThreshold(raw, name) : fallback;
}
