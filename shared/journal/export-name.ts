/** A file name for an export: `echoscope-[session-]<stamp>.<ext>`, safe on every file system. */
export function exportFileName(stamp: string, format: 'ndjson' | 'har', sessionId?: string): string {
  const session = sessionId === undefined ? '' : `${sessionId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}-`;
  return `echoscope-${session}${stamp.replace(/[:.]/g, '-')}.${format}`;
}
