#!/usr/bin/env node
// Proves the layering of DESIGN §3 is enforced by the build. Each probe below is a small file
// written into a folder for a moment; the tool that enforces the rule must reject it:
// dependency-cruiser (the allowlist in .dependency-cruiser.cjs, `npm run lint:deps`) for imports,
// the folder's tsc project (its own lib/types, `electron` mapped to a stub) for globals and, as a
// second guard, for Node and Electron imports. A few probes are ALLOWED imports that must be
// accepted, so the rules are shown to tell right from wrong rather than reject everything.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const value = (specifier, name = 'mod') => `import * as ${name} from '${specifier}';\nexport const probe = ${name};\n`;
const named = (specifier, name) => `import { ${name} } from '${specifier}';\nexport const probe = ${name};\n`;
const typeOnly = (specifier, name) => `import type { ${name} } from '${specifier}';\nexport type Probe = ${name};\n`;

/**
 * what: the rule in words; dir: where the probe is written; code: its text.
 * depcruise: the import (as resolved) the allowlist must reject — or `accept: true`.
 * tsc: the project that must reject it and the message it must give.
 * test: write it as a `*.test.ts` (the tests' rule set).
 */
const probes = [
  // shared: only shared, zod (and dexie in shared/journal)
  { what: 'shared imports ws', dir: 'shared', code: value('ws'), depcruise: /node_modules\/ws\// },
  { what: 'shared imports a type from ws (type-only imports count)', dir: 'shared', code: typeOnly('ws', 'WebSocket'), depcruise: /node_modules\/ws\// },
  { what: 'shared imports pusher-js', dir: 'shared', code: value('pusher-js'), depcruise: /node_modules\/pusher-js\// },
  {
    what: 'shared imports node:crypto',
    dir: 'shared',
    code: named('node:crypto', 'createHash'),
    depcruise: /^(node:)?crypto$/,
    tsc: { project: 'shared', message: /Cannot find (module|name) 'node:crypto'/ },
  },
  { what: 'shared imports node:fs', dir: 'shared', code: value('node:fs'), depcruise: /^(node:)?fs$/ },
  { what: 'shared imports electron/core', dir: 'shared', code: value('../electron/core/clock'), depcruise: /^electron\/core\/clock\.ts$/ },
  { what: 'shared imports electron', dir: 'shared', code: value('electron'), depcruise: /node_modules\/electron\// },
  { what: 'shared outside the journal imports dexie', dir: 'shared/analysis', code: value('dexie'), depcruise: /node_modules\/dexie\// },
  { what: 'shared uses a DOM global', dir: 'shared', code: 'export const probe = document.title;\n', tsc: { project: 'shared', message: /Cannot find name 'document'/ } },
  // preload: electron and the import-free channel modules only
  { what: 'preload imports node:fs', dir: 'electron/preload', code: value('node:fs'), depcruise: /^(node:)?fs$/ },
  { what: 'preload imports the shared/api index (zod rides along)', dir: 'electron/preload', code: value('../../shared/api'), depcruise: /^shared\/api\/index\.ts$/ },
  { what: 'preload imports electron/core', dir: 'electron/preload', code: value('../core/clock'), depcruise: /^electron\/core\/clock\.ts$/ },
  // core, mock, cli: Node, never electron; packages only where they belong
  {
    what: 'core imports electron',
    dir: 'electron/core',
    code: named('electron', 'app'),
    depcruise: /node_modules\/electron\//,
    tsc: { project: 'electron/core', message: /has no exported member 'app'/ },
  },
  {
    what: 'mock imports electron',
    dir: 'electron/mock',
    code: named('electron', 'app'),
    depcruise: /node_modules\/electron\//,
    tsc: { project: 'electron/mock', message: /has no exported member 'app'/ },
  },
  { what: 'cli imports electron', dir: 'electron/cli', code: value('electron'), depcruise: /node_modules\/electron\// },
  { what: 'core imports react', dir: 'electron/core', code: value('react'), depcruise: /node_modules\/react\// },
  { what: 'the hub imports dexie', dir: 'electron/core/hub', code: value('dexie'), depcruise: /node_modules\/dexie\// },
  { what: 'the hub imports ws (only the host serves sockets)', dir: 'electron/core/hub', code: value('ws'), depcruise: /node_modules\/ws\// },
  {
    what: 'the monitor imports prom-client (only the metrics module renders Prometheus text)',
    dir: 'electron/core/monitor',
    code: value('prom-client'),
    depcruise: /node_modules\/prom-client\//,
  },
  { what: 'the hub imports ioredis (only the taps read Redis)', dir: 'electron/core/hub', code: value('ioredis'), depcruise: /node_modules\/ioredis\// },
  { what: 'shared imports ioredis', dir: 'shared', code: value('ioredis'), depcruise: /node_modules\/ioredis\// },
  {
    what: 'the mock imports ioredis outside its link to the fleet (only electron/mock/scaling.ts)',
    dir: 'electron/mock',
    code: value('ioredis'),
    depcruise: /node_modules\/ioredis\//,
  },
  {
    what: 'the cli imports the OpenTelemetry SDK (only the metrics module pushes OTLP)',
    dir: 'electron/cli',
    code: value('@opentelemetry/sdk-metrics'),
    depcruise: /node_modules\/@opentelemetry\/sdk-metrics\//,
  },
  { what: 'the mock imports pusher-js (only the hub is a client)', dir: 'electron/mock', code: value('pusher-js'), depcruise: /node_modules\/pusher-js\// },
  { what: 'core imports the renderer', dir: 'electron/core', code: value('../../renderer/src/app/route'), depcruise: /^renderer\/src\/app\/route\.ts$/ },
  { what: 'cli uses a DOM global', dir: 'electron/cli', code: 'export const probe = window.location;\n', tsc: { project: 'electron/cli', message: /Cannot find name 'window'/ } },
  // renderer: React UI, no Node, no electron; the journal window is not React
  {
    what: 'renderer imports node:fs',
    dir: 'renderer/src',
    code: named('node:fs', 'readFileSync'),
    depcruise: /^(node:)?fs$/,
    tsc: { project: 'renderer', message: /Cannot find (module|name) 'node:fs'/ },
  },
  { what: 'renderer imports node:crypto', dir: 'renderer/src', code: value('node:crypto'), depcruise: /^(node:)?crypto$/ },
  {
    what: 'renderer imports electron',
    dir: 'renderer/src',
    code: named('electron', 'ipcRenderer'),
    depcruise: /node_modules\/electron\//,
    tsc: { project: 'renderer', message: /has no exported member 'ipcRenderer'/ },
  },
  { what: 'renderer imports pusher-js', dir: 'renderer/src', code: value('pusher-js'), depcruise: /node_modules\/pusher-js\// },
  { what: 'renderer imports electron/core', dir: 'renderer/src', code: value('../../electron/core/clock'), depcruise: /^electron\/core\/clock\.ts$/ },
  { what: 'the main window reaches dexie (through the journal store)', dir: 'renderer/src', code: value('../../shared/journal/store'), depcruise: /node_modules\/dexie\// },
  { what: 'the journal window imports react', dir: 'renderer/src/journal', code: value('react'), depcruise: /node_modules\/react\// },
  {
    what: 'the journal window reaches the metrics library through core (its engine must stay portable)',
    dir: 'renderer/src/journal',
    code: value('../../../electron/core/metrics/recorder'),
    depcruise: /node_modules\/prom-client\//,
  },
  { what: 'the journal window hosts the engine (engine-host.ts)', dir: 'renderer/src/journal', code: value('../../../electron/core/engine/engine-host'), accept: true },
  // playwright: the fixture runs in the user's Playwright, plain Node — never electron, never the hub
  {
    what: 'the Playwright fixture imports electron',
    dir: 'playwright',
    code: named('electron', 'app'),
    depcruise: /node_modules\/electron\//,
    tsc: { project: 'playwright', message: /has no exported member 'app'/ },
  },
  {
    what: 'the Playwright fixture imports the hub (pusher-js, laravel-echo ride along)',
    dir: 'playwright',
    code: value('../electron/core/hub'),
    depcruise: /^electron\/core\/hub\/index\.ts$/,
  },
  { what: 'the Playwright fixture reaches Electron main', dir: 'playwright', code: value('../electron/main/window'), depcruise: /^electron\/main\/window\.ts$/ },
  // tests: their own rule set
  { what: 'a test imports electron (test-support/electron-double stands in)', dir: 'electron/core', test: true, code: value('electron'), depcruise: /node_modules\/electron\// },
  // allowed imports: the rules must accept these
  { what: 'ALLOWED shared imports zod', dir: 'shared', code: value('zod'), accept: true },
  { what: 'ALLOWED the metrics module imports prom-client', dir: 'electron/core/metrics', code: value('prom-client'), accept: true },
  { what: 'ALLOWED the metrics module imports the OTLP exporter', dir: 'electron/core/metrics', code: value('@opentelemetry/exporter-metrics-otlp-proto'), accept: true },
  { what: 'ALLOWED the taps import ioredis', dir: 'electron/core/taps', code: value('ioredis'), accept: true },
  {
    what: 'ALLOWED the hub imports pusher-js and laravel-echo',
    dir: 'electron/core/hub',
    code: value('pusher-js', 'a') + value('laravel-echo', 'b').replace('probe =', 'probe2 ='),
    accept: true,
  },
  {
    what: "ALLOWED the Playwright fixture imports @playwright/test, the mock and core's scenario loader",
    dir: 'playwright',
    code:
      value('@playwright/test', 'a') + value('../electron/mock', 'b').replace('probe =', 'probe2 =') + value('../electron/core/scenarios/load', 'c').replace('probe =', 'probe3 ='),
    accept: true,
  },
  {
    what: 'ALLOWED preload imports electron and the channel names',
    dir: 'electron/preload',
    code: value('electron', 'a') + value('../../shared/api/channels', 'b').replace('probe =', 'probe2 ='),
    accept: true,
  },
  {
    what: 'ALLOWED a shared test imports vitest, node:fs and test-support',
    dir: 'shared',
    test: true,
    code: value('vitest', 'a') + value('node:fs', 'b').replace('probe =', 'probe2 =') + value('../test-support/virtual-clock', 'c').replace('probe =', 'probe3 ='),
    accept: true,
  },
];

const fileOf = (probe, i) => join(probe.dir, `__layer_probe_${i}__${probe.test ? '.test' : ''}.ts`);
const report = [];
const record = (probe, ok, detail) => report.push({ probe, ok, detail });

// 1. dependency-cruiser: every import probe at once, one cruise.
const importProbes = probes.map((probe, i) => ({ probe, file: fileOf(probe, i) })).filter(({ probe }) => probe.depcruise || probe.accept);
for (const { probe, file } of importProbes) writeFileSync(join(root, file), probe.code);
let cruise;
try {
  const run = spawnSync(bin('depcruise'), ['--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...importProbes.map(({ file }) => file)], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    cruise = JSON.parse(run.stdout);
  } catch {
    process.stderr.write(`dependency-cruiser gave no report:\n${run.stderr}\n`);
    process.exit(1);
  }
} finally {
  for (const { file } of importProbes) rmSync(join(root, file), { force: true });
}
for (const { probe, file } of importProbes) {
  const violations = cruise.summary.violations.filter((v) => v.from === file);
  if (probe.accept) {
    record(probe, violations.length === 0, violations.length === 0 ? 'depcruise accepts' : `depcruise REJECTS: ${violations.map((v) => `${v.to} (${v.rule.name})`).join(', ')}`);
  } else {
    const hit = violations.find((v) => probe.depcruise.test(v.to));
    record(
      probe,
      hit !== undefined,
      hit ? `depcruise rejects (${hit.rule.name})` : `depcruise ACCEPTS${violations.length ? ` (other violations: ${violations.map((v) => v.to).join(', ')})` : ''}`,
    );
  }
}

// 2. tsc: one project per probe, one probe at a time (a failing project stops its dependents).
probes.forEach((probe, i) => {
  if (!probe.tsc) return;
  const file = fileOf(probe, i);
  writeFileSync(join(root, file), probe.code);
  try {
    const tsc = spawnSync(bin('tsc'), ['-b', probe.tsc.project, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
    const out = `${tsc.stdout}${tsc.stderr}`;
    const own = out.split('\n').filter((line) => line.includes(file.split('/').pop()));
    const rejects = tsc.status !== 0 && own.some((line) => probe.tsc.message.test(line));
    record(probe, rejects, rejects ? 'tsc rejects' : `tsc ACCEPTS\n${out.split('\n').slice(0, 5).join('\n')}`);
  } finally {
    rmSync(join(root, file), { force: true });
  }
});
// Leave the incremental build state clean after the probes.
spawnSync(bin('tsc'), ['-b'], { cwd: root, stdio: 'ignore' });

const failures = report.filter((r) => !r.ok);
for (const probe of probes) {
  const lines = report.filter((r) => r.probe === probe);
  const ok = lines.every((r) => r.ok);
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${probe.what}: ${lines.map((r) => r.detail).join(', ')}\n`);
}
if (failures.length > 0) {
  process.stderr.write(`layering check: ${failures.length} probe(s) failed (a forbidden import accepted, or an allowed one rejected)\n`);
  process.exit(1);
}
process.stdout.write('layering check: every forbidden import is rejected and every allowed one accepted\n');
