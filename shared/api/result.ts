import { z } from 'zod';

/** Error codes that cross the process boundary as data (STYLE §4). */
export const ErrorCodeSchema = z.enum([
  'invalid_request',
  'unknown_command',
  'not_found',
  'auth_failed',
  'connection_failed',
  'not_connected',
  'conflict',
  /** A server could not listen where it was asked to (a port in use, or not allowed). */
  'listen_failed',
  /** No answer within the transport's deadline (the browser bridge's invokes). */
  'timeout',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ApiErrorSchema = z.object({ code: ErrorCodeSchema, message: z.string() });
export type ApiError = z.infer<typeof ApiErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string): Result<never> => ({ ok: false, error: { code, message } });

export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), error: ApiErrorSchema })]);
}

/** An error a service throws on purpose: it becomes `{ok:false, error}` at the boundary. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Turns a zod error into one readable line naming each bad path. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}
