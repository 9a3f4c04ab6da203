#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), prints one table,
// and saves the figures as JSON in bench-results/. Each figure is a ratio against a baseline measured
// in the same run, so results from different machines stay comparable.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();

const results = [];
const failures = [];
for (const file of files) {
  process.stderr.write(`\n▶ ${file}\n`);
  // Each suite runs in its own process so one suite's heap and timers cannot skew another's.
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      '-e',
      `
    const { run } = await import(${JSON.stringify(join(root, 'bench', file))});
    const results = await run();
    process.stdout.write('\\n@@BENCH@@' + JSON.stringify(results) + '\\n');
    process.exit(0);
  `,
    ],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 },
  );
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith('@@BENCH@@'));
  if (child.status !== 0 || !line) {
    failures.push(`${file}: exited ${child.status ?? child.signal}`);
    continue;
  }
  results.push(...JSON.parse(line.slice('@@BENCH@@'.length)));
}

const fmt = (n) => (typeof n !== 'number' ? String(n) : Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(4)).toString());
const rows = results.map((r) => [r.suite, r.name, `${fmt(r.value)} ${r.unit}`, `${r.baseline}: ${fmt(r.baselineValue)}`, fmt(r.ratio), r.goal ?? '']);
const header = ['suite', 'figure', 'value', 'baseline (same run)', 'ratio', 'goal'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
const print = (row) => process.stdout.write(row.map((cell, i) => String(cell).padEnd(widths[i])).join('  ') + '\n');
process.stdout.write('\n');
print(header);
print(widths.map((w) => '-'.repeat(w)));
rows.forEach(print);
for (const r of results) if (r.note) process.stdout.write(`  · ${r.suite}/${r.name}: ${r.note}\n`);

mkdirSync(join(root, 'bench-results'), { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = join(root, 'bench-results', `bench-${stamp}.json`);
writeFileSync(out, JSON.stringify({ createdAt: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, results, failures }, null, 2));
process.stdout.write(`\nsaved ${out}\n`);
if (failures.length > 0) {
  process.stderr.write(`failed suites:\n  ${failures.join('\n  ')}\n`);
  process.exit(1);
}
