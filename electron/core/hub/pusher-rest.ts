import Pusher from 'pusher';

/**
 * A Pusher-protocol server's HTTP API (Reverb, soketi, Pusher Channels, the mock) through the
 * official `pusher` SDK, which signs every request with the app secret.
 */

export interface PusherRestApp {
  /** `pusher`: Pusher Channels, reached by cluster; anything else by host and port. */
  kind: string;
  host: string;
  port: number;
  tls: boolean;
  cluster?: string | undefined;
  appId: string;
  key: string;
  secret: string;
}

export function pusherRest(app: PusherRestApp, timeoutMs = 10_000): Pusher {
  return app.kind === 'pusher'
    ? new Pusher({ appId: app.appId, key: app.key, secret: app.secret, cluster: app.cluster ?? 'mt1', useTLS: true, timeout: timeoutMs })
    : new Pusher({ appId: app.appId, key: app.key, secret: app.secret, host: app.host, port: String(app.port), useTLS: app.tls, timeout: timeoutMs });
}

/** What the SDK gives back: a response whose body is read once. */
interface RestResponse {
  status: number;
  text(): Promise<string>;
}

/**
 * The JSON of an answer, or an Error saying what the server said. The SDK throws on a status of
 * 400 and over (its `RequestError` carries the status and body); soketi's HTTP layer can answer
 * an error with status 200 and `{error, code}` in the body, which is read as the error it is.
 */
export async function restAnswer(request: Promise<RestResponse>, what: string): Promise<unknown> {
  let response: RestResponse;
  try {
    response = await request;
  } catch (error) {
    throw new Error(`${what}: ${restFailure(error)}`, { cause: error });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new Error(`${what} answered with something that is not JSON: ${text.slice(0, 200)}`);
  }
  const code = (body as { code?: unknown } | null)?.code;
  const message = (body as { error?: unknown } | null)?.error;
  if (typeof code === 'number' && code >= 400) throw new Error(`${what} answered ${code}: ${typeof message === 'string' ? message : text.slice(0, 200)}${hint(code)}`);
  return body;
}

function hint(status: number): string {
  if (status === 401 || status === 403) return ' (check the app id, key and secret)';
  if (status === 404) return ' (no such app: check the app id)';
  if (status === 413) return ' (the server refused the payload size)';
  return '';
}

/** The SDK's RequestError (status and body) or a network failure, in words. */
function restFailure(error: unknown): string {
  const failure = error as { status?: unknown; body?: unknown; error?: { message?: unknown; code?: unknown } } | null;
  if (typeof failure?.status === 'number') {
    const body = typeof failure.body === 'string' ? failure.body.trim().slice(0, 200) : '';
    return `answered ${failure.status}${body ? `: ${body}` : ''}${hint(failure.status)}`;
  }
  const cause = failure?.error;
  if (cause && typeof cause.message === 'string') return typeof cause.code === 'string' ? `${cause.code} (${cause.message})` : cause.message;
  return error instanceof Error ? error.message : String(error);
}
