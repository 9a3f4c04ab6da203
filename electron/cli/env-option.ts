import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  envConnection,
  formatEnvProblem,
  readLaravelEnv,
  type EnvConnection,
  type EnvConnectionResult,
  type EnvField,
  type EnvOverrides,
  type EnvProblem,
  type LaravelEnv,
} from '../../shared/laravel';
import { UsageError, type OptionSpec } from './command';
import { printable } from './terminal-text';

/**
 * `--env PATH` (watch, serve, mock): a Laravel app's `.env`, read by shared/laravel as the app
 * reads it. Here: reading the file, saying its warnings, refusing with every error named and the
 * flag that would settle it, and writing a changed file safely.
 */

export const ENV_OPTION: OptionSpec = {
  type: 'string',
  description: "a Laravel app's .env: connect as its frontend's Echo does (BROADCAST_CONNECTION, REVERB_*/PUSHER_*, VITE_*, APP_URL); flags given explicitly win",
  valueName: 'file',
};

export interface EnvFile {
  /** As the user wrote it, for messages. */
  readonly path: string;
  readonly text: string;
  readonly env: LaravelEnv;
}

export async function readEnvFile(path: string, option = 'env'): Promise<EnvFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file (a Laravel app keeps it at its root: path/to/app/.env)'
        : code === 'EISDIR'
          ? `it is a directory: give the file, e.g. ${join(path, '.env')}`
          : (error as Error).message;
    throw new UsageError(`--${option} ${path}: ${why}`, { cause: error });
  }
  return { path, text, env: readLaravelEnv(text) };
}

/** The flags that give each part of a profile, for "or give …" in messages; a part a command has no flag for is left out. */
export type EnvFlags = Partial<Record<EnvField, string>>;

function withFlag(problem: EnvProblem, flags: EnvFlags): string {
  const given = problem.fields.map((field) => flags[field]);
  if (given.length === 0 || given.some((flag) => flag === undefined)) return '';
  return ` (or give ${given.join(' and ')})`;
}

/** A problem as a line for the terminal: `path:12: …`. */
export function describeProblem(file: EnvFile, problem: EnvProblem, flags: EnvFlags = {}): string {
  return printable(formatEnvProblem(file.path, problem) + (problem.severity === 'error' ? withFlag(problem, flags) : ''));
}

/**
 * The connection from the file and the explicit values, or a UsageError naming every error. Warnings
 * go to `warn`, one line each.
 */
export function envConnectionOrExit(
  file: EnvFile,
  overrides: EnvOverrides,
  flags: EnvFlags,
  warn: (line: string) => void,
): { connection: EnvConnection; result: EnvConnectionResult } {
  const result = envConnection(file.env, overrides);
  for (const problem of result.problems) if (problem.severity === 'warning') warn(describeProblem(file, problem));
  const errors = result.problems.filter((problem) => problem.severity === 'error');
  if (result.connection === null || errors.length > 0) {
    throw new UsageError([`--env ${file.path}: no connection can be built from it:`, ...errors.map((problem) => `  ${describeProblem(file, problem, flags)}`)].join('\n'));
  }
  return { connection: result.connection, result };
}

/** Writes a file by a temporary one beside it and a rename, keeping its mode: a crash leaves the old or the new file, never half of one. */
export async function replaceFile(path: string, text: string): Promise<void> {
  const { mode } = await stat(path);
  const temporary = join(dirname(path), `.${basename(path)}.echoscope-${process.pid}`);
  await writeFile(temporary, text, { mode: mode & 0o7777 });
  await rename(temporary, path);
}
