/**
 * A window of the App API in the test's own process: the typed client (`createAppApi`) over a
 * transport that hands every call to `AppService.handle` as the IPC router and the WebSocket bridge
 * do (with this client's push target, so its subscriptions are its own), and every message through
 * JSON, as a real transport would. It records every push message sent to it, so a test counts
 * what crossed the boundary.
 */
import type { AppService, PushBatcher } from '../electron/core/app';
import { createAppApi, type AppApi, type AppBridge } from '../shared/api';

export interface InProcessClient {
  api: AppApi;
  target: PushBatcher;
  /** Every push message sent to this client, in order, as it arrived (after JSON). */
  sent: Array<{ push: string; payload: unknown }>;
  /** Messages of one push name sent so far. */
  count(push: string): number;
}

export function inProcessClient(service: AppService, options?: Parameters<AppService['addPushTarget']>[1]): InProcessClient {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const sent: InProcessClient['sent'] = [];
  const target = service.addPushTarget((push, payload) => {
    const copy: unknown = JSON.parse(JSON.stringify(payload));
    sent.push({ push, payload: copy });
    for (const listener of [...(listeners.get(push) ?? [])]) listener(copy);
  }, options);
  const bridge: AppBridge = {
    invoke: async (command, request) => JSON.parse(JSON.stringify(await service.handle(command, JSON.parse(JSON.stringify(request ?? {})), target))) as unknown,
    on: (push, listener) => {
      const set = listeners.get(push) ?? new Set();
      set.add(listener);
      listeners.set(push, set);
      return () => set.delete(listener);
    },
    ready: () => target.ready(),
  };
  return { api: createAppApi(bridge), target, sent, count: (push) => sent.filter((message) => message.push === push).length };
}
