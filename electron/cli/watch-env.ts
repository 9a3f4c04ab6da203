import { ProfileInputSchema, describeZodError, type Profile } from '../../shared/api';
import { canDiscover, envProfileIdentity, resolveAppUrl, type EnvKind, type EnvOverrides } from '../../shared/laravel';
import { intOption, stringOption, UsageError, type ParsedArgs } from './command';
import { envConnectionOrExit, type EnvFile, type EnvFlags } from './env-option';
import { parseHeaders, parseServerUrl, profileFields } from './watch-options';

/** `watch --env`: the flags that settle each part of the profile, for the messages. */
const WATCH_ENV_FLAGS: EnvFlags = {
  broadcaster: '--kind',
  server: '--url',
  key: '--key',
  appId: '--app-id',
  secret: '--secret',
  cluster: '--cluster',
  auth: '--auth-endpoint or --auth-header',
};

/** The seed's session channels (DESIGN §4), followed when neither --channel nor --discover is given. */
export const DEFAULT_DISCOVERY_PREFIX = 'private-ai.';

const KINDS: readonly EnvKind[] = ['reverb', 'pusher', 'socketio'];

/** The explicit connection flags of `watch`, as overrides of what the .env says. */
export function envOverrides(args: ParsedArgs): EnvOverrides {
  const overrides: EnvOverrides = {};
  const kind = stringOption(args, 'kind');
  if (kind !== undefined) {
    if (!KINDS.includes(kind as EnvKind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
    overrides.kind = kind as EnvKind;
  }
  const url = stringOption(args, 'url');
  if (url !== undefined) overrides.server = parseServerUrl(url);
  for (const [flag, field] of [
    ['key', 'key'],
    ['app-id', 'appId'],
    ['secret', 'secret'],
    ['cluster', 'cluster'],
    ['auth-endpoint', 'authEndpoint'],
  ] as const) {
    const value = stringOption(args, flag);
    if (value !== undefined) overrides[field] = value;
  }
  if (overrides.secret !== undefined && overrides.authEndpoint !== undefined) throw new UsageError('use either --secret or --auth-endpoint, not both');
  const headers = (args.values['auth-header'] as string[] | undefined) ?? [];
  if (headers.length > 0) overrides.authHeaders = parseHeaders(headers, 'auth-header');
  return overrides;
}

/**
 * `watch --env FILE`: the profile from the app's .env with the explicit flags on top. Without
 * --channel and --discover it follows the seed's session channels when it can discover.
 */
export function watchProfileFromEnv(args: ParsedArgs, file: EnvFile, say: (line: string) => void, chatty: boolean): Profile {
  const { connection, result } = envConnectionOrExit(file, envOverrides(args), WATCH_ENV_FLAGS, say);
  if (chatty) for (const fact of result.facts) say(`${file.path}: ${fact}`);
  const channels = (args.values.channel as string[] | undefined) ?? [];
  const apiKey = stringOption(args, 'api-key');
  let prefix = stringOption(args, 'discover');
  if (channels.length === 0 && prefix === undefined) {
    if (!canDiscover(connection, apiKey)) {
      throw new UsageError(
        connection.kind === 'socketio'
          ? 'give --channel, or --discover PREFIX with --app-id and --api-key (a client of laravel-echo-server.json)'
          : `give --channel, or --discover PREFIX (discovery needs the app id and secret: ${connection.appId === undefined ? 'no app id in the .env, give --app-id' : 'no secret to sign with, give --secret'})`,
      );
    }
    prefix = DEFAULT_DISCOVERY_PREFIX;
    if (chatty) say(`no --channel or --discover: following ${prefix}* channels as they appear`);
  }
  const follow = profileFields(args, (value) => {
    const resolved = resolveAppUrl(file.env, value);
    if ('error' in resolved) throw new UsageError(`--reconcile ${resolved.error}`);
    return resolved.url;
  });
  const parsed = ProfileInputSchema.safeParse({
    id: 'watch',
    name: envProfileIdentity(file.env).name,
    ...connection,
    channels,
    ...follow.fields,
    ...(prefix ? { discover: { prefix, intervalMs: intOption(args, 'poll-interval', 2000, 250), ...follow.discover } } : {}),
  });
  if (!parsed.success) throw new UsageError(`--env ${file.path}: ${describeZodError(parsed.error).replace(/^discover:/, '--discover:')}`);
  return parsed.data;
}
