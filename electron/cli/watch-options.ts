import type { OptionSpec, ParsedArgs } from './command';
import { UsageError, stringOption } from './command';
import { parseDuration } from './duration';

/**
 * `watch` options for Laravel's channel names, discovery's leaving, laravel-echo-server discovery
 * and reconciliation; `profileFields` turns them into profile fields (shared/api/profiles.ts).
 */
export const watchFollowOptions: Record<string, OptionSpec> = {
  private: { type: 'boolean', description: "read --channel names and the --discover prefix as Laravel writes them, private: ai.x1 is private-ai.x1 (Echo.private('ai.x1'))" },
  presence: { type: 'boolean', description: 'as --private, for presence channels: ai.x1 is presence-ai.x1 (Echo.join)' },
  'quiet-channel-warning': {
    type: 'string',
    description: 'warn when a public channel gets no event this long, naming the private channel Laravel likely uses (0: never)',
    valueName: 'duration',
    default: '15s',
  },
  'api-key': { type: 'string', description: 'laravel-echo-server discovery: an API key of its clients (laravel-echo-server client:add), sent as ?auth_key=', valueName: 'key' },
  'keep-channels': { type: 'boolean', description: 'discovery: stay on every discovered channel (by default EchoScope leaves once the session ended or nobody else is on it)' },
  'leave-grace': { type: 'string', description: 'discovery: how long after a session ended (without events) EchoScope leaves its channel', valueName: 'duration', default: '10s' },
  reconcile: {
    type: 'string',
    description:
      "compare ended sessions with the app's record: URL template with {sessionId} (e.g. http://127.0.0.1:8000/api/generations/{sessionId}; with --env, a path such as /api/generations/{sessionId} is read against APP_URL)",
    valueName: 'url',
  },
  'reconcile-header': { type: 'string', multiple: true, description: 'header sent with the record request, "Name: value" (repeatable)', valueName: 'header' },
  'reconcile-settle': {
    type: 'string',
    description: 'compare again once a session has been quiet this long (and while the record still changes)',
    valueName: 'duration',
    default: '5s',
  },
};

export function parseHeaders(values: string[], option: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of values) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`--${option} must look like "Name: value", got ${JSON.stringify(header)}`);
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  return headers;
}

/** `--url`: where the server is, as a profile says it (wss/https: TLS; no port: 443 or 80). */
export function parseServerUrl(url: string, option = 'url'): { host: string; port: number; tls: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--${option} is not a URL: ${JSON.stringify(url)}`);
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol)) throw new UsageError(`--${option} must start with ws://, wss://, http:// or https://`);
  const tls = parsed.protocol === 'wss:' || parsed.protocol === 'https:';
  return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : tls ? 443 : 80, tls };
}

/**
 * Profile fields from the options above; `discover` is merged into the discovery the caller built.
 * `resolveUrl` reads a --reconcile path against the app's URL (with --env: APP_URL).
 */
export function profileFields(args: ParsedArgs, resolveUrl?: (value: string) => string): { fields: Record<string, unknown>; discover: Record<string, unknown> } {
  if (args.values.private === true && args.values.presence === true) throw new UsageError('use either --private or --presence, not both');
  const fields: Record<string, unknown> = {
    channelType: args.values.private === true ? 'private' : args.values.presence === true ? 'presence' : 'public',
    quietChannelWarnMs: parseDuration(stringOption(args, 'quiet-channel-warning') ?? '15s', 'quiet-channel-warning'),
  };
  const given = stringOption(args, 'reconcile');
  const url = given !== undefined && resolveUrl !== undefined ? resolveUrl(given) : given;
  const headerValues = (args.values['reconcile-header'] as string[] | undefined) ?? [];
  if (!url && headerValues.length > 0) throw new UsageError('--reconcile-header needs --reconcile URL-TEMPLATE');
  if (url) {
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--reconcile must be an http(s) URL template, got ${JSON.stringify(url)}`);
    if (!url.includes('{sessionId}')) throw new UsageError('--reconcile needs a {sessionId} placeholder, e.g. http://127.0.0.1:8000/api/generations/{sessionId}');
    fields.reconcile = {
      url,
      headers: parseHeaders(headerValues, 'reconcile-header'),
      settleMs: parseDuration(stringOption(args, 'reconcile-settle') ?? '5s', 'reconcile-settle'),
    };
  }
  const apiKey = stringOption(args, 'api-key');
  const discover: Record<string, unknown> = {
    leave: args.values['keep-channels'] !== true,
    graceMs: parseDuration(stringOption(args, 'leave-grace') ?? '10s', 'leave-grace'),
    ...(apiKey ? { apiKey } : {}),
  };
  return { fields, discover };
}
