import { envConnection, pointEnvAtServer, type EchoApp, type EnvChange, type EnvTarget } from '../../shared/laravel';
import type { MockApp, MockServer } from '../mock/index';
import { UsageError } from './command';
import { describeProblem, replaceFile, type EnvFile } from './env-option';

/**
 * `mock --env FILE [--write-env]`: the mock serves the app a Laravel .env describes (its
 * REVERB_* or PUSHER_* id, key and secret, on its port when its host is this machine), so the
 * app publishes to it unchanged; `--write-env` writes the lines that point the app at the mock.
 */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);

export interface MockEnvSettings {
  /** The app to serve, when the file has a whole one (id, key and secret). */
  app: MockApp | undefined;
  /** The port the file's server has, when its host is this machine. */
  port: number | undefined;
  /** What was taken from where, for people. */
  notes: string[];
}

/** A file phpdotenv would refuse is refused here too: its app could not be read, nor its lines written. */
export function refuseBrokenEnv(file: EnvFile): void {
  const errors = file.env.file.errors;
  if (errors.length === 0) return;
  const problems = file.env.problems.filter((problem) => problem.severity === 'error' && errors.some((e) => e.line === problem.line));
  throw new UsageError([`--env ${file.path}: phpdotenv would refuse this file:`, ...problems.map((problem) => `  ${describeProblem(file, problem)}`)].join('\n'));
}

function whole(app: EchoApp): app is EchoApp & { key: NonNullable<EchoApp['key']>; appId: NonNullable<EchoApp['appId']>; secret: NonNullable<EchoApp['secret']> } {
  return app.key !== undefined && app.appId !== undefined && app.secret !== undefined;
}

export function mockSettingsFromEnv(file: EnvFile): MockEnvSettings {
  refuseBrokenEnv(file);
  const { env } = file;
  // The app Laravel broadcasts with first, then the other.
  const order = env.broadcaster.name === 'pusher' ? [env.pusher, env.reverb] : [env.reverb, env.pusher];
  const app = order.find(whole);
  const notes: string[] = [];
  if (app === undefined) {
    notes.push(`${file.path} has no whole REVERB_* or PUSHER_* app (id, key and secret): the mock serves its own`);
    return { app: undefined, port: undefined, notes };
  }
  notes.push(`${file.path}: the app ${app.appId.value} / ${app.key.value} (${[app.appId, app.key, app.secret].map((s) => `${s.variable}, line ${s.line}`).join('; ')})`);
  let port: number | undefined;
  if (app.port !== undefined && (app.host === undefined || LOOPBACK.has(app.host.value))) {
    port = app.port.value;
    notes.push(`${file.path}: port ${port} (${app.port.variable}, line ${app.port.line})`);
  } else if (app.host !== undefined && !LOOPBACK.has(app.host.value)) {
    notes.push(`${file.path}: ${app.host.variable}=${app.host.value} (line ${app.host.line}) is not this machine, so its port is not taken (--write-env points the app here)`);
  }
  return { app: { id: app.appId.value, key: app.key.value, secret: app.secret.value }, port, notes };
}

/** Where a Laravel app on this machine reaches the server. */
function reachableHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

export function mockTarget(server: MockServer): EnvTarget {
  const app = server.apps[0]!;
  return { host: reachableHost(server.host), port: server.port, appId: app.id, key: app.key, secret: app.secret };
}

/** Whether the file already sends the app (and its frontend) to the mock. */
export function pointsAt(file: EnvFile, target: EnvTarget): boolean {
  const { connection } = envConnection(file.env);
  if (connection === null || connection.kind !== 'reverb') return false;
  // localhost is not taken for 127.0.0.1: it may resolve to ::1 first, where the mock does not listen.
  const sameHost = connection.host === target.host;
  const secret = connection.auth.mode === 'secret' ? connection.auth.secret : undefined;
  return sameHost && connection.port === target.port && !connection.tls && connection.key === target.key && connection.appId === target.appId && secret === target.secret;
}

/** The lines that would point the file at `target`, as they would be written. */
export function linesToWrite(file: EnvFile, target: EnvTarget): string[] {
  const result = pointEnvAtServer(file.text, target);
  if (!result.ok) return [];
  const lines = result.text.split(/\r\n|\n|\r/);
  return result.changes.filter((change) => change.action !== 'kept').map((change) => lines[change.line - 1]!);
}

/** Writes the lines into the file (a temporary file and a rename); what changed, line by line. */
export async function writeEnvForMock(file: EnvFile, target: EnvTarget): Promise<EnvChange[]> {
  const result = pointEnvAtServer(file.text, target);
  if (!result.ok) throw new UsageError(`--env ${file.path}: phpdotenv would refuse this file (line ${result.errors[0]!.line}): not written`);
  if (result.changes.some((change) => change.action !== 'kept')) await replaceFile(file.path, result.text);
  return result.changes;
}

export const RESTART_HINT =
  'Laravel reads .env when it boots: restart `php artisan serve` and the queue workers (`php artisan config:clear` if the config is cached); ' +
  'Vite reads VITE_REVERB_* when it starts: restart `npm run dev` or rebuild.';
