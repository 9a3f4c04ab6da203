/**
 * Debian's redis-server on 127.0.0.1 and a port the test picks, with nothing saved to disk: the
 * Redis that laravel-echo-server, the taps and the Laravel suite share. Stopped by process id.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './soketi';
import { stopProcess, waitForOutput } from './process-output';

/** Null when redis-server can run here; otherwise why not. */
export function redisUnavailableReason(): string | null {
  return spawnSync('redis-server', ['--version']).error ? 'redis-server is not installed (apt-get install -y redis-server)' : null;
}

export interface RedisServer {
  host: string;
  port: number;
  url: string;
  /** Stops it (SIGTERM, by pid): a Redis outage. `restart` brings it back on the same port. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const reason = redisUnavailableReason();
  if (reason) throw new Error(reason);
  const host = '127.0.0.1';
  const port = await freePort(host);
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(child, /Ready to accept connections/, 'redis-server');
  };
  await start();
  const stop = async () => {
    if (child) await stopProcess(child);
    child = undefined;
  };
  return { host, port, url: `redis://${host}:${port}`, stop, restart: async () => (await stop(), start()), close: stop };
}
