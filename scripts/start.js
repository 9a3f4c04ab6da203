#!/usr/bin/env node
// `npm start`: the desktop app; where Electron cannot start, say why and serve the dashboard to a browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
/** Electron that exits with an error this soon after launch could not start (missing libraries, no GPU/display access). */
const STARTUP_MS = 10_000;
/** The longest Electron's own installer may take to fetch its binary. */
const INSTALL_MS = 5 * 60_000;

function electronPackage() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** Where Electron's binary is, or why there is none. ELECTRON_OVERRIDE_DIST_PATH is honoured as Electron's own launcher does. */
function electronBinary() {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const binary = join(override, process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
    return existsSync(binary) ? { ok: true, binary } : { ok: false, why: `ELECTRON_OVERRIDE_DIST_PATH is set but ${binary} does not exist` };
  }
  const pkgDir = electronPackage();
  if (!pkgDir) return { ok: false, why: 'the electron package is not installed (run npm install)' };
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return { ok: false, why: `Electron's binary was never downloaded (no ${pathFile})` };
  const binary = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { ok: false, why: `Electron's binary is missing at ${binary}` };
  return { ok: true, binary };
}

/** Runs Electron's own installer once (npm install runs it too; it may have been skipped or failed). */
function installElectron(why) {
  const pkgDir = electronPackage();
  if (!pkgDir || process.env.ELECTRON_OVERRIDE_DIST_PATH) return why;
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return `${why}; ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it is not fetched now`;
  process.stderr.write(`EchoScope: ${why}. Fetching it with Electron's installer (node node_modules/electron/install.js)…\n`);
  const result = spawnSync(process.execPath, [join(pkgDir, 'install.js')], { cwd: pkgDir, stdio: 'inherit', timeout: INSTALL_MS });
  const again = electronBinary();
  if (again.ok) return null;
  const how = result.error ? result.error.message : result.signal ? `stopped by ${result.signal}` : `exit code ${result.status}`;
  return `${why}, and Electron's installer could not fetch it (${how}: it downloads from GitHub, which must be reachable)`;
}

function canDisplay() {
  if (process.platform !== 'linux') return { ok: true };
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return { ok: true };
  return { ok: false, why: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
}

/** Forwards Ctrl-C and termination to the child, and leaves with its exit code (or hands an early failure on). */
function follow(child, onEarlyFailure) {
  const started = Date.now();
  let settled = false;
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, forward);
  const failEarly = (why) => {
    settled = true;
    for (const signal of ['SIGINT', 'SIGTERM']) process.off(signal, forward);
    onEarlyFailure(why);
  };
  child.on('error', (error) => {
    if (settled) return;
    if (onEarlyFailure) failEarly(`Electron could not be launched (${error.message})`);
    else process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (settled) return;
    if (onEarlyFailure && code !== 0 && code !== null && Date.now() - started < STARTUP_MS)
      return failEarly(`Electron exited at start with code ${code} (its own output is above)`);
    settled = true;
    process.exit(code ?? (signal ? 1 : 0));
  });
}

function fallback(why) {
  process.stderr.write(`EchoScope: the desktop app cannot start here: ${why}.\nFalling back to the browser dashboard (echoscope serve --demo).\n`);
  const child = spawn(process.execPath, [join(root, 'bin', 'echoscope.js'), 'serve', '--demo', ...process.argv.slice(2)], { stdio: 'inherit' });
  follow(child);
}

let electron = electronBinary();
if (!electron.ok) {
  const failed = installElectron(electron.why);
  if (failed === null) electron = electronBinary();
  else electron = { ok: false, why: failed };
}
const display = canDisplay();
if (!electron.ok) fallback(electron.why);
else if (!display.ok) fallback(display.why);
else {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  // Electron's output goes straight to this terminal, as it comes; npm start waits without blocking on it.
  const child = spawn(electron.binary, [root, ...process.argv.slice(2)], { stdio: 'inherit', env });
  follow(child, (why) => fallback(why));
}
