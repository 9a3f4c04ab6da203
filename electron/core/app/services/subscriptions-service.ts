import { AppError } from '../../../../shared/api';
import type { DomainHandlers, DomainService } from '../command-router';
import type { Topics } from '../topics';

/** A window's or bridge client's subscriptions to topics: `subscriptions.subscribe|unsubscribe` (the caller's push target holds them). */
export class SubscriptionsService implements DomainService<'subscriptions'> {
  readonly handlers: DomainHandlers<'subscriptions'>;

  constructor(topics: Pick<Topics, 'open'>) {
    this.handlers = {
      'subscriptions.subscribe': async (request, { client }) => {
        const { id } = request;
        if (client === undefined) throw new AppError('invalid_request', 'subscriptions belong to a window or bridge client: this caller has none');
        if (client.hasSubscription(id)) throw new AppError('conflict', `subscription "${id}" is already open`);
        const { snapshot, subscription } = await topics.open(request);
        // The window or socket went while the snapshot was read (or the same id was taken meanwhile): nothing is kept for it.
        if (client.closed || client.hasSubscription(id)) {
          subscription.close();
          throw new AppError(client.closed ? 'not_connected' : 'conflict', client.closed ? 'the subscriber is gone' : `subscription "${id}" is already open`);
        }
        client.addSubscription(id, subscription);
        return { id, snapshot };
      },
      'subscriptions.unsubscribe': ({ id }, { client }) => ({ unsubscribed: client?.removeSubscription(id) ?? false }),
    };
  }
}
