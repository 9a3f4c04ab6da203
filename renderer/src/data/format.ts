/** How numbers and times read in the UI. */

/** Shared with the HTML report's charts (shared/charts/format.ts). */
export { formatMs } from '../../../shared/charts/format';

export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d`;
}

export function formatClock(at: number): string {
  const date = new Date(at);
  return `${date.toLocaleTimeString(undefined, { hour12: false })}.${String(Math.floor(at % 1000)).padStart(3, '0')}`;
}

export function formatDateTime(at: number | null): string {
  if (at === null) return '—';
  return new Date(at).toLocaleString(undefined, { hour12: false });
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** A count as every view writes one: digits grouped by thousands (12,345), whatever the system's locale. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A count with its noun: `1 session`, `12,345 sessions` (`many` for irregular plurals). */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A share as every view writes one: `42.5%`, `0.25%` under 1 (small rates matter), `—` when unknown. */
export function formatPercent(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return '—';
  return `${percent.toFixed(percent < 1 ? 2 : 1)}%`;
}

/** A payload as one line, cut for tables. */
export function formatPayload(data: unknown, max = 400): string {
  // A message without data (soketi's pusher_internal:subscription_succeeded) says so rather than showing nothing.
  if (data === undefined) return '(no data)';
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  if (text === undefined) return '';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
