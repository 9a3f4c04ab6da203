import { BRIDGE_TOKEN_META, JOURNAL_EXPORT_PATH, type AppApi, type JournalExportRequest } from '../../../shared/api';
import { formatBytes, formatCount } from './format';

/** Saves text as a file the user downloads (works in Electron and in a browser alike). */
export function downloadText(fileName: string, text: string, type = 'application/x-ndjson'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: some browsers start the download asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Where the headless host streams an export as a download — the page served by `echoscope serve`
 * carries its token — or null in the desktop app (which asks over IPC instead). The browser saves
 * what the host streams: nothing is built whole in the page or in the host.
 */
export function hostExportUrl(filter: JournalExportRequest): string | null {
  const token = document.querySelector(`meta[name="${BRIDGE_TOKEN_META}"]`)?.getAttribute('content');
  if (!token) return null;
  const url = new URL(JOURNAL_EXPORT_PATH, window.location.href);
  url.searchParams.set('token', token);
  if (filter.sessionId !== undefined) url.searchParams.set('sessionId', filter.sessionId);
  if (filter.from !== undefined) url.searchParams.set('from', String(filter.from));
  if (filter.to !== undefined) url.searchParams.set('to', String(filter.to));
  if (filter.format !== undefined) url.searchParams.set('format', filter.format);
  return url.toString();
}

/** Starts the browser's download of a URL (the file name comes from the response). */
export function downloadUrl(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  document.body.append(link);
  link.click();
  link.remove();
}

const EXPORT_TYPES = { ndjson: 'application/x-ndjson', har: 'application/json' } as const;

/**
 * Exports the journal (or a time range, or a session) as NDJSON or HAR: in the browser the host
 * streams it as a download; in the desktop app it comes over IPC and is saved as a file. Says what happened.
 */
export async function exportJournal(api: AppApi, request: JournalExportRequest, what = 'the export'): Promise<string> {
  const streamed = hostExportUrl(request);
  if (streamed !== null) {
    downloadUrl(streamed);
    return `Downloading ${what}: your browser saves it as it arrives.`;
  }
  // The desktop app: a save dialog, and the journal streams into the chosen file.
  const saved = await api.invoke('journal.saveAs', request);
  if (saved.ok)
    return saved.value.saved
      ? `Saved ${formatCount(saved.value.records)} records (${formatBytes(saved.value.bytes)}) to ${saved.value.path}.`
      : 'Not saved: the dialog was cancelled.';
  if (saved.error.code !== 'invalid_request') return saved.error.message;
  // A host without a save dialog: the export in one answer, saved by the page.
  const result = await api.invoke('journal.export', request);
  if (!result.ok) return result.error.message;
  downloadText(result.value.fileName, result.value.content, EXPORT_TYPES[result.value.format]);
  return `Exported ${formatCount(result.value.records)} records as ${result.value.fileName}.`;
}
