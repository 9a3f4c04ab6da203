import { app, dialog, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import type { ExportFormat } from '../../shared/api';

const FILTERS: Record<ExportFormat, Electron.FileFilter[]> = {
  ndjson: [{ name: 'EchoScope journal (NDJSON)', extensions: ['ndjson'] }],
  har: [{ name: 'HAR (DevTools)', extensions: ['har'] }],
};

/**
 * The desktop app's save dialog for an export (`journal.saveAs`): in the Downloads folder by
 * default, modal to the dashboard when it is open; the chosen path, or null when cancelled.
 */
export function saveDialog(dashboard: () => BrowserWindow | undefined): (suggestedName: string, format: ExportFormat) => Promise<string | null> {
  return async (suggestedName, format) => {
    const options: Electron.SaveDialogOptions = { title: 'Save the export', defaultPath: join(app.getPath('downloads'), suggestedName), filters: FILTERS[format] };
    const window = dashboard();
    const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    return result.canceled || !result.filePath ? null : result.filePath;
  };
}
