import { BrowserWindow, MessageChannelMain, type MessagePortMain } from 'electron';
import type { JournalHealth } from '../../shared/api';
import { JOURNAL_PORT_CHANNEL, JournalWindowClient, type Journal, type JournalPort } from '../../shared/journal';
import { OwnerChannel, ownerPort, superviseJournal, type Postable, type SupervisorOptions, type WorkerChannel } from '../core/journal';
import { loadPage, type RendererLocation } from './renderer-location';

export interface JournalWindow {
  /** The journal, served by the window's IndexedDB; resolves `ready` once the store is open. */
  journal: JournalWindowClient;
  /** The same client, as the supervisor names it. */
  client: JournalWindowClient;
  window: BrowserWindow;
  /** Posts to the window's page on its port (the engine's requests). */
  post(message: unknown): void;
  close(): void;
}

/** Main's end of the window's port: the journal's messages to its client, the engine's to `onEngine`, warnings to `onWarning`. */
function portOf(port: MessagePortMain, options: JournalWindowOptions): JournalPort {
  return ownerPort(
    (request) => port.postMessage(request),
    (listener) => {
      const handler = (event: Electron.MessageEvent) => listener(event.data);
      port.on('message', handler);
      port.start();
      return () => port.off('message', handler);
    },
    options,
  );
}

export interface JournalWindowOptions {
  /** What the window's journal and engine say (a torn record, a batch that did not decode). */
  onWarning: (message: string) => void;
  /** The engine's messages (engine/engine-host.ts: the window hosts the app's engine beside its journal). */
  onEngine?: (message: unknown) => void;
}

/**
 * The journal's owner in Electron (DESIGN §2): a never-shown window, because Dexie needs a
 * DOM context for IndexedDB, and a separate one so the journal survives reloads of the UI.
 * Main drives it over a MessageChannelMain port (no IPC handlers, nothing exposed).
 * Opened after the dashboard window, so the dashboard is the app's first window.
 */
export async function openJournalWindow(location: Pick<RendererLocation, 'journal' | 'journalPreload'>, options: JournalWindowOptions): Promise<JournalWindow> {
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
  const journal = new JournalWindowClient(portOf(port1, options));
  await loadPage(window, location.journal);
  window.webContents.postMessage(JOURNAL_PORT_CHANNEL, null, [port2]);
  await journal.ready;
  return {
    journal,
    client: journal,
    window,
    post: (message) => port1.postMessage(message),
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
  /** The app's engine, which the window hosts beside its journal: its side of the port, across the window's restarts. */
  engine: WorkerChannel;
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
  const engine = new OwnerChannel<Postable>();
  return superviseJournal<JournalWindow>(
    {
      what: 'journal window',
      start: async (onExit) => {
        const opened = await openJournalWindow(location, { onWarning: options.onWarning, onEngine: (message) => engine.deliver(message) });
        const ended = (reason: string) => {
          if (stopping.has(opened)) return;
          stopping.add(opened);
          engine.down();
          // Requests it never answered fail now: the writer sends its batch again to the next window.
          opened.close();
          onExit(reason);
        };
        opened.window.webContents.once('render-process-gone', (_event, details: Electron.RenderProcessGoneDetails) =>
          ended(`the journal window's page ended (${details.reason}, exit code ${details.exitCode})`),
        );
        opened.window.once('closed', () => ended('the journal window was closed'));
        engine.up({ postMessage: (message) => opened.post(message) });
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
    engine,
    close: supervised.close,
  }));
}
