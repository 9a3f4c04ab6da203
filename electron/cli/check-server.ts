import type { ServerApp } from '../core/scenarios';
import { stringOption, UsageError, type OptionSpec, type ParsedArgs } from './command';
import { ENV_OPTION, envConnectionOrExit, readEnvFile, type EnvFlags } from './env-option';
import { envOverrides } from './watch-env';

/**
 * `check --url … | --env FILE`: the real Pusher-protocol server to play scenarios on instead of
 * the embedded mock. Publishing goes through the server's HTTP API, which needs the app id and
 * secret; laravel-echo-server (Socket.IO) is not a target yet.
 */

export const checkServerOptions: Record<string, OptionSpec> = {
  url: {
    type: 'string',
    description: 'play on this real server instead of the embedded mock: ws(s):// or http(s)://HOST:PORT of Reverb or soketi (its HTTP API is on the same port)',
    valueName: 'url',
  },
  kind: {
    type: 'string',
    description: 'reverb (Reverb, soketi, the mock) or pusher (Pusher Channels, by --cluster); default reverb, with --env the app’s broadcaster',
    valueName: 'kind',
  },
  cluster: { type: 'string', description: 'Pusher Channels cluster (with --kind pusher)', valueName: 'cluster' },
  'app-id': { type: 'string', description: 'the real server’s app id', valueName: 'id' },
  key: { type: 'string', description: 'the real server’s app key', valueName: 'key' },
  secret: { type: 'string', description: 'the real server’s app secret (signs the HTTP API’s publishes and private channels)', valueName: 'secret' },
  env: { ...ENV_OPTION, description: "a Laravel app's .env: play on the server it broadcasts to (REVERB_*/PUSHER_*); flags given explicitly win" },
};

const CHECK_ENV_FLAGS: EnvFlags = { broadcaster: '--kind', server: '--url', key: '--key', appId: '--app-id', secret: '--secret', cluster: '--cluster' };

/** The server from the flags (or the .env), or undefined for the embedded mock; a UsageError names what is missing. */
export async function checkServerFromArgs(args: ParsedArgs, warn: (line: string) => void): Promise<ServerApp | undefined> {
  const envPath = stringOption(args, 'env');
  const given = (['url', 'kind', 'cluster', 'app-id', 'key', 'secret'] as const).filter((flag) => stringOption(args, flag) !== undefined);
  if (envPath === undefined && given.length === 0) return undefined;
  if (envPath !== undefined) {
    const { connection } = envConnectionOrExit(await readEnvFile(envPath), envOverrides(args), CHECK_ENV_FLAGS, warn);
    if (connection.kind === 'socketio')
      throw new UsageError(`--env ${envPath}: check plays on Pusher-protocol servers (Reverb, soketi, Pusher); laravel-echo-server is not a target yet`);
    if (connection.auth.mode !== 'secret') throw new UsageError(`--env ${envPath}: no app secret to publish with (give --secret)`);
    if (connection.appId === undefined) throw new UsageError(`--env ${envPath}: no app id to publish with (give --app-id)`);
    return {
      kind: connection.kind,
      host: connection.host,
      port: connection.port,
      tls: connection.tls,
      cluster: connection.cluster,
      appId: connection.appId,
      key: connection.key,
      secret: connection.auth.secret,
    };
  }
  const overrides = envOverrides(args);
  if (overrides.kind === 'socketio')
    throw new UsageError('--kind socketio: check plays on Pusher-protocol servers (Reverb, soketi, Pusher); laravel-echo-server is not a target yet');
  const pusher = overrides.kind === 'pusher';
  const missing = [
    ...(pusher || overrides.server ? [] : ['--url']),
    ...(['app-id', 'key', 'secret'] as const).filter((flag) => stringOption(args, flag) === undefined).map((flag) => `--${flag}`),
  ];
  if (missing.length > 0) throw new UsageError(`a real server needs ${missing.join(', ')} too (given: ${given.map((flag) => `--${flag}`).join(', ')}), or --env FILE`);
  if (!pusher && overrides.cluster !== undefined) throw new UsageError('--cluster is for Pusher Channels: add --kind pusher');
  const server = overrides.server ?? { host: `api-${overrides.cluster ?? 'mt1'}.pusher.com`, port: 443, tls: true };
  return { kind: pusher ? 'pusher' : 'reverb', ...server, cluster: overrides.cluster, appId: overrides.appId!, key: overrides.key!, secret: overrides.secret! };
}
