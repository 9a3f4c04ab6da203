/**
 * Launches soketi (installed by scripts/peers/install-soketi.sh into .peers/soketi) as the
 * conformance and benchmark peer of the mock provider. Bound to 127.0.0.1 on picked ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MockApp } from '../../electron/mock/config';
import { freePort } from '../free-port';

export { freePort };

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SOKETI_DIR = join(projectRoot, '.peers/soketi');
const SOKETI_BIN = join(SOKETI_DIR, 'node_modules/@soketi/soketi/bin/server.js');

/** Null when soketi is installed; otherwise why it cannot run. */
export function soketiUnavailableReason(): string | null {
  return existsSync(SOKETI_BIN) ? null : `soketi is not installed (${SOKETI_BIN} missing); run scripts/peers/install-soketi.sh`;
}

export interface SoketiProcess {
  host: string;
  port: number;
  app: MockApp;
  child: ChildProcess;
  close(): Promise<void>;
}

export interface SoketiOptions {
  app?: MockApp;
  /** Client events per second per connection (soketi's maxClientEventsPerSecond). */
  clientEventRate?: number;
  extraEnv?: Record<string, string>;
}

export async function startSoketi(options: SoketiOptions = {}): Promise<SoketiProcess> {
  const reason = soketiUnavailableReason();
  if (reason) throw new Error(reason);
  const app = options.app ?? { id: 'echoscope', key: 'echoscope-key', secret: 'echoscope-secret' };
  const host = '127.0.0.1';
  const port = await freePort(host);
  const metricsPort = await freePort(host);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    SOKETI_HOST: host,
    SOKETI_PORT: String(port),
    SOKETI_METRICS_HOST: host,
    SOKETI_METRICS_SERVER_PORT: String(metricsPort),
    SOKETI_METRICS_ENABLED: 'false',
    SOKETI_DEFAULT_APP_ID: app.id,
    SOKETI_DEFAULT_APP_KEY: app.key,
    SOKETI_DEFAULT_APP_SECRET: app.secret,
    SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true',
    SOKETI_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SEC: String(options.clientEventRate ?? 10),
    SOKETI_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SEC: '-1',
    SOKETI_DEFAULT_APP_MAX_READ_REQ_PER_SEC: '-1',
    SOKETI_SHUTDOWN_GRACE_PERIOD: '0',
    // Pusher's (and the mock's) 10 KB event limit; soketi's default is 100 KB.
    SOKETI_EVENT_MAX_SIZE_IN_KB: '10',
    ...options.extraEnv,
  };
  // cwd is the peer folder so soketi's dotenv finds no stray .env.
  const child = spawn(process.execPath, [SOKETI_BIN, 'start'], { cwd: SOKETI_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`soketi did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Server is up and running')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`soketi exited with ${String(code)} before it was ready:\n${output}`));
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    host,
    port,
    app,
    child,
    close: () =>
      new Promise<void>((resolveClosed) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveClosed();
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolveClosed();
        });
        child.kill('SIGTERM');
      }),
  };
}
