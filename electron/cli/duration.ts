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
