import type { AuthInput, ProfileInput } from '../api/profiles';
import type { EchoApp, EnvField, EnvProblem, EnvSetting, EnvSource, LaravelEnv } from './laravel-env';
import { laravelSlug } from './slug';

/**
 * A connection profile (shared/api/profiles.ts) from what a Laravel `.env` says, with the parts
 * the user gives explicitly (command-line flags, form fields) taking precedence: EchoScope
 * connects where the app's frontend Echo connects, with the app's key, and signs private
 * channels with the app's secret (or asks the app's `/broadcasting/auth`).
 */

export type EnvKind = 'reverb' | 'pusher' | 'socketio';

/** What the user gave explicitly; each replaces what the .env says. */
export interface EnvOverrides {
  /** Which connection to read: reverb (REVERB_*), pusher (PUSHER_*), socketio (laravel-echo-server, the redis broadcaster). */
  kind?: EnvKind;
  server?: { host: string; port: number; tls: boolean };
  key?: string;
  appId?: string;
  secret?: string;
  cluster?: string;
  /** An http(s) URL, or a path read against APP_URL (e.g. `/broadcasting/auth`). */
  authEndpoint?: string;
  /** Headers for the auth endpoint; given without `authEndpoint`, the endpoint is APP_URL's /broadcasting/auth. */
  authHeaders?: Record<string, string>;
}

export type EnvConnection = Required<Pick<ProfileInput, 'kind' | 'host' | 'port' | 'tls' | 'key' | 'auth'>> & Pick<ProfileInput, 'cluster' | 'appId'>;

export interface EnvConnectionResult {
  /** The profile's connection fields; null while an error remains. */
  readonly connection: EnvConnection | null;
  /** Errors first, then warnings, each in line order. */
  readonly problems: readonly EnvProblem[];
  /** What was read from where, one line each, for people. */
  readonly facts: readonly string[];
}

/** Laravel's broadcasting auth route, where Echo asks for private and presence channels. */
export const BROADCASTING_AUTH_PATH = '/broadcasting/auth';
/** The generation record route of DESIGN §7 (the mock serves it; a Laravel app exposes its own). */
export const GENERATION_RECORD_PATH = '/api/generations/{sessionId}';

/** The key EchoScope gives a laravel-echo-server profile: Socket.IO has no app key, a profile needs one. */
export const SOCKETIO_PLACEHOLDER_KEY = 'laravel-echo-server';

const cite = (source: EnvSource) => `${source.variable}, line ${source.line}`;

/** A URL, or a path read against APP_URL; an error message when it can be neither. */
export function resolveAppUrl(env: LaravelEnv, value: string): { url: string } | { error: string } {
  if (/^https?:\/\//.test(value)) return { url: value };
  if (!value.startsWith('/')) return { error: `"${value}" is neither an http(s) URL nor a path such as ${BROADCASTING_AUTH_PATH}` };
  if (env.appUrl === null) return { error: `"${value}" is a path, and the .env has no http(s) APP_URL to read it against: give the whole URL` };
  return { url: env.appUrl.value + value };
}

/** The app's routes EchoScope may use, from APP_URL. */
export function appRoutes(env: LaravelEnv): { authEndpoint: string; recordUrl: string } | null {
  return env.appUrl === null ? null : { authEndpoint: env.appUrl.value + BROADCASTING_AUTH_PATH, recordUrl: env.appUrl.value + GENERATION_RECORD_PATH };
}

/** A profile id and name from APP_NAME (`My App` → `my-app`, "My App (.env)"). */
export function envProfileIdentity(env: LaravelEnv): { id: string; name: string } {
  const id = laravelSlug(env.appName, '-').slug.slice(0, 60) || 'laravel';
  return { id: `${id}-env`, name: `${env.appName.slice(0, 90)} (.env)` };
}

/** Discovery of the seed's session channels, where the connection allows it (app id and secret; laravel-echo-server: app id and an API key). */
export function canDiscover(connection: EnvConnection, apiKey?: string): boolean {
  if (connection.appId === undefined) return false;
  return connection.kind === 'socketio' ? apiKey !== undefined : connection.auth.mode === 'secret';
}

const error = (line: number | null, variable: string | null, message: string, fields: readonly EnvField[] = []): EnvProblem => ({
  severity: 'error',
  line,
  variable,
  message,
  fields,
});
const warning = (line: number | null, variable: string | null, message: string, fields: readonly EnvField[] = []): EnvProblem => ({
  severity: 'warning',
  line,
  variable,
  message,
  fields,
});

interface Choice {
  /** null: nothing EchoScope can read (the problem says why). */
  kind: EnvKind | null;
  problems: EnvProblem[];
}

/** Which connection to read: the one Laravel broadcasts with, unless the user chose. */
function choose(env: LaravelEnv, overrides: EnvOverrides): Choice {
  if (overrides.kind !== undefined) return { kind: overrides.kind, problems: [] };
  const { name, source } = env.broadcaster;
  const where = source ? `${source.variable}=${name}` : 'neither BROADCAST_CONNECTION nor BROADCAST_DRIVER is set (Laravel\'s default is "null")';
  const line = source?.line ?? null;
  const variable = source?.variable ?? null;
  switch (name) {
    case 'reverb':
    case 'pusher':
      return { kind: name, problems: [] };
    case 'redis':
      return { kind: 'socketio', problems: [] };
    case 'log':
    case 'null': {
      const silent = name === 'log' ? 'Laravel writes its broadcasts to the log' : 'Laravel broadcasts nothing';
      const present = [env.reverb, env.pusher].filter((app) => app.present);
      if (present.length === 1) {
        const app = present[0]!;
        const kind = app.prefix === 'REVERB' ? 'reverb' : 'pusher';
        return {
          kind,
          problems: [
            warning(
              line,
              variable,
              `${where}: ${silent}, so the server the ${app.prefix}_* variables describe gets no event until ${source?.variable ?? 'BROADCAST_CONNECTION'}=${kind}; EchoScope connects to it anyway`,
              ['broadcaster'],
            ),
          ],
        };
      }
      const which = present.length === 0 ? 'and no REVERB_* or PUSHER_* variable says where a server is' : 'and both REVERB_* and PUSHER_* are set';
      return {
        kind: null,
        problems: [
          error(
            line,
            variable,
            `${where}: ${silent}, ${which}: set ${source?.variable ?? 'BROADCAST_CONNECTION'}=reverb or pusher (or run "echoscope mock --env FILE --write-env")`,
            ['broadcaster'],
          ),
        ],
      };
    }
    default:
      return {
        kind: null,
        problems: [
          error(
            line,
            variable,
            `${where}: ${name === 'ably' || name === 'mercure' ? `${name} is not a server EchoScope can watch` : `"${name}" is not a connection EchoScope knows`}: it reads reverb, pusher (Pusher protocol) and redis (laravel-echo-server); log and null broadcast nothing`,
            ['broadcaster'],
          ),
        ],
      };
  }
}

function describeServer(server: { host: string; port: number; tls: boolean }): string {
  return `${server.tls ? 'wss' : 'ws'}://${server.host}:${server.port}`;
}

interface Built {
  connection: Omit<EnvConnection, 'auth'>;
  secret: EnvSetting<string> | string | undefined;
  problems: EnvProblem[];
  facts: string[];
}

function fromEchoApp(env: LaravelEnv, app: EchoApp, overrides: EnvOverrides, broadcasterWhere: string): Built {
  const problems: EnvProblem[] = [...app.problems];
  const facts: string[] = [];
  const other = app.prefix === 'REVERB' ? env.pusher : env.reverb;
  // A variable on a line phpdotenv refused is said there, not again as missing.
  const broken = (name: string) => env.file.errors.some((e) => e.name === name || e.name === `VITE_${name}`);
  if (!app.present) {
    const hint = other.present && other.key ? `; ${other.key.variable} is (line ${other.key.line}): is the app on ${other.prefix.toLowerCase()}?` : '';
    problems.push(
      error(env.broadcaster.source?.line ?? null, env.broadcaster.source?.variable ?? null, `${broadcasterWhere}, but no ${app.prefix}_* variable is set${hint}`, [
        'key',
        'server',
      ]),
    );
  } else {
    if (app.key === undefined && !broken(`${app.prefix}_APP_KEY`))
      problems.push(error(null, `${app.prefix}_APP_KEY`, `${app.prefix}_APP_KEY is not set (nor VITE_${app.prefix}_APP_KEY): it is the app key Echo connects with`, ['key']));
    if (app.prefix === 'REVERB' && app.host === undefined && !broken('REVERB_HOST') && !app.problems.some((p) => p.fields.includes('server'))) {
      problems.push(error(null, 'REVERB_HOST', "REVERB_HOST is not set (nor VITE_REVERB_HOST): Laravel's reverb connection and Echo have no default host", ['server']));
    }
  }
  const tls = (app.scheme?.value ?? 'https') === 'https';
  const pusherCluster = app.prefix === 'PUSHER' && app.host === undefined && overrides.server === undefined;
  let server = overrides.server ?? { host: app.host?.value ?? '127.0.0.1', port: app.port?.value ?? (tls ? 443 : 80), tls };
  let kind: EnvKind = 'reverb';
  let cluster: string | undefined;
  if (pusherCluster) {
    kind = 'pusher';
    cluster = overrides.cluster ?? app.cluster?.value ?? 'mt1';
    server = { host: `ws-${cluster}.pusher.com`, port: 443, tls: true };
    facts.push(
      `Pusher Channels, cluster ${cluster}${overrides.cluster === undefined && app.cluster ? ` (${cite(app.cluster)})` : overrides.cluster ? ' (given)' : " (Echo's default)"}`,
    );
  } else if (overrides.server) {
    facts.push(`server ${describeServer(server)} (given)`);
  } else {
    const sources = [app.host, app.port, app.scheme].filter((s): s is NonNullable<typeof s> => s !== undefined).map(cite);
    const defaults = [app.port ? '' : `port ${server.port}`, app.scheme ? '' : 'scheme https'].filter(Boolean);
    facts.push(
      `server ${describeServer(server)} as the frontend's Echo connects (${[...sources, ...(defaults.length > 0 ? [`Echo's default ${defaults.join(', ')}`] : [])].join('; ')})`,
    );
  }
  const key = overrides.key ?? app.key?.value ?? '';
  facts.push(`app key ${key}${overrides.key ? ' (given)' : app.key ? ` (${cite(app.key)})` : ''}`);
  const appId = overrides.appId ?? app.appId?.value;
  if (appId !== undefined) facts.push(`app id ${appId}${overrides.appId ? ' (given)' : app.appId ? ` (${cite(app.appId)})` : ''}`);
  return {
    connection: { kind, host: server.host, port: server.port, tls: server.tls, key, ...(cluster ? { cluster } : {}), ...(appId !== undefined ? { appId } : {}) },
    secret: overrides.secret ?? app.secret,
    problems,
    facts,
  };
}

function fromRedis(env: LaravelEnv, overrides: EnvOverrides, broadcasterWhere: string): Built {
  const problems: EnvProblem[] = [];
  const { redis } = env;
  const channel = `${redis.prefix}private-ai.{id}`;
  const prefixFrom = redis.prefixSource === 'default' ? `Laravel's default for APP_NAME=${env.appName}` : cite(redis.prefixSource);
  const facts = [
    `Laravel publishes to Redis ${redis.host}:${redis.port} db ${redis.db}${redis.password ? ' (with a password)' : ''}, channels prefixed "${redis.prefix}" (${prefixFrom}), e.g. ${channel}`,
    `laravel-echo-server relays them: its laravel-echo-server.json needs databaseConfig.redis.keyPrefix "${redis.prefix}"`,
  ];
  if (overrides.server === undefined) {
    problems.push(
      error(
        env.broadcaster.source?.line ?? null,
        env.broadcaster.source?.variable ?? null,
        `${broadcasterWhere}: Laravel publishes to Redis (${redis.host}:${redis.port}, channels "${channel}"), and browsers get the events from laravel-echo-server, ` +
          `whose address is in its laravel-echo-server.json, not in .env: give its URL (e.g. http://127.0.0.1:6001); for discovery also its app id and an API key of its clients`,
        ['server'],
      ),
    );
  } else facts.push(`laravel-echo-server at ${overrides.server.tls ? 'https' : 'http'}://${overrides.server.host}:${overrides.server.port} (given)`);
  const server = overrides.server ?? { host: '127.0.0.1', port: 6001, tls: false };
  return {
    connection: {
      kind: 'socketio',
      host: server.host,
      port: server.port,
      tls: server.tls,
      key: overrides.key ?? SOCKETIO_PLACEHOLDER_KEY,
      ...(overrides.appId !== undefined ? { appId: overrides.appId } : {}),
    },
    // laravel-echo-server asks the app itself; a secret is not used (and the profile refuses one)
    secret: overrides.secret,
    problems,
    facts,
  };
}

function chooseAuth(env: LaravelEnv, built: Built, overrides: EnvOverrides): { auth: AuthInput; problems: EnvProblem[]; fact: string } {
  const headers = overrides.authHeaders ?? {};
  const headerNames = Object.keys(headers);
  const routes = appRoutes(env);
  if (overrides.authEndpoint !== undefined) {
    const resolved = resolveAppUrl(env, overrides.authEndpoint);
    if ('error' in resolved) return { auth: { mode: 'none' }, problems: [error(null, null, `the auth endpoint ${resolved.error}`)], fact: '' };
    return { auth: { mode: 'endpoint', url: resolved.url, headers }, problems: [], fact: `private channels authorized by ${resolved.url} (given)` };
  }
  const secret = built.secret;
  if (built.connection.kind !== 'socketio' && secret !== undefined && headerNames.length === 0) {
    const value = typeof secret === 'string' ? secret : secret.value;
    return { auth: { mode: 'secret', secret: value }, problems: [], fact: `private channels signed with the app secret (${typeof secret === 'string' ? 'given' : cite(secret)})` };
  }
  if (routes !== null && env.appUrl !== null) {
    const needsUser =
      headerNames.length === 0
        ? [
            warning(
              env.appUrl.line,
              'APP_URL',
              `${built.connection.kind === 'socketio' ? 'laravel-echo-server asks the app' : `no ${built.connection.kind.toUpperCase()}_APP_SECRET to sign with: EchoScope asks`} ${routes.authEndpoint} for private channels, ` +
                `which answers only a logged-in user: give auth headers (Authorization: Bearer …, or Cookie: laravel_session=… with X-CSRF-TOKEN)`,
              ['auth'],
            ),
          ]
        : [];
    return {
      auth: { mode: 'endpoint', url: routes.authEndpoint, headers },
      problems: needsUser,
      fact: `private channels authorized by ${routes.authEndpoint} (APP_URL, line ${env.appUrl.line})${headerNames.length > 0 ? ` with ${headerNames.join(', ')}` : ''}`,
    };
  }
  return {
    auth: { mode: 'none' },
    problems: [warning(null, 'APP_URL', `no app secret and no APP_URL: EchoScope can watch public channels only (give an auth endpoint for private ones)`, ['auth', 'secret'])],
    fact: 'public channels only',
  };
}

const overridden = (overrides: EnvOverrides): Set<EnvField> => {
  const fields = new Set<EnvField>();
  if (overrides.kind !== undefined) fields.add('broadcaster');
  if (overrides.server !== undefined) fields.add('server');
  if (overrides.key !== undefined) fields.add('key');
  if (overrides.appId !== undefined) fields.add('appId');
  if (overrides.secret !== undefined) fields.add('secret');
  if (overrides.cluster !== undefined) fields.add('cluster');
  if (overrides.authEndpoint !== undefined || (overrides.authHeaders !== undefined && Object.keys(overrides.authHeaders).length > 0)) fields.add('auth');
  return fields;
};

const byLine = (a: EnvProblem, b: EnvProblem) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER);

/** The connection part of a profile from a read `.env`, with the user's explicit values on top. */
export function envConnection(env: LaravelEnv, overrides: EnvOverrides = {}): EnvConnectionResult {
  const choice = choose(env, overrides);
  const { name, source } = env.broadcaster;
  const broadcasterWhere = overrides.kind
    ? `reading the ${overrides.kind === 'socketio' ? 'redis broadcaster' : overrides.kind} connection (given)`
    : source
      ? `${source.variable}=${name}`
      : 'Laravel broadcasts with nothing set';
  const built =
    choice.kind === null
      ? null
      : choice.kind === 'socketio'
        ? fromRedis(env, overrides, broadcasterWhere)
        : fromEchoApp(env, choice.kind === 'reverb' ? env.reverb : env.pusher, overrides, broadcasterWhere);
  const auth = built === null ? null : chooseAuth(env, built, overrides);
  const given = overridden(overrides);
  const all = [...env.problems, ...choice.problems, ...(built?.problems ?? []), ...(auth?.problems ?? [])].filter(
    (problem) => problem.fields.length === 0 || !problem.fields.every((field) => given.has(field)),
  );
  // A problem said twice (a value read for both the app and its VITE_ twin) is said once.
  const seen = new Set<string>();
  const problems = all.filter((problem) => {
    const id = `${problem.severity}:${problem.line}:${problem.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  const errors = problems.filter((p) => p.severity === 'error').sort(byLine);
  const warnings = problems.filter((p) => p.severity === 'warning').sort(byLine);
  const broadcasterFact = overrides.kind ? broadcasterWhere : source ? `Laravel broadcasts with ${name} (${cite(source)})` : `Laravel broadcasts with "null" (its default)`;
  return {
    connection: errors.length > 0 || built === null || auth === null ? null : { ...built.connection, auth: auth.auth },
    problems: [...errors, ...warnings],
    facts: [broadcasterFact, ...(built?.facts ?? []), ...(auth?.fact ? [auth.fact] : [])],
  };
}

/** One problem as a line: `.env:12: REVERB_PORT=abc is not a port number (1–65535)`. */
export function formatEnvProblem(file: string, problem: EnvProblem): string {
  return `${file}${problem.line === null ? '' : `:${problem.line}`}: ${problem.severity === 'warning' ? 'warning: ' : ''}${problem.message}`;
}
