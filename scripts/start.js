#!/usr/bin/env node
// `npm start`: the desktop app; where Electron cannot start, say why and serve the dashboard to a browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { ok: false, why: 'the electron package is not installed (run npm install)' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { ok: false, why: `Electron's binary was never downloaded (no ${pathFile}); npm install runs with ignore-scripts, fetch it with "node node_modules/electron/install.js" where github.com is reachable` };
  }
  const binary = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { ok: false, why: `Electron's binary is missing at ${binary}` };
  return { ok: true, binary };
}

function canDisplay() {
  if (process.platform !== 'linux') return { ok: true };
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return { ok: true };
  return { ok: false, why: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
}

function fallback(why) {
  process.stderr.write(`EchoScope: the desktop app cannot start here: ${why}.\nFalling back to the browser dashboard (echoscope serve --demo).\n`);
  const child = spawn(process.execPath, [join(root, 'bin', 'echoscope.js'), 'serve', '--demo', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

const electron = electronBinary();
const display = canDisplay();
if (!electron.ok) fallback(electron.why);
else if (!display.ok) fallback(display.why);
else {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const started = Date.now();
  const result = spawnSync(electron.binary, [root, ...process.argv.slice(2)], { stdio: ['inherit', 'inherit', 'pipe'], env });
  const stderr = result.stderr?.toString() ?? '';
  process.stderr.write(stderr);
  // Electron that dies at once (missing shared libraries, no GPU/display access) falls back too.
  if ((result.status !== 0 || result.error) && Date.now() - started < 10_000) {
    fallback(`Electron exited at start (${result.error?.message ?? `code ${result.status}`}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''})`);
  } else {
    process.exit(result.status ?? 0);
  }
}
