import { z } from 'zod';
import { ConnectionStatusSchema } from './connections';
import { JournalHealthSchema } from './journal';
import { scenarioPushes } from './scenarios';
import { subscriptionPushes } from './topics';

/**
 * Main → renderer pushes. Each payload is a batch: the host coalesces
 * everything produced within a flush interval into one message per push name,
 * so a token stream at 10k events/s stays a handful of messages per second.
 * What a view shows (records, session rows, a session's detail, the fleet) comes as the deltas of
 * its subscriptions (`topics.ts`), only to the window or socket that subscribed; the pushes
 * here that every window gets are the few genuinely global ones.
 */
export const pushes = {
  /** Latest status of each connection that changed since the previous push. */
  'connections.status': z.object({ items: z.array(ConnectionStatusSchema) }),
  /** The journal's thread stopped and is being started again, or is back (the latest state). */
  'journal.health': JournalHealthSchema,
  ...subscriptionPushes,
  ...scenarioPushes,
} as const;

export type Pushes = typeof pushes;
export type PushName = keyof Pushes;
export type PushPayload<P extends PushName> = z.output<Pushes[P]>;

export function isPushName(name: unknown): name is PushName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(pushes, name);
}
