import { z } from 'zod';
import { ApiErrorSchema, type Result } from './result';
import { commands, type CommandName, type CommandRequest, type CommandResponse } from './commands';
import { pushes, type PushName, type PushPayload } from './pushes';

import type { AppBridge } from './channels';
export type { AppBridge } from './channels';

/** The typed App API the renderer uses. */
export interface AppApi {
  /** Never rejects: a failure, the transport's included, is the Result's error (so `void api.invoke(…)` is safe). */
  invoke<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<Result<CommandResponse<C>>>;
  on<P extends PushName>(push: P, listener: (payload: PushPayload<P>) => void): () => void;
  ready(): void;
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
  return {
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
  };
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
