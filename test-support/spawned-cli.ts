/**
 * The real `echoscope` command in its own process (run from source with tsx, like the CLI's
 * spawned-binary tests), so a test can see what an uncaught exception does to it: the process
 * exits. Tests wait on its output lines, never on time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface SpawnedCli {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the first stdout line that parses as a JSON object (the `--json` ready line). */
  readyLine: Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  /** True while the process runs. */
  running(): boolean;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | string>;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnedCli {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.ELECTRON_RUN_AS_NODE;
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'electron/cli/index.ts'), ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let exitValue: number | string | null = null;
  let unterminated = '';
  const exited = new Promise<number | string>((resolve) => {
    // 'close', not 'exit': a process that printed megabytes exits before its last output is read.
    child.once('close', (code, signal) => {
      // A last line without its newline is output too.
      if (unterminated.length > 0) stdout.push(unterminated);
      unterminated = '';
      exitValue = code ?? signal ?? -1;
      resolve(exitValue);
    });
  });
  const readyLine = new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        stdout.push(line);
        try {
          const value: unknown = JSON.parse(line);
          if (typeof value === 'object' && value !== null && !Array.isArray(value)) resolve(value as Record<string, unknown>);
        } catch {
          /* not the ready line */
        }
      }
      unterminated = buffered;
    });
    void exited.then((code) => reject(new Error(`echoscope ${args.join(' ')} exited (${code}) before its ready line; stderr: ${stderr.join('')}`)));
  });
  readyLine.catch(() => undefined);
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  return {
    child,
    stdout,
    stderr,
    readyLine,
    exited,
    running: () => exitValue === null,
    stop: async () => {
      if (exitValue === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
