/**
 * Test support: runs the real `echoscope` binary (bin/echoscope.js → out/main/cli.js) as a user
 * would, and waits on what it prints. Not product code (STYLE 18).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(PROJECT_ROOT, 'bin', 'echoscope.js');
const BUILT = join(PROJECT_ROOT, 'out', 'main', 'cli.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const fresh = (): boolean => {
  const sources = Math.max(newestSource(join(PROJECT_ROOT, 'electron')), newestSource(join(PROJECT_ROOT, 'shared')));
  return existsSync(BUILT) && statSync(BUILT).mtimeMs >= sources;
};

/**
 * Builds the app when out/main/cli.js is missing or older than a source file, so the binary runs
 * this code (`npm test` builds first, so this is a no-op there). Test files run in parallel
 * processes: one builds, under a lock directory, and the others wait for it.
 */
export async function ensureCliBuilt(): Promise<void> {
  const lock = join(PROJECT_ROOT, 'out', '.test-build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    // While another test process builds, out/ may be half written: wait for its lock to go.
    if (!existsSync(lock)) {
      if (fresh()) return;
      mkdirSync(dirname(lock), { recursive: true });
      let owner = false;
      try {
        mkdirSync(lock);
        owner = true;
      } catch {
        // Another process took the lock first.
      }
      if (owner) {
        try {
          const build = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
            cwd: PROJECT_ROOT,
            encoding: 'utf8',
          });
          if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
          return;
        } finally {
          rmSync(lock, { recursive: true, force: true });
        }
      }
    }
    if (Date.now() > deadline) throw new Error(`another process held ${lock} for 2 minutes; remove it if no build is running`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when the process's output on `stream` matches (rejects if it exits or times out first). */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<void>;
  signal(signal: NodeJS.Signals): void;
  exited: Promise<CliExit>;
}

/** `node bin/echoscope.js ARGS…`, killed after `limitMs` whatever happens (the exit then has a signal). */
export function runEchoscope(args: string[], limitMs = 30_000): CliProcess {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  const watchers = new Set<() => void>();
  const changed = () => watchers.forEach((watcher) => watcher());
  child.stdout.on('data', (chunk: Buffer) => ((output.stdout += chunk.toString()), changed()));
  child.stderr.on('data', (chunk: Buffer) => ((output.stderr += chunk.toString()), changed()));
  const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const exited = new Promise<CliExit>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(limit);
      changed();
      resolve({ code, signal, ...output });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    get stdout() {
      return output.stdout;
    },
    get stderr() {
      return output.stderr;
    },
    waitFor(pattern, stream = 'stderr', timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${String(pattern)} on ${stream}; stderr so far:\n${output.stderr}`)), timeoutMs);
        const finish = (error?: Error) => {
          clearTimeout(timer);
          watchers.delete(check);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (pattern.test(output[stream])) finish();
          else if (done) finish(new Error(`echoscope exited before ${String(pattern)} appeared on ${stream}; stderr:\n${output.stderr}`));
        };
        watchers.add(check);
        check();
      });
    },
    signal: (signal) => child.kill(signal),
    exited,
  };
}
