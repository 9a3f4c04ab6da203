/**
 * Test support (not product): what a Laravel app reads from .env texts, asked of the real thing —
 * PHP with Debian's php-vlucas-phpdotenv and php-laravel-framework (phpdotenv.php beside this file).
 * Ground truth for shared/laravel's port of phpdotenv; absent where PHP is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'phpdotenv.php');

export type PhpReading =
  { variables: Record<string, string | null>; env: Record<string, string | boolean | null>; slug: string; error?: undefined } | { error: string; variables?: undefined };

/** Why the PHP side cannot run here, or null when it can. */
export function phpdotenvUnavailable(): string | null {
  const php = spawnSync('php', ['--version'], { encoding: 'utf8' });
  if (php.error || php.status !== 0) return 'no php on PATH (Debian: apt-get install php-cli)';
  if (!existsSync('/usr/share/php/Dotenv/autoload.php')) return 'no phpdotenv in /usr/share/php/Dotenv (Debian: php-vlucas-phpdotenv)';
  if (!existsSync('/usr/share/php/Illuminate/Support/autoload.php')) return 'no Illuminate\\Support in /usr/share/php (Debian: php-laravel-framework)';
  return null;
}

/** Each text read as a Laravel app reads its .env (one PHP process for all of them). */
export function readWithPhpdotenv(texts: readonly string[]): PhpReading[] {
  const out = execFileSync('php', [SCRIPT], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out) as PhpReading[];
}
