import { z } from 'zod';
import { ApiErrorSchema, type Result } from './result';
import { commands, type CommandName, type CommandRequest, type CommandResponse } from './commands';
import { pushes, type PushName, type PushPayload } from './pushes';
import { topics, type TopicDelta, type TopicName, type TopicParams, type TopicState } from './topics';

import type { AppBridge } from './channels';
export type { AppBridge } from './channels';

/** The typed App API the renderer uses. */
export interface AppApi {
  /** Never rejects: a failure, the transport's included, is the Result's error (so `void api.invoke(…)` is safe). */
  invoke<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<Result<CommandResponse<C>>>;
  on<P extends PushName>(push: P, listener: (payload: PushPayload<P>) => void): () => void;
  ready(): void;
  /**
   * Subscribes this window or socket to a topic (VS Code's `IChannel.listen(event, arg)`): the
   * answer carries the snapshot; deltas reach the subscription's `onDelta` listener — those that
   * arrived before it was attached are kept for it — until `unsubscribe`. Never rejects.
   */
  subscribe<T extends TopicName>(topic: T, params: TopicParams<T>): Promise<Result<TopicSubscription<T>>>;
}

/** An open subscription: its id, the state it starts from, and its deltas. */
export interface TopicSubscription<T extends TopicName> {
  readonly id: string;
  readonly topic: T;
  readonly snapshot: TopicState<T>;
  /** Attaches the one delta listener (deltas that came before go to it at once, in order); returns its detach function. */
  onDelta(listener: (delta: TopicDelta<T>) => void): () => void;
  /** Tells the host to stop: no delta of it reaches the listener after this call. */
  unsubscribe(): Promise<void>;
}

/** One subscription's deltas on this side: validated with its topic's schema, held until a listener is attached. */
interface DeltaRoute {
  topic: TopicName;
  held: unknown[];
  listener: ((delta: unknown) => void) | null;
}

export interface AppApiOptions {
  /**
   * Told when a push listener throws; the pushes go on to the other listeners either way.
   * Default: the error is rethrown on its own (an unhandled rejection the console shows).
   */
  onListenerError?: (push: PushName, error: unknown) => void;
}

const rethrowAlone = (_push: PushName, error: unknown): void => void Promise.reject(error);

/** Wraps a transport into the typed API, validating what comes back across the boundary. */
export function createAppApi(bridge: AppBridge, options: AppApiOptions = {}): AppApi {
  const onListenerError = options.onListenerError ?? rethrowAlone;
  const routes = new Map<string, DeltaRoute>();
  // Ids are the subscriber's (unique among this page's); the prefix keeps a reloaded page's apart from its previous life's.
  const idPrefix = Math.random().toString(36).slice(2, 10);
  let nextId = 0;
  let routing: (() => void) | null = null;
  const deliver = (route: DeltaRoute, delta: unknown): void => {
    if (route.listener === null) {
      route.held.push(delta);
      return;
    }
    const parsed = topics[route.topic].delta.safeParse(delta);
    if (!parsed.success) {
      onListenerError('subscriptions.deltas', new Error(`a ${route.topic} delta of an unexpected shape was dropped`));
      return;
    }
    try {
      route.listener(parsed.data);
    } catch (error) {
      onListenerError('subscriptions.deltas', error);
    }
  };
  const route = (): void => {
    routing ??= bridge.on('subscriptions.deltas', (payload) => {
      const parsed = pushes['subscriptions.deltas'].safeParse(payload);
      if (!parsed.success) return;
      for (const { id, delta } of parsed.data.items) {
        const target = routes.get(id);
        if (target) deliver(target, delta);
      }
    });
  };
  const api: AppApi = {
    async invoke(command, request) {
      let raw: unknown;
      try {
        raw = await bridge.invoke(command, request);
      } catch (error) {
        return { ok: false, error: { code: 'internal', message: `transport failed: ${String(error)}` } };
      }
      const envelope = z
        .discriminatedUnion('ok', [z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: ApiErrorSchema })])
        .safeParse(raw);
      if (!envelope.success) {
        return { ok: false, error: { code: 'internal', message: `malformed response to ${command}` } };
      }
      if (!envelope.data.ok) return envelope.data;
      const value = commands[command].response.safeParse(envelope.data.value);
      if (!value.success) {
        return { ok: false, error: { code: 'internal', message: `unexpected response shape for ${command}` } };
      }
      return { ok: true, value: value.data as CommandResponse<typeof command> };
    },
    on(push, listener) {
      return bridge.on(push, (payload) => {
        const parsed = pushes[push].safeParse(payload);
        if (!parsed.success) return;
        // One view's broken listener must not stop the pushes reaching the others (the bridge calls them in turn).
        try {
          listener(parsed.data as PushPayload<typeof push>);
        } catch (error) {
          onListenerError(push, error);
        }
      });
    },
    ready() {
      bridge.ready();
    },
    async subscribe<T extends TopicName>(topic: T, params: TopicParams<T>): Promise<Result<TopicSubscription<T>>> {
      route();
      const id = `${idPrefix}-${++nextId}`;
      const entry: DeltaRoute = { topic, held: [], listener: null };
      routes.set(id, entry);
      const answer = await api.invoke('subscriptions.subscribe', { id, topic, params } as CommandRequest<'subscriptions.subscribe'>);
      if (!answer.ok) {
        routes.delete(id);
        return answer;
      }
      const snapshot = topics[topic].snapshot.safeParse(answer.value.snapshot);
      if (!snapshot.success) {
        routes.delete(id);
        void api.invoke('subscriptions.unsubscribe', { id });
        return { ok: false, error: { code: 'internal', message: `unexpected snapshot shape for the ${topic} topic` } };
      }
      return {
        ok: true,
        value: {
          id,
          topic,
          snapshot: snapshot.data as TopicState<T>,
          onDelta(listener) {
            entry.listener = listener as (delta: unknown) => void;
            const held = entry.held.splice(0);
            for (const delta of held) deliver(entry, delta);
            return () => {
              if (entry.listener === listener) entry.listener = null;
            };
          },
          async unsubscribe() {
            if (!routes.delete(id)) return;
            entry.listener = null;
            await api.invoke('subscriptions.unsubscribe', { id });
          },
        },
      };
    },
  };
  return api;
}

/** Wire messages of the WebSocket bridge (browser ⇄ headless host). */
export const BridgeClientMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('invoke'), id: z.number().int(), command: z.string(), request: z.unknown() }),
  /** Sent once the renderer has attached its push listeners: pushes queue until then. */
  z.object({ kind: z.literal('ready') }),
]);
export type BridgeClientMessage = z.infer<typeof BridgeClientMessageSchema>;

export type BridgeServerMessage = { kind: 'result'; id: number; result: Result<unknown> } | { kind: 'push'; push: PushName; payload: unknown };

export { IPC_INVOKE_CHANNEL, IPC_PUSH_CHANNEL, IPC_READY_CHANNEL, BRIDGE_PATH, BRIDGE_TOKEN_META, JOURNAL_EXPORT_PATH } from './channels';
