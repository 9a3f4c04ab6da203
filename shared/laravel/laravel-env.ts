import { parseDotenv, type DotenvEntry, type DotenvFile } from './dotenv';
import { laravelSlug } from './slug';

/**
 * What a Laravel app's `.env` says about its broadcasting, read as the app reads it: phpdotenv
 * for the file (dotenv.ts), `Illuminate\Support\Env::get` for each value, and the defaults of
 * Laravel's config/broadcasting.php, config/database.php and the Echo bootstrap its installer
 * writes (resources/js/echo.js, bootstrap.js). Nothing is read from outside the file: the app's
 * real environment may override it, EchoScope's is not the app's.
 */

/** Where a value came from: the variable and its line. */
export interface EnvSource {
  readonly variable: string;
  readonly line: number;
}

export interface EnvSetting<T> extends EnvSource {
  readonly value: T;
}

/**
 * The parts of a connection profile an .env problem is about: giving that part explicitly (a
 * command-line flag, a form field) makes the problem moot. `server` is host, port and TLS together.
 */
export type EnvField = 'broadcaster' | 'server' | 'key' | 'appId' | 'secret' | 'cluster' | 'auth';

export interface EnvProblem {
  readonly severity: 'error' | 'warning';
  /** The line the problem is on; null for something missing from the file. */
  readonly line: number | null;
  readonly variable: string | null;
  readonly message: string;
  /** Overriding all of these parts resolves the problem (empty: nothing but editing the file does). */
  readonly fields: readonly EnvField[];
}

/** A Pusher-protocol app as the frontend's Echo and Laravel see it: `REVERB_*` or `PUSHER_*`, with the `VITE_` twins. */
export interface EchoApp {
  readonly prefix: 'REVERB' | 'PUSHER';
  /** Any of its variables is set. */
  readonly present: boolean;
  readonly key: EnvSetting<string> | undefined;
  readonly appId: EnvSetting<string> | undefined;
  readonly secret: EnvSetting<string> | undefined;
  readonly host: EnvSetting<string> | undefined;
  readonly port: EnvSetting<number> | undefined;
  /** `https` makes Echo use TLS (forceTLS); unset means https, as Laravel and the Echo bootstrap default. */
  readonly scheme: EnvSetting<'http' | 'https'> | undefined;
  /** Pusher Channels' cluster (`PUSHER_APP_CLUSTER`); undefined for Reverb. */
  readonly cluster: EnvSetting<string> | undefined;
  /** Problems of these values, said when this app is the one EchoScope connects to. */
  readonly problems: readonly EnvProblem[];
}

export interface RedisSettings {
  readonly host: string;
  readonly port: number;
  readonly password: string | null;
  readonly db: number;
  /** Key and channel prefix: REDIS_PREFIX, else Laravel's `Str::slug(APP_NAME, '_').'_database_'`. */
  readonly prefix: string;
  readonly prefixSource: EnvSource | 'default';
  readonly sources: readonly EnvSource[];
}

export interface LaravelEnv {
  readonly file: DotenvFile;
  readonly appName: string;
  /** APP_URL without its trailing slash; null when unset or not an http(s) URL. */
  readonly appUrl: EnvSetting<string> | null;
  /** Laravel's default broadcast connection (Laravel's own default: `null`). */
  readonly broadcaster: { readonly name: string; readonly source: EnvSource | null };
  readonly reverb: EchoApp;
  readonly pusher: EchoApp;
  readonly redis: RedisSettings;
  /** Problems whatever EchoScope connects to: the file's syntax, conflicts, unusable values. */
  readonly problems: readonly EnvProblem[];
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

/** `Env::get`'s reading of one variable: undefined when unset, null for `null`/`(null)` or a bare name. */
export type EnvValue = string | boolean | null;

export function laravelEnvValue(entry: DotenvEntry): EnvValue {
  const value = entry.value;
  if (value === null) return null;
  switch (value.toLowerCase()) {
    case 'true':
    case '(true)':
      return true;
    case 'false':
    case '(false)':
      return false;
    case 'empty':
    case '(empty)':
      return '';
    case 'null':
    case '(null)':
      return null;
  }
  const quoted = /^(['"])(.*)\1$/.exec(value);
  return quoted ? quoted[2]! : value;
}

class EnvReader {
  readonly problems: EnvProblem[] = [];

  constructor(readonly file: DotenvFile) {}

  entry(name: string): DotenvEntry | undefined {
    return this.file.variables.get(name);
  }

  /** A string setting: unset, `null` and empty values are undefined (Laravel's defaults apply or nothing is there). */
  text(name: string, problems: EnvProblem[] = this.problems, fields: readonly EnvField[] = []): EnvSetting<string> | undefined {
    const entry = this.entry(name);
    if (entry === undefined) return undefined;
    const value = laravelEnvValue(entry);
    if (value === null || value === '') return undefined;
    if (entry.unresolved.length > 0) {
      // Vite reads VITE_ variables itself (dotenv-expand), from the whole file: a reference to a variable set later resolves there.
      const vite = name.startsWith('VITE_') ? this.viteExpand(entry) : undefined;
      if (vite !== undefined) return { variable: name, line: entry.line, value: vite };
      const refs = entry.unresolved.map((ref) => {
        if (ref === name) return `${ref} refers to itself`;
        const defined = this.file.entries.find((e) => e.name === ref && e.value !== null);
        return defined ? `${ref} is set only later (line ${defined.line}): move it above` : `${ref} is not set in the file`;
      });
      problems.push(error(entry.line, name, `${name} is "${entry.value}": phpdotenv replaces \${NAME} only with a variable set above it, and ${refs.join('; ')}`, fields));
      return undefined;
    }
    return { variable: name, line: entry.line, value: typeof value === 'boolean' ? (entry.value ?? String(value)) : value };
  }

  /** A VITE_ value with the references phpdotenv left as Vite fills them (from the file's last values); undefined when one is not set at all. */
  private viteExpand(entry: DotenvEntry): string | undefined {
    let value = entry.value ?? '';
    for (const ref of entry.unresolved) {
      const target = this.file.variables.get(ref);
      if (target === undefined || target.value === null || target.name === entry.name) return undefined;
      value = value.replaceAll(`\${${ref}}`, target.value);
    }
    return value === '' ? undefined : value;
  }

  /** The first set of several variables (a VITE_ twin before the server's own). */
  first(names: readonly string[], problems: EnvProblem[], fields: readonly EnvField[] = []): EnvSetting<string> | undefined {
    for (const name of names) {
      const setting = this.text(name, problems, fields);
      if (setting !== undefined) return setting;
    }
    return undefined;
  }

  integer(setting: EnvSetting<string> | undefined, min: number, max: number, what: string, problems: EnvProblem[], fields: readonly EnvField[]): EnvSetting<number> | undefined {
    if (setting === undefined) return undefined;
    const value = /^\d+$/.test(setting.value) ? Number(setting.value) : NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(error(setting.line, setting.variable, `${setting.variable}=${setting.value} is not ${what} (${min}–${max})`, fields));
      return undefined;
    }
    return { ...setting, value };
  }
}

/** Two variables that should agree (the frontend's VITE_ twin and the server's own) but do not. */
function twinsDisagree(reader: EnvReader, vite: string, server: string): { vite: EnvSetting<string>; server: EnvSetting<string> } | undefined {
  const quiet: EnvProblem[] = [];
  const a = reader.text(vite, quiet);
  const b = reader.text(server, quiet);
  return a !== undefined && b !== undefined && a.value !== b.value ? { vite: a, server: b } : undefined;
}

function readEchoApp(reader: EnvReader, prefix: 'REVERB' | 'PUSHER'): EchoApp {
  const problems: EnvProblem[] = [];
  const names = (suffix: string) => [`VITE_${prefix}_${suffix}`, `${prefix}_${suffix}`];
  const key = reader.first(names('APP_KEY'), problems, ['key']);
  const appId = reader.text(`${prefix}_APP_ID`, problems, ['appId']);
  const secret = reader.text(`${prefix}_APP_SECRET`, problems, ['secret']);
  const host = reader.first(names('HOST'), problems, ['server']);
  const port = reader.integer(reader.first(names('PORT'), problems, ['server']), 1, 65535, 'a port number', problems, ['server']);
  const schemeText = reader.first(names('SCHEME'), problems, ['server']);
  let scheme: EnvSetting<'http' | 'https'> | undefined;
  if (schemeText !== undefined) {
    if (schemeText.value === 'http' || schemeText.value === 'https') scheme = { ...schemeText, value: schemeText.value };
    else
      problems.push(
        error(schemeText.line, schemeText.variable, `${schemeText.variable}=${schemeText.value} is neither http nor https (Laravel and Echo use TLS only for "https")`, ['server']),
      );
  }
  const cluster = prefix === 'PUSHER' ? reader.first(['VITE_PUSHER_APP_CLUSTER', 'PUSHER_APP_CLUSTER'], problems, ['cluster']) : undefined;

  const keys = twinsDisagree(reader, `VITE_${prefix}_APP_KEY`, `${prefix}_APP_KEY`);
  if (keys) {
    problems.push(
      error(
        keys.vite.line,
        keys.vite.variable,
        `the frontend's ${keys.vite.variable}=${keys.vite.value} (line ${keys.vite.line}) is not Laravel's ${keys.server.variable}=${keys.server.value} (line ${keys.server.line}): ` +
          `Echo would listen on another app than the one Laravel publishes to (write ${keys.vite.variable}="\${${keys.server.variable}}")`,
        ['key'],
      ),
    );
  }
  for (const suffix of ['HOST', 'PORT', 'SCHEME']) {
    const twins = twinsDisagree(reader, `VITE_${prefix}_${suffix}`, `${prefix}_${suffix}`);
    if (twins) {
      problems.push(
        warning(
          twins.vite.line,
          twins.vite.variable,
          `the frontend connects with ${twins.vite.variable}=${twins.vite.value} (line ${twins.vite.line}), Laravel publishes with ${twins.server.variable}=${twins.server.value} ` +
            `(line ${twins.server.line}); EchoScope connects as the frontend does`,
        ),
      );
    }
  }
  const present = [...names('APP_KEY'), `${prefix}_APP_ID`, `${prefix}_APP_SECRET`, ...names('HOST'), ...names('PORT')].some((name) => reader.entry(name)?.value);
  return { prefix, present, key, appId, secret, host, port, scheme, cluster, problems };
}

/** `redis://[user:password@]host[:port][/db]`, as Laravel's ConfigurationUrlParser takes REDIS_URL. */
function parseRedisUrl(url: string): { host: string; port?: number; password?: string; db?: number } | undefined {
  const match = /^(?:rediss?|tcp|tls):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\[[^\]]+\]|[^:/?#]+)(?::(\d+))?(?:\/(\d+))?\/?(?:[?#].*)?$/.exec(url);
  if (!match) return undefined;
  const password = match[2] ?? (match[1] && match[2] === undefined ? match[1] : undefined);
  return {
    host: match[3]!,
    ...(match[4] ? { port: Number(match[4]) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(match[5] ? { db: Number(match[5]) } : {}),
  };
}

function readRedis(reader: EnvReader, appName: string, appNameSource: EnvSource | undefined): RedisSettings {
  const sources: EnvSource[] = [];
  const note = <T extends EnvSource | undefined>(setting: T): T => {
    if (setting !== undefined) sources.push({ variable: setting.variable, line: setting.line });
    return setting;
  };
  // Redis settings matter for the redis broadcaster only: their problems are warnings.
  const quiet: EnvProblem[] = [];
  const host = note(reader.text('REDIS_HOST', quiet));
  const port = note(reader.integer(reader.text('REDIS_PORT', quiet), 1, 65535, 'a port number', quiet, []));
  const db = note(reader.integer(reader.text('REDIS_DB', quiet), 0, 1_000_000, 'a database number', quiet, []));
  const password = note(reader.text('REDIS_PASSWORD', quiet));
  const prefix = reader.entry('REDIS_PREFIX');
  // env('REDIS_PREFIX', default): a set value wins even when empty; only `null` falls back… to null.
  const prefixValue = prefix === undefined ? undefined : laravelEnvValue(prefix);
  const slug = laravelSlug(appName);
  let settings = {
    host: host?.value ?? '127.0.0.1',
    port: port?.value ?? 6379,
    password: password?.value ?? null,
    db: db?.value ?? 0,
  };
  const url = note(reader.text('REDIS_URL', quiet));
  if (url !== undefined) {
    const parsed = parseRedisUrl(url.value);
    if (parsed === undefined) quiet.push(warning(url.line, 'REDIS_URL', `REDIS_URL=${url.value} is not a redis://[user:password@]host[:port][/db] URL`));
    else settings = { host: parsed.host, port: parsed.port ?? settings.port, password: parsed.password ?? settings.password, db: parsed.db ?? settings.db };
  }
  for (const problem of quiet) reader.problems.push({ ...problem, severity: 'warning' });
  if (prefix === undefined && !slug.exact && appNameSource) {
    reader.problems.push(
      warning(
        appNameSource.line,
        'APP_NAME',
        `APP_NAME=${appName} has characters Laravel transliterates (Str::slug) in ways EchoScope may spell differently: the Redis prefix "${slug.slug}_database_" is a guess; set REDIS_PREFIX`,
      ),
    );
  }
  return {
    ...settings,
    prefix: prefix === undefined ? `${slug.slug}_database_` : typeof prefixValue === 'string' ? prefixValue : prefixValue === null ? '' : prefix.value!,
    prefixSource: prefix === undefined ? 'default' : { variable: 'REDIS_PREFIX', line: prefix.line },
    sources,
  };
}

/** Variables EchoScope reads: set twice with different values is worth saying (Laravel takes the last). */
const READ = /^(BROADCAST_(CONNECTION|DRIVER)|APP_(NAME|URL)|(VITE_)?(REVERB|PUSHER)_.+|REDIS_(HOST|PORT|PASSWORD|DB|PREFIX|URL))$/;

function duplicates(file: DotenvFile): EnvProblem[] {
  const problems: EnvProblem[] = [];
  for (const [name, last] of file.variables) {
    if (!READ.test(name)) continue;
    const all = file.entries.filter((entry) => entry.name === name);
    const differing = all.filter((entry) => entry.value !== last.value);
    if (differing.length === 0) continue;
    problems.push(
      warning(
        last.line,
        name,
        `${name} is set on lines ${all.map((entry) => entry.line).join(', ')} with different values: Laravel uses the last one (line ${last.line}${last.value === null ? ', which unsets it' : ''})`,
      ),
    );
  }
  return problems;
}

/** Reads the text of a Laravel app's `.env`. Never throws: what is wrong is in `problems` (and `file.errors`). */
export function readLaravelEnv(text: string): LaravelEnv {
  const file = parseDotenv(text);
  const reader = new EnvReader(file);
  file.errors.forEach((syntax, i) => {
    // Said once: phpdotenv stops at the first of these, and Laravel with it.
    const consequence = i === 0 ? ' (phpdotenv refuses a file with such a line: Laravel stops with "The environment file is invalid!")' : '';
    reader.problems.push(error(syntax.line, syntax.name, syntax.message + consequence));
  });
  reader.problems.push(...duplicates(file));

  const appNameSetting = reader.text('APP_NAME');
  const appName = appNameSetting?.value ?? 'laravel';
  let appUrl: EnvSetting<string> | null = null;
  const url = reader.text('APP_URL');
  if (url !== undefined) {
    if (/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(url.value)) appUrl = { ...url, value: url.value.replace(/\/+$/, '') };
    else
      reader.problems.push(
        warning(url.line, 'APP_URL', `APP_URL=${url.value} is not an http(s) URL: EchoScope cannot reach /broadcasting/auth or the generation record from it`, ['auth']),
      );
  }

  // Laravel 11 and later read BROADCAST_CONNECTION, earlier ones BROADCAST_DRIVER.
  const connection = reader.text('BROADCAST_CONNECTION');
  const driver = reader.text('BROADCAST_DRIVER');
  const chosen = connection ?? driver;
  if (connection && driver && connection.value !== driver.value) {
    reader.problems.push(
      warning(
        connection.line,
        'BROADCAST_CONNECTION',
        `BROADCAST_CONNECTION=${connection.value} (line ${connection.line}) and BROADCAST_DRIVER=${driver.value} (line ${driver.line}) disagree: Laravel 11 and later read ` +
          `BROADCAST_CONNECTION, Laravel 10 and earlier BROADCAST_DRIVER; EchoScope follows BROADCAST_CONNECTION`,
        ['broadcaster'],
      ),
    );
  }
  return {
    file,
    appName,
    appUrl,
    broadcaster: { name: chosen?.value ?? 'null', source: chosen ? { variable: chosen.variable, line: chosen.line } : null },
    reverb: readEchoApp(reader, 'REVERB'),
    pusher: readEchoApp(reader, 'PUSHER'),
    redis: readRedis(reader, appName, appNameSetting),
    problems: reader.problems,
  };
}
