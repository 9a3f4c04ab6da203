#!/usr/bin/env node
// `npm run package`: desktop packages with electron-builder. It is not a dependency of the project:
// its own dependencies need Node >= 22.12, while the app, its tests and its CLI run on Node >= 20.19
// (package.json `engines`). So this checks what packaging needs, says what is missing, and then runs
// the pinned electron-builder through npm exec.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The electron-builder release the packaging config (electron-builder.yml: fuses, asar, icons) is written for. */
export const ELECTRON_BUILDER = 'electron-builder@26.17.0';
export const PACKAGING_NODE = [22, 12];

/** Why packaging cannot run on this Node, or undefined when it can. */
export function nodeTooOld(version = process.versions.node) {
  const [major, minor] = version.split('.').map(Number);
  const [needMajor, needMinor] = PACKAGING_NODE;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `packaging needs Node >= ${needMajor}.${needMinor} (electron-builder's dependencies); this is Node ${version}. The app, its tests and its CLI run on this Node; use Node ${needMajor}.${needMinor}+ to build packages.`;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) {
    process.stderr.write(`npm run package: could not run ${command}: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const why = nodeTooOld();
  if (why) {
    process.stderr.write(`npm run package: ${why}\n`);
    process.exit(1);
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  run(npm, ['run', 'build']);
  run(npm, ['exec', '--yes', `--package=${ELECTRON_BUILDER}`, '--', 'electron-builder', '--config', 'electron-builder.yml', ...process.argv.slice(2)]);
}
