export * from './records';
export * from './guards';
export * from './ndjson';
export * from './har';
