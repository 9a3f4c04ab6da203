import { BrowserWindow, MessageChannelMain, type MessagePortMain } from 'electron';
import { JOURNAL_PORT_CHANNEL, JournalWindowClient, type JournalPort } from '../../shared/journal';
import { loadPage, type RendererLocation } from './renderer-location';

export interface JournalWindow {
  /** The journal, served by the window's IndexedDB; resolves `ready` once the store is open. */
  journal: JournalWindowClient;
  window: BrowserWindow;
  close(): void;
}

function portOf(port: MessagePortMain): JournalPort {
  return {
    post: (request) => port.postMessage(request),
    onMessage: (listener) => {
      const handler = (event: Electron.MessageEvent) => listener(event.data);
      port.on('message', handler);
      port.start();
      return () => port.off('message', handler);
    },
  };
}

/**
 * The journal's owner in Electron (DESIGN §2): a never-shown window, because Dexie needs a
 * DOM context for IndexedDB, and a separate one so the journal survives reloads of the UI.
 * Main drives it over a MessageChannelMain port (no IPC handlers, nothing exposed).
 * Opened after the dashboard window, so the dashboard is the app's first window.
 */
export async function openJournalWindow(location: Pick<RendererLocation, 'journal' | 'journalPreload'>): Promise<JournalWindow> {
  const window = new BrowserWindow({
    show: false,
    webPreferences: {
      preload: location.journalPreload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      // Hidden windows are throttled by default; the journal must keep writing at full speed.
      backgroundThrottling: false,
    },
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const { port1, port2 } = new MessageChannelMain();
  const journal = new JournalWindowClient(portOf(port1));
  await loadPage(window, location.journal);
  window.webContents.postMessage(JOURNAL_PORT_CHANNEL, null, [port2]);
  await journal.ready;
  return {
    journal,
    window,
    close: () => {
      void journal.close();
      port1.close();
      if (!window.isDestroyed()) window.destroy();
    },
  };
}
