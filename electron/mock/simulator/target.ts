import type { GenerationStore } from '../generations';
import type { CloseConnectionsFilter, PublishRequest, SubscribedEvent } from '../server';

/**
 * What the simulator needs of a Pusher-protocol server: the mock provider implements it
 * (`MockServer`), and so can a test double. Kept narrow so the simulator never reaches into
 * connections directly.
 */
export interface SimulatorTarget {
  generations: GenerationStore;
  publish(request: PublishRequest): number;
  subscriberCount(channel: string, appId?: string): number;
  onSubscribed(listener: (event: SubscribedEvent) => void): () => void;
  closeConnections(filter: CloseConnectionsFilter, code: number, reason?: string): number;
  silencePings(filter: CloseConnectionsFilter, durationMs: number): number;
}
