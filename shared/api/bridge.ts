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

/** Wraps a transport into the typed API, validating what comes back across the boundary. */
export function createAppApi(bridge: AppBridge): AppApi {
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
        if (parsed.success) listener(parsed.data as PushPayload<typeof push>);
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

export { IPC_INVOKE_CHANNEL, IPC_PUSH_CHANNEL, IPC_READY_CHANNEL, BRIDGE_PATH, BRIDGE_TOKEN_META } from './channels';
