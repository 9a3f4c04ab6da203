// The Dexie store is not re-exported here: import it from './store' where IndexedDB is the point
// (the journal window, the host journal), so the barrel never carries Dexie into the main window.
export * from './records';
export * from './guards';
export * from './ndjson';
export * from './har';
export * from './wire-records';
export * from './socketio-wire';
export * from './har-export';
export * from './export-name';
export * from './session-key';
export * from './batch';
export * from './batch-order';
export * from './captured';
export * from './blocks';
export * from './summaries';
export * from './query';
export * from './journal';
export * from './window-protocol';
export * from './window-server';
export * from './window-client';
export * from './detect';
