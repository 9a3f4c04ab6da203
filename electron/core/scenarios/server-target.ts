import { GenerationStore } from '../../mock/generations';
import type { CloseConnectionsFilter, PublishRequest, SubscribedEvent } from '../../mock/server';
import type { SimulatorTarget } from '../../mock/simulator';
import { pusherRest, restAnswer, type PusherRestApp } from '../hub/pusher-rest';

/**
 * `check --url`: the generation simulator plays a scenario on a real Pusher-protocol server
 * (Reverb, soketi, Pusher Channels) by publishing through the server's HTTP API, as a Laravel
 * app's queue job does. Publishes go out one request at a time in the order they were made (so a
 * channel's events reach the server in publish order), the waiting ones together as one
 * `batch_events` request of at most `MAX_BATCH`. The generation records live here, as the app's
 * database would hold them.
 *
 * What only a server can do to its sockets (close them, silence pings) is not asked of a real
 * one: the sessions that need it are set aside before they run (`forRealServer`).
 */

/** Pusher's, Reverb's and soketi's default limit of events in one batch request. */
export const MAX_BATCH = 10;

export type ServerApp = PusherRestApp;

interface QueuedEvent {
  channel: string;
  name: string;
  data: string;
}

/** How a server is named in messages: its WebSocket address, or Pusher Channels' cluster. */
export function describeServer(app: ServerApp): string {
  return app.kind === 'pusher' ? `Pusher Channels (cluster ${app.cluster ?? 'mt1'})` : `${app.tls ? 'wss' : 'ws'}://${app.host}:${app.port}`;
}

export class ServerTarget implements SimulatorTarget {
  readonly generations = new GenerationStore();
  /** Resolves with what went wrong once a publish fails (nothing after it is sent). */
  readonly failure: Promise<string>;
  private fail!: (message: string) => void;
  private failed: string | null = null;
  private readonly queue: QueuedEvent[] = [];
  private sending = false;
  private readonly subscribers = new Map<string, number>();
  private readonly listeners = new Set<(event: SubscribedEvent) => void>();
  private readonly rest;

  constructor(private readonly app: ServerApp) {
    this.rest = pusherRest(app);
    this.failure = new Promise((resolve) => (this.fail = resolve));
  }

  /** Asks the server for its channels once: a wrong secret, a wrong app id or a dead server, said before anything runs. */
  async verify(): Promise<void> {
    await restAnswer(this.rest.get({ path: '/channels', params: {} }), `${this.describe()} (its HTTP API, GET /apps/${this.app.appId}/channels)`);
  }

  publish(request: PublishRequest): number {
    const channels = request.channels ?? (request.channel === undefined ? [] : [request.channel]);
    if (this.failed !== null || channels.length === 0) return 0;
    const data = typeof request.data === 'string' ? request.data : JSON.stringify(request.data);
    for (const channel of channels) this.queue.push({ channel, name: request.event, data });
    void this.pump();
    return channels.reduce((sum, channel) => sum + this.subscriberCount(channel), 0);
  }

  /** EchoScope's watcher is on the channel (the check knows: it subscribed before the run). */
  subscribed(channel: string, socketId = ''): void {
    this.subscribers.set(channel, (this.subscribers.get(channel) ?? 0) + 1);
    for (const listener of this.listeners) listener({ appId: this.app.appId, channel, socketId });
  }

  subscriberCount(channel: string): number {
    return this.subscribers.get(channel) ?? 0;
  }

  onSubscribed(listener: (event: SubscribedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  closeConnections(_filter: CloseConnectionsFilter, code: number): number {
    throw new Error(`a real server cannot be told to close its sockets (close code ${code}): this scenario needs the embedded mock`);
  }

  silencePings(): number {
    throw new Error('a real server cannot be told to stop answering pings: this scenario needs the embedded mock');
  }

  private describe(): string {
    return this.app.kind === 'pusher' ? describeServer(this.app) : `the server at ${describeServer(this.app)}`;
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && this.failed === null) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await restAnswer(
            this.rest.triggerBatch(batch),
            `${this.describe()} refused to publish ${batch.length === 1 ? `${batch[0]!.name} on ${batch[0]!.channel}` : `${batch.length} events`}`,
          );
        } catch (error) {
          this.failed = (error as Error).message;
          this.queue.length = 0;
          this.fail(this.failed);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
