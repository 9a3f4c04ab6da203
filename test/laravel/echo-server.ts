/**
 * Redis and laravel-echo-server for the Laravel stack, each its own process on 127.0.0.1. Unlike
 * electron/mock/peers/laravel-echo-server.ts (which it follows), the server can be restarted on the
 * same port against the same Redis: a deploy of the WebSocket server while sessions are open.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LARAVEL_REDIS_PREFIX } from '../../electron/mock/peers/laravel-echo-server';
import { freePort } from '../../electron/mock/peers/soketi';
import { RedisClient } from './resp';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ECHO_SERVER_BIN = join(projectRoot, '.peers/laravel-echo-server/node_modules/laravel-echo-server/bin/server.js');

export interface EchoServer {
  host: string;
  port: number;
  redisPort: number;
  /** A raw PUBLISH as Laravel's RedisBroadcaster makes it (the harness's probes; not in the app's log). */
  broadcast(channel: string, event: string, payload: Record<string, unknown>): Promise<void>;
  /** Stops laravel-echo-server (SIGTERM, by pid) and starts it again on the same port; resolves once it is ready. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen.slice(-800)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolveReady();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${seen.slice(-800)}`));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

export async function startEchoServer(options: { authHost: string; clients: Array<{ appId: string; key: string }> }): Promise<EchoServer> {
  const host = '127.0.0.1';
  const redisPort = await freePort(host);
  const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', host, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(redis, /Ready to accept connections/, 'redis-server');
  const port = await freePort(host);
  const dir = mkdtempSync(join(tmpdir(), 'echoscope-les-'));
  writeFileSync(
    join(dir, 'laravel-echo-server.json'),
    JSON.stringify({
      authHost: options.authHost,
      authEndpoint: '/broadcasting/auth',
      clients: options.clients,
      database: 'redis',
      databaseConfig: { redis: { host, port: String(redisPort), keyPrefix: LARAVEL_REDIS_PREFIX }, sqlite: { databasePath: join(dir, 'les.sqlite') } },
      devMode: false,
      host,
      port: String(port),
      protocol: 'http',
      socketio: {},
      secureOptions: 67108864,
      sslCertPath: '',
      sslKeyPath: '',
      sslCertChainPath: '',
      sslPassphrase: '',
      subscribers: { http: false, redis: true },
      apiOriginAllow: { allowCors: false, allowOrigin: '', allowMethods: '', allowHeaders: '' },
    }),
  );
  let server: ChildProcess | undefined;
  const start = async () => {
    const child = spawn(process.execPath, [ECHO_SERVER_BIN, 'start', `--dir=${dir}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    await waitForOutput(child, /Server ready!/, 'laravel-echo-server');
  };
  try {
    await start();
  } catch (error) {
    await stopProcess(redis);
    throw error;
  }
  const publisher = await RedisClient.connect(redisPort);
  return {
    host,
    port,
    redisPort,
    async broadcast(channel, event, payload) {
      const reply = await publisher.command('PUBLISH', `${LARAVEL_REDIS_PREFIX}${channel}`, JSON.stringify({ event, data: payload, socket: null }));
      if (typeof reply !== 'number') throw new Error(`redis PUBLISH failed: ${String(reply)}`);
    },
    async restart() {
      if (server) await stopProcess(server);
      await start();
    },
    async close() {
      publisher.close();
      if (server) await stopProcess(server);
      await stopProcess(redis);
    },
  };
}
