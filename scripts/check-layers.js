#!/usr/bin/env node
// Proves the layering of DESIGN §3 is enforced by the build: each forbidden import below is
// written into its folder for a moment, and both the folder's tsc project and eslint must reject it.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const cases = [
  { what: 'renderer imports node:fs', dir: 'renderer/src', project: 'renderer', file: '__layer_probe__.ts', code: "import { readFileSync } from 'node:fs';\nexport const probe = readFileSync;\n", tsc: /node:fs/, lint: true },
  { what: 'renderer imports electron', dir: 'renderer/src', project: 'renderer', file: '__layer_probe__.ts', code: "import { ipcRenderer } from 'electron';\nexport const probe = ipcRenderer;\n", tsc: /electron/, lint: true },
  { what: 'shared uses a DOM global', dir: 'shared', project: 'shared', file: '__layer_probe__.ts', code: 'export const probe = document.title;\n', tsc: /Cannot find name 'document'/, lint: false },
  { what: 'shared imports node:crypto', dir: 'shared', project: 'shared', file: '__layer_probe__.ts', code: "import { createHash } from 'node:crypto';\nexport const probe = createHash;\n", tsc: /node:crypto/, lint: true },
  { what: 'core imports electron', dir: 'electron/core', project: 'electron/core', file: '__layer_probe__.ts', code: "import { app } from 'electron';\nexport const probe = app;\n", tsc: /electron/, lint: true },
  { what: 'mock imports electron', dir: 'electron/mock', project: 'electron/mock', file: '__layer_probe__.ts', code: "import { app } from 'electron';\nexport const probe = app;\n", tsc: /electron/, lint: true },
  { what: 'cli uses a DOM global', dir: 'electron/cli', project: 'electron/cli', file: '__layer_probe__.ts', code: 'export const probe = window.location;\n', tsc: /Cannot find name 'window'/, lint: false },
];

let failures = 0;
for (const probe of cases) {
  const path = join(root, probe.dir, probe.file);
  writeFileSync(path, probe.code);
  try {
    const tsc = spawnSync(bin('tsc'), ['-b', probe.project, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
    const tscOut = `${tsc.stdout}${tsc.stderr}`;
    const tscRejects = tsc.status !== 0 && tscOut.includes(probe.file) && probe.tsc.test(tscOut);
    let lintRejects = true;
    if (probe.lint) {
      const lint = spawnSync(bin('eslint'), ['--no-warn-ignored', join(probe.dir, probe.file)], { cwd: root, encoding: 'utf8' });
      lintRejects = lint.status !== 0 && /no-restricted-imports/.test(lint.stdout);
    }
    const ok = tscRejects && lintRejects;
    if (!ok) failures += 1;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${probe.what}: tsc ${tscRejects ? 'rejects' : 'ACCEPTS'}${probe.lint ? `, eslint ${lintRejects ? 'rejects' : 'ACCEPTS'}` : ''}\n`);
    if (!tscRejects) process.stdout.write(tscOut.split('\n').slice(0, 5).join('\n') + '\n');
  } finally {
    rmSync(path, { force: true });
  }
}
// Leave the incremental build state clean after the probes.
spawnSync(bin('tsc'), ['-b'], { cwd: root, stdio: 'ignore' });
if (failures > 0) {
  process.stderr.write(`layering check: ${failures} forbidden import(s) were accepted by the build\n`);
  process.exit(1);
}
process.stdout.write('layering check: every forbidden import is rejected by the build\n');
