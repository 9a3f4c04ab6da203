/**
 * Launches laravel-echo-server (installed by scripts/peers/install-laravel-echo-server.sh into
 * .peers/) with its own Redis (Debian's redis-server), both on 127.0.0.1 and picked ports, and
 * publishes to Redis exactly as Laravel's RedisBroadcaster does. The peer tests and the Laravel
 * suite (test/laravel) share it; the suite also restarts the server on the same port against the
 * same Redis: a deploy of the WebSocket server while sessions are open.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcess, waitForOutput } from './process-output';
import { startRedis, redisUnavailableReason } from './redis';
import { RedisClient } from './resp';
import { freePort } from './soketi';

export { stopProcess, waitForOutput };

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ECHO_SERVER_BIN = join(projectRoot, '.peers/laravel-echo-server/node_modules/laravel-echo-server/bin/server.js');

/** Laravel's default Redis key prefix for a database connection named `default` in an app named `laravel`. */
export const LARAVEL_REDIS_PREFIX = 'laravel_database_';

/** Null when laravel-echo-server and redis-server can run; otherwise why not. */
export function laravelEchoServerUnavailableReason(): string | null {
  if (!existsSync(ECHO_SERVER_BIN)) return `laravel-echo-server is not installed (${ECHO_SERVER_BIN} missing); run scripts/peers/install-laravel-echo-server.sh`;
  return redisUnavailableReason();
}

export interface LaravelEchoServer {
  host: string;
  port: number;
  redisPort: number;
  /** Publishes like Illuminate\Broadcasting\Broadcasters\RedisBroadcaster::broadcast (a raw PUBLISH; not in the app's log). */
  broadcast(channel: string, event: string, payload: Record<string, unknown>): Promise<void>;
  /** Stops laravel-echo-server (SIGTERM, by pid) and starts it again on the same port; resolves once it is ready. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startLaravelEchoServer(options: {
  authHost: string;
  authEndpoint?: string;
  /** API clients of its HTTP API (`laravel-echo-server client:add`): `GET /apps/{appId}/channels?auth_key={key}`. */
  clients?: Array<{ appId: string; key: string }>;
  /** Its verbose log (default true: the peer tests read it when something fails; the Laravel suite turns it off). */
  devMode?: boolean;
  /** Options of its Socket.IO server, e.g. `{pingInterval, pingTimeout}` (engine.io 3: the client pings, the server answers). */
  socketio?: Record<string, unknown>;
}): Promise<LaravelEchoServer> {
  const reason = laravelEchoServerUnavailableReason();
  if (reason) throw new Error(reason);
  const host = '127.0.0.1';
  const redis = await startRedis();
  const redisPort = redis.port;

  const port = await freePort(host);
  const dir = mkdtempSync(join(tmpdir(), 'echoscope-les-'));
  writeFileSync(
    join(dir, 'laravel-echo-server.json'),
    JSON.stringify({
      authHost: options.authHost,
      authEndpoint: options.authEndpoint ?? '/broadcasting/auth',
      clients: options.clients ?? [],
      database: 'redis',
      databaseConfig: { redis: { host, port: String(redisPort), keyPrefix: LARAVEL_REDIS_PREFIX }, sqlite: { databasePath: join(dir, 'les.sqlite') } },
      devMode: options.devMode ?? true,
      host,
      port: String(port),
      protocol: 'http',
      socketio: options.socketio ?? {},
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
    if (server) await stopProcess(server);
    await redis.close();
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
      await redis.close();
    },
  };
}
