import type { ProfileInput } from '../../shared/api';
import { canDiscover, envProfileIdentity } from '../../shared/laravel';
import type { ParsedArgs } from './command';
import { envConnectionOrExit, type EnvFile, type EnvFlags } from './env-option';
import { DEFAULT_DISCOVERY_PREFIX, envOverrides } from './watch-env';

/** `serve --env`: only the server and the auth headers can be given; the rest is the file's. */
const SERVE_ENV_FLAGS: EnvFlags = { server: '--url', auth: '--auth-header' };

/**
 * The profile `serve --env FILE` adds to the host and connects: the app's connection, following
 * the seed's session channels when the file allows discovery; otherwise channels are subscribed
 * in the dashboard's Connections view.
 */
export function serveProfileFromEnv(args: ParsedArgs, file: EnvFile, warn: (line: string) => void): { profile: ProfileInput; facts: string[] } {
  const { connection, result } = envConnectionOrExit(file, envOverrides(args), SERVE_ENV_FLAGS, warn);
  const discover = canDiscover(connection);
  const profile: ProfileInput = {
    ...envProfileIdentity(file.env),
    ...connection,
    ...(discover ? { discover: { prefix: DEFAULT_DISCOVERY_PREFIX } } : {}),
  };
  const facts = [
    ...result.facts,
    discover
      ? `following ${DEFAULT_DISCOVERY_PREFIX}* channels as they appear`
      : "no discovery (it needs the app id and secret): subscribe to channels in the dashboard's Connections view",
  ];
  return { profile, facts };
}
