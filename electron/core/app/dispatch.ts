import { AppError, commands, describeZodError, fail, isCommandName, ok, type CommandName, type CommandResponse, type ParsedRequest, type Result } from '../../../shared/api';
import type { PushBatcher } from './push-batcher';

/** Who is asking: the window or bridge client whose pushes (and subscriptions) a command is about; none for in-process callers. */
export interface CommandContext {
  client?: PushBatcher;
}

export type CommandHandlers = {
  [C in CommandName]: (request: ParsedRequest<C>, context: CommandContext) => Promise<CommandResponse<C>> | CommandResponse<C>;
};

/**
 * The one entry of every command, whatever the transport: checks the name,
 * validates the payload with the shared schema, runs the handler, and turns
 * every outcome — including a thrown error — into a `Result` envelope.
 */
export async function dispatch(handlers: CommandHandlers, command: unknown, request: unknown, context: CommandContext = {}): Promise<Result<unknown>> {
  if (!isCommandName(command)) {
    return fail('unknown_command', `unknown command ${JSON.stringify(command)}`);
  }
  const parsed = commands[command].request.safeParse(request ?? {});
  if (!parsed.success) {
    return fail('invalid_request', `${command}: ${describeZodError(parsed.error)}`);
  }
  try {
    const handler = handlers[command] as (request: unknown, context: CommandContext) => Promise<unknown> | unknown;
    return ok(await handler(parsed.data, context));
  } catch (error) {
    if (error instanceof AppError) return fail(error.code, error.message);
    return fail('internal', `${command} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
