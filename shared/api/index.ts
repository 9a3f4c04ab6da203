export * from './result';
export * from './profiles';
export * from './connections';
export * from './commands';
export * from './pushes';
export * from './bridge';
export * from './scenarios';
export * from './monitor';
