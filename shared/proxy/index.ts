export * from './faults';
export * from './plan';
export * from './truth';
export * from './protocol';
