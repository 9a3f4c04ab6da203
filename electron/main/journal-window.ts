import { BrowserWindow, MessageChannelMain, type MessagePortMain } from 'electron';
import type { JournalHealth } from '../../shared/api';
import { JOURNAL_PORT_CHANNEL, JournalWindowClient, type Journal, type JournalPort } from '../../shared/journal';
import { superviseJournal, type SupervisorOptions } from '../core/journal';
import { loadPage, type RendererLocation } from './renderer-location';

export interface JournalWindow {
  /** The journal, served by the window's IndexedDB; resolves `ready` once the store is open. */
  journal: JournalWindowClient;
  /** The same client, as the supervisor names it. */
  client: JournalWindowClient;
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
    client: journal,
    window,
    close: () => {
      void journal.close();
      port1.close();
      if (!window.isDestroyed()) window.destroy();
    },
  };
}

export interface SupervisedJournalWindow {
  /** The journal, whichever journal window holds it now: calls during a restart wait for the new one. */
  journal: Journal;
  health(): JournalHealth;
  /** The hidden window now (undefined while it is being opened again). */
  window(): BrowserWindow | undefined;
  close(): Promise<void>;
}

/**
 * The journal window, supervised (issue 19): when its page crashes (`render-process-gone`) or
 * the window goes away unasked, a new one is opened on the same IndexedDB — with backoff, calls
 * waiting for it, the batch in flight written again by its id — and `onHealth` tells the
 * windows (the dashboard's banner says the journal is restarting, then that it is back).
 */
export function openSupervisedJournalWindow(location: Pick<RendererLocation, 'journal' | 'journalPreload'>, options: SupervisorOptions): Promise<SupervisedJournalWindow> {
  const stopping = new WeakSet<JournalWindow>();
  return superviseJournal<JournalWindow>(
    {
      what: 'journal window',
      start: async (onExit) => {
        const opened = await openJournalWindow(location);
        const ended = (reason: string) => {
          if (stopping.has(opened)) return;
          stopping.add(opened);
          // Requests it never answered fail now: the writer sends its batch again to the next window.
          opened.close();
          onExit(reason);
        };
        opened.window.webContents.once('render-process-gone', (_event, details: Electron.RenderProcessGoneDetails) =>
          ended(`the journal window's page ended (${details.reason}, exit code ${details.exitCode})`),
        );
        opened.window.once('closed', () => ended('the journal window was closed'));
        return opened;
      },
      stop: async (opened) => {
        stopping.add(opened);
        opened.close();
      },
    },
    options,
  ).then((supervised) => ({
    journal: supervised.journal,
    health: supervised.health,
    window: () => supervised.current()?.window,
    close: supervised.close,
  }));
}
