import { AppError, ProfileInputSchema, redactProfile } from '../../../../shared/api';
import type { ConnectionHub } from '../../hub';
import type { DomainHandlers, DomainService } from '../command-router';
import type { FrameTail } from '../frame-tail';
import type { ProfileStore } from '../profile-store';

/** Counters of the embedded mock provider, per app. */
export type MockCounters = () => Array<{ appId: string; connections: number; subscriptions: number; channels: number; messagesIn: number; messagesOut: number }>;

export interface ConnectionsServiceDeps {
  hub: Pick<ConnectionHub, 'list' | 'status' | 'connect' | 'disconnect' | 'subscribe' | 'unsubscribe'>;
  profiles: ProfileStore;
  /** The newest frames captured (the raw tail). */
  tail: Pick<FrameTail, 'recent'>;
  /** When the host runs the embedded mock provider. */
  mockCounters?: MockCounters;
}

/** Connection profiles and the hub's connections and channels: `profiles.*`, `connections.*`, `channels.subscribe|unsubscribe`, `tail.recent`, `mock.counters`. */
export class ConnectionsService implements DomainService<'connections'> {
  readonly handlers: DomainHandlers<'connections'>;

  constructor({ hub, profiles, tail, mockCounters }: ConnectionsServiceDeps) {
    const requireProfile = (id: string) => {
      const profile = profiles.get(id);
      if (!profile) throw new AppError('not_found', `no connection profile "${id}"`);
      return profile;
    };
    this.handlers = {
      'profiles.list': () => profiles.list().map(redactProfile),
      'profiles.save': (input) => {
        const profile = ProfileInputSchema.parse(input);
        profiles.save(profile);
        return redactProfile(profile);
      },
      'profiles.delete': ({ profileId }) => {
        if (hub.status(profileId)) hub.disconnect(profileId);
        return { deleted: profiles.delete(profileId) };
      },
      'connections.list': () => hub.list(),
      'connections.connect': ({ profileId }) => hub.connect(requireProfile(profileId)),
      'connections.disconnect': ({ profileId }) => hub.disconnect(profileId),
      'channels.subscribe': ({ profileId, channel }) => hub.subscribe(profileId, channel),
      'channels.unsubscribe': ({ profileId, channel }) => hub.unsubscribe(profileId, channel),
      'tail.recent': ({ limit }) => tail.recent(limit),
      'mock.counters': () => mockCounters?.() ?? null,
    };
  }
}
