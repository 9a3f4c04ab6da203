/**
 * Publishes broadcasts to Redis from PHP, as the server side does (test-support/peers/php/publish.php):
 * Laravel's own RedisBroadcaster (Debian's php-laravel-framework) and Reverb's scaling envelope.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'php/publish.php');

/** Null when PHP with phpredis and Debian's Laravel framework can run the publisher; otherwise why not. */
export function phpPublisherUnavailableReason(): string | null {
  const php = spawnSync('php', ['-r', 'echo extension_loaded("redis") ? "yes" : "no";']);
  if (php.error || php.status !== 0) return 'php is not installed (apt-get install -y php-cli php-redis php-laravel-framework)';
  if (php.stdout.toString() !== 'yes') return 'the PHP extension redis is missing (apt-get install -y php-redis)';
  if (!existsSync('/usr/share/php/Illuminate/Broadcasting/Broadcasters/RedisBroadcaster.php'))
    return "Debian's Laravel framework is not installed (apt-get install -y php-laravel-framework)";
  return null;
}

export interface LaravelBroadcast {
  channels: string[];
  event: string;
  payload: Record<string, unknown>;
}

export interface ReverbMessage {
  app: { id: string; key: string; secret: string };
  /** Default `message`; Reverb also publishes `metrics`, `terminate`, … */
  type?: string;
  payload: Record<string, unknown>;
  socket_id?: string;
}

export interface PublishPlan {
  host: string;
  port: number;
  /** The Laravel app's Redis key prefix (`laravel` broadcasts only). */
  prefix?: string;
  laravel?: LaravelBroadcast[];
  reverb?: { channel: string; messages: ReverbMessage[] };
}

/** Runs the PHP publisher once (synchronously: it returns after the last PUBLISH). */
export function publishWithPhp(plan: PublishPlan): void {
  const run = spawnSync('php', [SCRIPT], { input: JSON.stringify(plan), timeout: 20_000 });
  if (run.error || run.status !== 0 || !run.stdout.toString().includes('published')) {
    throw new Error(`the PHP publisher failed (${run.status ?? run.error?.message}): ${run.stderr.toString().slice(-800)}${run.stdout.toString().slice(-400)}`);
  }
}
