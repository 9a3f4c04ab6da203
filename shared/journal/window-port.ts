/**
 * How the journal window gets its MessagePort. Kept free of imports: the sandboxed preload
 * bundles this file and may `require` nothing but `electron`.
 */

/** The IPC channel main sends the port on. */
export const JOURNAL_PORT_CHANNEL = 'echoscope:journal-port';
/** The `kind` of the `window.postMessage` the preload forwards the port with. */
export const JOURNAL_PORT_MESSAGE = 'echoscope:journal-port';
