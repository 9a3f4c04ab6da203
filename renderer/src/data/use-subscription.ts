import { useEffect, useState } from 'react';
import { applyTopicDelta, topics, type ApiError, type AppApi, type TopicName, type TopicParams, type TopicState, type TopicSubscription } from '../../../shared/api';

export interface SubscriptionView<T extends TopicName> {
  /** The topic's state: the snapshot with every delta since applied; null until the snapshot came. */
  state: TopicState<T> | null;
  /** The snapshot came (a session topic's state may be null: the session is not seen yet). */
  loaded: boolean;
  error: ApiError | null;
}

interface Held<T extends TopicName> {
  key: string | null;
  loaded: boolean;
  state: TopicState<T> | null;
  error: ApiError | null;
}

export interface SubscriptionOptions {
  /** While new parameters' snapshot is on its way, keep showing the previous parameters' state (a scrolled window, another bucket). */
  keepWhileChanging?: boolean;
}

/**
 * A view's subscription to a topic of the App API (STYLE §14): subscribed on mount and whenever
 * `params` change (compared by value), unsubscribed on unmount; deltas applied to the state as
 * they come. `params` null: not subscribed. Subscribes again when the transport says it lost the
 * host's subscriptions (the browser bridge reconnected).
 */
export function useSubscription<T extends TopicName>(api: AppApi, topic: T, params: TopicParams<T> | null, options: SubscriptionOptions = {}): SubscriptionView<T> {
  const key = params === null ? null : JSON.stringify(params);
  const [held, setHeld] = useState<Held<T>>({ key: null, loaded: false, state: null, error: null });
  const [generation, setGeneration] = useState(0);

  useEffect(() => api.on('subscriptions.reset', () => setGeneration((g) => g + 1)), [api]);

  useEffect(() => {
    if (key === null) return;
    const request = JSON.parse(key) as TopicParams<T>;
    const parsed = topics[topic].params.parse(request) as Parameters<typeof applyTopicDelta<T>>[3];
    let active = true;
    let subscription: TopicSubscription<T> | null = null;
    let detach: (() => void) | null = null;
    void api.subscribe(topic, request).then((result) => {
      if (!result.ok) {
        if (active) setHeld({ key, loaded: false, state: null, error: result.error });
        return;
      }
      if (!active) {
        void result.value.unsubscribe();
        return;
      }
      subscription = result.value;
      setHeld({ key, loaded: true, state: result.value.snapshot, error: null });
      detach = result.value.onDelta((delta) =>
        setHeld((previous) =>
          previous.key === key && previous.loaded ? { ...previous, state: applyTopicDelta(topic, previous.state as TopicState<T>, delta, parsed) } : previous,
        ),
      );
    });
    return () => {
      active = false;
      detach?.();
      void subscription?.unsubscribe();
    };
  }, [api, topic, key, generation]);

  if (held.key !== key && !options.keepWhileChanging) return { state: null, loaded: false, error: null };
  return { state: held.state, loaded: held.loaded, error: held.error };
}
