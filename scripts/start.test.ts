import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm start` (scripts/start.js). Electron's binary cannot be downloaded on this machine, so
 * the launches below use a stand-in executable through ELECTRON_OVERRIDE_DIST_PATH (the variable
 * Electron's own launcher honours): a shell script playing an Electron that starts, or one that
 * dies at once. The fallback is the real `echoscope serve`.
 */

const root = process.cwd();
const built = existsSync(join(root, 'out', 'main', 'cli.js'));
if (!built) console.log('[start] fallback tests skipped: run "npm run build" first (the fallback is the built echoscope serve)');

function fakeElectron(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'echoscope-fake-electron-'));
  const binary = join(dir, 'electron');
  writeFileSync(binary, `#!/bin/sh\n${script}\n`);
  chmodSync(binary, 0o755);
  return dir;
}

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs `node scripts/start.js ARGS` until `done(output)` says enough (then stops it) or it exits. */
function start(env: NodeJS.ProcessEnv, args: string[], done: (run: Run) => boolean = () => false): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.DISPLAY;
  delete base.WAYLAND_DISPLAY;
  delete base.ECHOSCOPE_DATA_DIR;
  const child = spawn(process.execPath, [join(root, 'scripts', 'start.js'), ...args], {
    env: { ...base, ECHOSCOPE_DATA_DIR: mkdtempSync(join(tmpdir(), 'echoscope-start-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { stdout: '', stderr: '', code: null };
  return new Promise((resolve) => {
    const check = () => {
      if (done(run)) child.kill('SIGTERM');
    };
    child.stdout.on('data', (chunk: Buffer) => ((run.stdout += chunk.toString()), check()));
    child.stderr.on('data', (chunk: Buffer) => ((run.stderr += chunk.toString()), check()));
    child.on('exit', (code) => resolve({ ...run, code }));
  });
}

const listening = (run: Run) => run.stdout.includes('"event":"listening"');

describe('npm start', () => {
  it('launches Electron with the app folder and its arguments, its output streamed as it comes, and leaves with its exit code', async () => {
    const dir = fakeElectron('echo "electron started with: $@"; exit 0');
    const run = await start({ ELECTRON_OVERRIDE_DIST_PATH: dir, DISPLAY: ':99' }, ['--inspect-nothing']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`electron started with: ${root} --inspect-nothing`);
    expect(run.stderr).not.toContain('Falling back');
  });

  it.skipIf(!built)(
    'falls back to the browser dashboard, saying why, when Electron dies at start',
    async () => {
      const dir = fakeElectron('echo "libgtk-3.so.0: cannot open shared object file" >&2; exit 127');
      const run = await start({ ELECTRON_OVERRIDE_DIST_PATH: dir, DISPLAY: ':99' }, ['--port', '0', '--json', '--no-demo'], listening);
      expect(run.stderr).toContain('libgtk-3.so.0');
      expect(run.stderr).toContain('the desktop app cannot start here: Electron exited at start with code 127');
      expect(listening(run)).toBe(true);
    },
    30_000,
  );

  it.skipIf(!built)(
    'falls back without a display, and without a binary it does not fetch one when told to skip the download',
    async () => {
      const noDisplay = await start({ ELECTRON_OVERRIDE_DIST_PATH: fakeElectron('exit 0') }, ['--port', '0', '--json', '--no-demo'], listening);
      expect(noDisplay.stderr).toContain('no display (neither DISPLAY nor WAYLAND_DISPLAY is set)');
      expect(listening(noDisplay)).toBe(true);

      const noBinary = await start({ ELECTRON_OVERRIDE_DIST_PATH: '', ELECTRON_SKIP_BINARY_DOWNLOAD: '1', DISPLAY: ':99' }, ['--port', '0', '--json', '--no-demo'], listening);
      if (existsSync(join(root, 'node_modules', 'electron', 'path.txt'))) return; // a machine with the binary launches it instead
      expect(noBinary.stderr).toContain("Electron's binary was never downloaded");
      expect(noBinary.stderr).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it is not fetched now');
      expect(listening(noBinary)).toBe(true);
    },
    30_000,
  );
});
