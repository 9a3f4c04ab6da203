export { parseDotenv, type DotenvEntry, type DotenvError, type DotenvFile } from './dotenv';
export { laravelSlug, type Slug } from './slug';
export {
  readLaravelEnv,
  laravelEnvValue,
  type EnvValue,
  type EchoApp,
  type EnvField,
  type EnvProblem,
  type EnvSetting,
  type EnvSource,
  type LaravelEnv,
  type RedisSettings,
} from './laravel-env';
export {
  envConnection,
  appRoutes,
  canDiscover,
  envProfileIdentity,
  formatEnvProblem,
  resolveAppUrl,
  BROADCASTING_AUTH_PATH,
  GENERATION_RECORD_PATH,
  SOCKETIO_PLACEHOLDER_KEY,
  type EnvConnection,
  type EnvConnectionResult,
  type EnvKind,
  type EnvOverrides,
} from './env-profile';
export { pointEnvAtServer, dotenvValue, type EnvChange, type EnvTarget, type EnvWriteResult } from './env-write';
