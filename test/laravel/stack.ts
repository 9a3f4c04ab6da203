/**
 * The seed's own stack, started for a test and stopped by process id: Redis and laravel-echo-server
 * (test-support/peers), the Laravel fixture app (test/laravel-app) served by `php -S`, N
 * `php artisan queue:work` workers (a dead one is restarted, as supervisor would), and the ground
 * truth read from the PHP side only: the broadcaster's publish-order log, a PSUBSCRIBE sniffer of
 * what went on the wire, the queue's attempt/failure events, the ai_generations and failed_jobs rows.
 * Everything on 127.0.0.1, on free ports. Installs nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  laravelEchoServerUnavailableReason,
  LARAVEL_REDIS_PREFIX,
  startLaravelEchoServer,
  stopProcess as stop,
  waitForOutput,
  type LaravelEchoServer,
} from '../../test-support/peers/laravel-echo-server';
import { freePort } from '../../test-support/peers/soketi';
import { RedisClient } from '../../test-support/peers/resp';

export const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../laravel-app');
export const QA_TOKEN = 'qa-token';
/** An API client of laravel-echo-server's config (`laravel-echo-server client:add`): what discovery authenticates with. */
export const LES_CLIENT = { appId: 'echoscope', key: 'les-api-key' };

/** Null when the stack can run here; otherwise why not (the tests then skip and print it). */
export function laravelUnavailableReason(): string | null {
  const php = spawnSync('php', ['-r', 'echo implode(",", get_loaded_extensions());']);
  if (php.error || php.status !== 0) return 'php is not installed (apt-get install -y php-cli php-laravel-framework php-redis php-sqlite3 php-mbstring)';
  const extensions = php.stdout.toString().toLowerCase().split(',');
  for (const [extension, pkg] of [
    ['redis', 'php-redis'],
    ['pdo_sqlite', 'php-sqlite3'],
    ['mbstring', 'php-mbstring'],
    ['posix', 'php-cli'],
    ['pcntl', 'php-cli'],
  ] as const) {
    if (!extensions.includes(extension)) return `the PHP extension ${extension} is missing (apt-get install -y ${pkg})`;
  }
  if (!existsSync('/usr/share/php/Illuminate/Foundation/Application.php')) return "Debian's Laravel framework is not installed (apt-get install -y php-laravel-framework)";
  return laravelEchoServerUnavailableReason();
}

/** The contract's payload as the job broadcasts it (Laravel 8 adds `socket`). */
export interface ChunkPayload {
  session_id: string;
  chunk: string;
  sequence: number;
  state: string;
  termination_code: string | null;
}

/** One broadcast, from the app's publish-order log (atomic with its PUBLISH). */
export interface Broadcast {
  channel: string;
  /** Redis server time of the publish, epoch ms. */
  at: number;
  pid: number;
  event: string;
  data: ChunkPayload;
}

/** One line of the queue's own events (App\Providers\AppServiceProvider::logQueueEvents). */
export interface QueueEvent {
  event: 'processing' | 'processed' | 'exception' | 'failed';
  session_id: string;
  attempt: number;
  job_id: string;
  pid: number;
  at: number;
  exception: string | null;
}

export interface PlanSession {
  session_id: string;
  tokens: number;
  stop_reason?: 'end_turn' | 'max_tokens' | 'stop_sequence';
  stop_sequence?: string;
  token_ms?: number;
  tries?: number;
  backoff?: number[];
  /** Publish from the job itself (ShouldBroadcastNow's way) instead of a queued broadcast job. */
  broadcast_now?: boolean;
  faults?: Array<{ kind: 'exception' | 'sigkill' | 'stall' | 'hold'; attempt?: number; after: number; ms?: number }>;
}

export interface StackOptions {
  workers?: number;
  /** The redis queue's `retry_after`, seconds: when a job whose worker died is handed out again. */
  retryAfterSeconds?: number;
  /** Broadcast jobs on their own queue, handled by one more worker of their own (the seed: the default queue). */
  broadcastQueue?: string;
}

interface Worker {
  child: ChildProcess;
  output: string;
}

export interface LaravelStack {
  appUrl: string;
  /** This run's scratch folder (storage, database, plans); removed on close. */
  dir: string;
  les: LaravelEchoServer;
  /** Worker deaths seen (pid, signal), in order: a SIGKILLed worker is restarted. */
  deaths: Array<{ pid: number; signal: NodeJS.Signals | null; code: number | null }>;
  /** What went on the wire (PSUBSCRIBE on laravel-echo-server's Redis), in arrival order, `chunk.delivered` only. */
  sniffed: Broadcast[];
  dispatch(sessions: PlanSession[]): Promise<void>;
  /** The broadcaster's log, in publish order. */
  published(sessionId?: string): Promise<Broadcast[]>;
  queueEvents(sessionId?: string): QueueEvent[];
  generation(sessionId: string): Promise<Record<string, unknown>>;
  failedJobs(): Array<{ uuid: string; payload: string; exception: string }>;
  /** Ends a `hold` fault: the provider of that session resumes. */
  release(sessionId: string): Promise<void>;
  /** No job waiting, reserved or delayed on the queue. */
  queueDrained(): Promise<boolean>;
  /** The workers' last output and the queue's events, for a failing test's report. */
  diagnostics(): string;
  close(): Promise<void>;
}

/** Polls `check` (a record, a row, a log) until it holds; rejects after `timeoutMs` with `what` and the last state. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${describe() ? `: ${describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, what: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: APP_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolveRun(output);
      else reject(new Error(`${what} failed (${code ?? signal}): ${output.slice(-1500)}`));
    });
  });
}

/** `<channel> <s> <µs> <pid> <payload>` → a Broadcast (the prefix stripped as laravel-echo-server does). */
function parseLogged(line: string): Broadcast {
  const [channel, seconds, micros, pid] = line.split(' ', 4) as [string, string, string, string];
  const payload = line.slice(channel.length + seconds.length + micros.length + pid.length + 4);
  const message = JSON.parse(payload) as { event: string; data: ChunkPayload };
  return { channel: channel.slice(LARAVEL_REDIS_PREFIX.length), at: Number(seconds) * 1000 + Number(micros) / 1000, pid: Number(pid), event: message.event, data: message.data };
}

export async function startLaravelStack(options: StackOptions = {}): Promise<LaravelStack> {
  const host = '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'echoscope-laravel-'));
  for (const sub of ['storage/logs', 'storage/framework/cache', 'storage/framework/views', 'storage/framework/sessions']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'database.sqlite'), '');
  const phpPort = await freePort(host);
  const appUrl = `http://${host}:${phpPort}`;
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  const closeAll = async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  };
  try {
    // laravel-echo-server asks the app (authHost) to authorize each private channel subscription.
    const les = await startLaravelEchoServer({ authHost: appUrl, clients: [LES_CLIENT], devMode: false });
    cleanups.push(() => les.close());
    const queueLog = join(dir, 'queue-events.ndjson');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      APP_NAME: 'laravel',
      APP_ENV: 'testing',
      APP_STORAGE_PATH: join(dir, 'storage'),
      APP_SERVICES_CACHE: join(dir, 'services.php'),
      APP_PACKAGES_CACHE: join(dir, 'packages.php'),
      APP_CONFIG_CACHE: join(dir, 'config.php'),
      APP_ROUTES_CACHE: join(dir, 'routes.php'),
      APP_EVENTS_CACHE: join(dir, 'events.php'),
      DB_DATABASE: join(dir, 'database.sqlite'),
      REDIS_HOST: host,
      REDIS_PORT: String(les.redisPort),
      BROADCAST_DRIVER: 'redis',
      QUEUE_CONNECTION: 'redis',
      QUEUE_RETRY_AFTER: String(options.retryAfterSeconds ?? 90),
      QUEUE_EVENTS_LOG: queueLog,
      QA_TOKEN,
      ...(options.broadcastQueue ? { AI_BROADCAST_QUEUE: options.broadcastQueue } : {}),
    };
    await run('php', ['artisan', 'migrate', '--force'], env, 'artisan migrate');

    const server = spawn('php', ['-S', `${host}:${phpPort}`, '-t', 'public'], { cwd: APP_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => stop(server));
    await waitForOutput(server, /Development Server .* started/, 'php -S');
    server.stdout.resume();
    server.stderr.resume();
    // HTTP readiness: the app answers an unauthenticated record request with 401.
    await waitFor('the app to answer HTTP', async () => (await fetch(`${appUrl}/api/generations/none`).catch(() => null))?.status === 401, 10_000);

    const redis = await RedisClient.connect(les.redisPort);
    cleanups.push(() => redis.close());
    const sniffer = await RedisClient.connect(les.redisPort);
    cleanups.push(() => sniffer.close());
    const sniffed: Broadcast[] = [];
    await sniffer.psubscribe(`${LARAVEL_REDIS_PREFIX}*`, (channel, message) => {
      const parsed = JSON.parse(message) as { event: string; data: ChunkPayload };
      if (parsed.event !== 'chunk.delivered') return;
      sniffed.push({ channel: channel.slice(LARAVEL_REDIS_PREFIX.length), at: Date.now(), pid: 0, event: parsed.event, data: parsed.data });
    });

    const deaths: LaravelStack['deaths'] = [];
    const workers: Worker[] = [];
    let closing = false;
    const startWorker = (slot: number, queue: string) => {
      const child = spawn('php', ['artisan', 'queue:work', 'redis', `--queue=${queue}`, '--sleep=0.05', '--timeout=60'], { cwd: APP_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const worker: Worker = { child, output: '' };
      const keep = (c: Buffer) => (worker.output = (worker.output + c.toString()).slice(-4000));
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.once('exit', (code, signal) => {
        if (closing) return;
        deaths.push({ pid: child.pid ?? 0, signal, code });
        startWorker(slot, queue);
      });
      workers[slot] = worker;
    };
    for (let slot = 0; slot < (options.workers ?? 2); slot++) startWorker(slot, 'default');
    if (options.broadcastQueue) startWorker(options.workers ?? 2, options.broadcastQueue);
    cleanups.push(async () => {
      closing = true;
      await Promise.all(workers.map((w) => stop(w.child)));
    });

    const list = async (key: string, kind: 'LLEN' | 'ZCARD') => Number(await redis.command(kind, `${LARAVEL_REDIS_PREFIX}${key}`));
    return {
      appUrl,
      dir,
      les,
      deaths,
      sniffed,
      async dispatch(sessions) {
        const file = join(dir, `plan-${Date.now()}.json`);
        writeFileSync(file, JSON.stringify({ sessions }));
        await run('php', ['artisan', 'ai:dispatch-plan', file], env, 'artisan ai:dispatch-plan');
      },
      async published(sessionId) {
        const lines = (await redis.command('LRANGE', 'echoscope:published', 0, -1)) as string[];
        const all = lines.map(parseLogged);
        return sessionId === undefined ? all : all.filter((b) => b.data.session_id === sessionId);
      },
      queueEvents(sessionId) {
        if (!existsSync(queueLog)) return [];
        const events = readFileSync(queueLog, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as QueueEvent);
        return sessionId === undefined ? events : events.filter((e) => e.session_id === sessionId);
      },
      async generation(sessionId) {
        const response = await fetch(`${appUrl}/api/generations/${sessionId}`, { headers: { Authorization: `Bearer ${QA_TOKEN}` } });
        if (!response.ok) throw new Error(`GET /api/generations/${sessionId}: ${response.status}`);
        return ((await response.json()) as { data: Record<string, unknown> }).data;
      },
      failedJobs() {
        const script = `$db = new PDO('sqlite:'.getenv('DB_DATABASE')); echo json_encode($db->query('select uuid, payload, exception from failed_jobs order by id')->fetchAll(PDO::FETCH_ASSOC));`;
        const out = spawnSync('php', ['-r', script], { env, encoding: 'utf8' });
        if (out.status !== 0) throw new Error(`failed_jobs: ${out.stderr}`);
        return JSON.parse(out.stdout) as Array<{ uuid: string; payload: string; exception: string }>;
      },
      async release(sessionId) {
        await redis.command('SET', `${LARAVEL_REDIS_PREFIX}echoscope:release:${sessionId}`, '1');
      },
      async queueDrained() {
        for (const queue of ['default', ...(options.broadcastQueue ? [options.broadcastQueue] : [])]) {
          if ((await list(`queues:${queue}`, 'LLEN')) > 0 || (await list(`queues:${queue}:reserved`, 'ZCARD')) > 0 || (await list(`queues:${queue}:delayed`, 'ZCARD')) > 0)
            return false;
        }
        return true;
      },
      diagnostics() {
        const events = existsSync(queueLog) ? readFileSync(queueLog, 'utf8') : '(no queue events)';
        return [
          ...workers.map((w, i) => `worker ${i} (pid ${w.child.pid}):\n${w.output.slice(-1500)}`),
          `deaths: ${JSON.stringify(deaths)}`,
          `queue events:\n${events.slice(-3000)}`,
        ].join('\n');
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
