import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test as base } from '@playwright/test';

export interface ServedApp {
  /** Dashboard URL (headless host). */
  url: string;
  /** Embedded mock provider (HTTP API + WebSocket), when the demo runs. */
  mockUrl: string | null;
  dataDir: string;
}

const cli = join(process.cwd(), 'bin', 'echoscope.js');

/** Starts `echoscope serve --json` on free ports with its own data folder; resolves on its ready line. */
export async function startServe(args: string[] = []): Promise<{ app: ServedApp; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'echoscope-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ECHOSCOPE_DATA_DIR: dataDir };
  delete env.ELECTRON_RUN_AS_NODE;
  const child: ChildProcess = spawn(process.execPath, [cli, 'serve', '--json', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const app = await new Promise<ServedApp>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const ready = JSON.parse(line) as { event?: string; url?: string; mock?: string | null };
        if (ready.event === 'listening' && ready.url) resolve({ url: ready.url, mockUrl: ready.mock ?? null, dataDir });
      } catch {
        /* not the ready line */
      }
    });
    child.once('exit', (code) => reject(new Error(`echoscope serve exited with ${code}: ${stderr}`)));
  });
  return {
    app,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const test = base.extend<{ served: ServedApp }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as the first argument
  served: async ({}, use) => {
    const server = await startServe();
    await use(server.app);
    await server.stop();
  },
});

export { expect } from '@playwright/test';
