import { ipcRenderer } from 'electron';
import { JOURNAL_PORT_CHANNEL, JOURNAL_PORT_MESSAGE } from '../../shared/journal/window-port';

/**
 * Preload of the hidden journal window: exposes nothing. It only hands the MessagePort main
 * sends on one fixed channel to the page (Electron's documented pattern for ports under
 * contextIsolation); the page then talks to main on that port alone.
 */
ipcRenderer.once(JOURNAL_PORT_CHANNEL, (event) => {
  window.postMessage({ kind: JOURNAL_PORT_MESSAGE }, '*', event.ports);
});
