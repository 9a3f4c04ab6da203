/** Scenarios (DESIGN §7): schema, seeded randomness, faults, ground truth, expectations and scoring. Pure. */
export * from './schema';
export * from './faults';
export * from './contracts';
export * from './attempts';
export * from './combinations';
export * from './distribution';
export * from './random';
export * from './parse';
export * from './truth';
export * from './proxied';
export * from './stream-truth';
export * from './expect';
export * from './scoring';
export * from './profile';
export * from './real-server';
