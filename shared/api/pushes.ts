import { z } from 'zod';
import { JournalRecordSchema } from '../journal/records';
import { ConnectionStatusSchema } from './connections';
import { JournalHealthSchema } from './journal';
import { scenarioPushes } from './scenarios';
import { monitorPushes } from './monitor';

/**
 * Main → renderer pushes. Each payload is a batch: the host coalesces
 * everything produced within a flush interval into one message per push name,
 * so a token stream at 10k events/s stays a handful of messages per second.
 */
export const pushes = {
  /** Raw records as captured (frames, connection and subscription changes), in arrival order. */
  'journal.records': z.object({ items: z.array(JournalRecordSchema), dropped: z.number().int().min(0) }),
  /** Latest status of each connection that changed since the previous push. */
  'connections.status': z.object({ items: z.array(ConnectionStatusSchema) }),
  /** The journal's thread stopped and is being started again, or is back (the latest state). */
  'journal.health': JournalHealthSchema,
  ...monitorPushes,
  ...scenarioPushes,
} as const;

export type Pushes = typeof pushes;
export type PushName = keyof Pushes;
export type PushPayload<P extends PushName> = z.output<Pushes[P]>;

export function isPushName(name: unknown): name is PushName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(pushes, name);
}
