/**
 * Launches laravel-echo-server (installed by scripts/peers/install-laravel-echo-server.sh into
 * .peers/) with its own Redis (Debian's redis-server), both on 127.0.0.1 and picked ports, and
 * publishes to Redis exactly as Laravel's RedisBroadcaster does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './soketi';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ECHO_SERVER_BIN = join(projectRoot, '.peers/laravel-echo-server/node_modules/laravel-echo-server/bin/server.js');

/** Laravel's default Redis key prefix for a database connection named `default` in an app named `laravel`. */
export const LARAVEL_REDIS_PREFIX = 'laravel_database_';

/** Null when laravel-echo-server and redis-server can run; otherwise why not. */
export function laravelEchoServerUnavailableReason(): string | null {
  if (!existsSync(ECHO_SERVER_BIN)) return `laravel-echo-server is not installed (${ECHO_SERVER_BIN} missing); run scripts/peers/install-laravel-echo-server.sh`;
  if (spawnSync('redis-server', ['--version']).error) return 'redis-server is not installed (apt-get install -y redis-server)';
  return null;
}

export interface LaravelEchoServer {
  host: string;
  port: number;
  redisPort: number;
  /** Publishes like Illuminate\Broadcasting\Broadcasters\RedisBroadcaster::broadcast. */
  broadcast(channel: string, event: string, payload: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen.slice(-500)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${seen.slice(-500)}`));
    });
  });
}

/** One RESP command over a fresh socket: enough for PUBLISH without a Redis client dependency. */
function redisCommand(port: number, args: string[]): Promise<string> {
  return new Promise((resolveReply, reject) => {
    const socket = connect(port, '127.0.0.1');
    const body = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
    socket.once('error', reject);
    socket.once('data', (reply) => {
      socket.end();
      resolveReply(reply.toString());
    });
    socket.write(body);
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

export async function startLaravelEchoServer(options: {
  authHost: string;
  authEndpoint?: string;
  /** API clients of its HTTP API (`laravel-echo-server client:add`): `GET /apps/{appId}/channels?auth_key={key}`. */
  clients?: Array<{ appId: string; key: string }>;
}): Promise<LaravelEchoServer> {
  const reason = laravelEchoServerUnavailableReason();
  if (reason) throw new Error(reason);
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
      authEndpoint: options.authEndpoint ?? '/broadcasting/auth',
      clients: options.clients ?? [],
      database: 'redis',
      databaseConfig: { redis: { host, port: String(redisPort), keyPrefix: LARAVEL_REDIS_PREFIX }, sqlite: { databasePath: join(dir, 'les.sqlite') } },
      devMode: true,
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
  const server = spawn(process.execPath, [ECHO_SERVER_BIN, 'start', `--dir=${dir}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitForOutput(server, /Server ready!/, 'laravel-echo-server');
  } catch (error) {
    await stop(redis);
    throw error;
  }
  return {
    host,
    port,
    redisPort,
    broadcast: async (channel, event, payload) => {
      const reply = await redisCommand(redisPort, ['PUBLISH', `${LARAVEL_REDIS_PREFIX}${channel}`, JSON.stringify({ event, data: payload, socket: null })]);
      if (!reply.startsWith(':')) throw new Error(`redis PUBLISH failed: ${reply}`);
    },
    close: async () => {
      await stop(server);
      await stop(redis);
    },
  };
}
