import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { REPORTERS } from '../core/scenarios';
import { parseDuration } from './duration';
import { parseFailOn } from './fail-on';
import { cliCommands } from './main';

/**
 * docs/ci.md's GitHub Actions YAML: every block parses, and every `echoscope …` line in it is
 * one the CLI accepts — parsed with the command's own option table, strictly, as `runCli` parses
 * it, its `--fail-on`, `--reporter` and `--for` values read by the CLI's own readers — and the
 * report steps find what `check` writes (`OUT/check-<UTC time>/junit.xml`, the folder for the artifact).
 */

const doc = readFileSync(join(process.cwd(), 'docs', 'ci.md'), 'utf8');
const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: unknown;
  jobs: Record<string, Job>;
}

/** Words of a shell command line: quotes grouped (and removed), `$VAR` left as written. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
  return words;
}

/** Each `echoscope …` command in a step's `run` (a folded `>-` run is one line already). */
function echoscopeLines(run: string): string[][] {
  return run
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('echoscope '))
    .map((line) => shellWords(line).slice(1));
}

/** A glob as GitHub's actions read them: `*` within a folder, `**` across. */
function globMatches(glob: string, path: string): boolean {
  const pattern = glob
    .split('**')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(path);
}

const parsed = blocks.map((text) => {
  const document = parseDocument(text);
  return { text, errors: document.errors.map((e) => e.message), warnings: document.warnings.map((w) => w.message), value: document.toJS() as unknown };
});
const workflows = parsed.map((p) => p.value).filter((v): v is Workflow => typeof v === 'object' && v !== null && 'jobs' in v);
const steps: Step[] = parsed.flatMap((p) =>
  Array.isArray(p.value) ? (p.value as Step[]) : 'jobs' in (p.value as object) ? Object.values((p.value as Workflow).jobs).flatMap((job) => job.steps) : [],
);
const invocations = steps
  .flatMap((step) => (step.run ? echoscopeLines(step.run) : []))
  .map(([name, ...args]) => {
    const command = cliCommands.find((c) => c.name === name);
    if (!command) throw new Error(`docs/ci.md runs "echoscope ${name}", which is no command`);
    // exactly as runCli parses a command line: unknown options and missing values throw
    const { values, positionals } = parseArgs({ args, options: command.options, allowPositionals: command.allowPositionals ?? false, strict: true });
    return { name: name!, values, positionals };
  });
const of = (name: string) => invocations.filter((i) => i.name === name);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

describe('docs/ci.md', () => {
  it('has YAML blocks that parse: two workflows and two fragments of steps', () => {
    expect(parsed.length).toBe(4);
    for (const block of parsed) expect([block.errors, block.warnings]).toEqual([[], []]);
    expect(workflows.length).toBe(2);
    for (const workflow of workflows) {
      expect(workflow.on).toBeTruthy();
      for (const job of Object.values(workflow.jobs)) {
        expect(job['runs-on']).toBe('ubuntu-latest');
        expect(job.steps.length).toBeGreaterThan(0);
      }
    }
    // every action pinned to a major version
    for (const step of steps) if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
  });

  it('runs only echoscope command lines the CLI accepts', () => {
    expect(invocations.map((i) => i.name).sort()).toEqual(['analyze', 'check', 'check', 'watch']);
    for (const i of invocations) if (typeof i.values['fail-on'] === 'string') expect(() => parseFailOn(i.values['fail-on'] as string)).not.toThrow();
    const [check, onStaging] = of('check');
    expect(check!.positionals.length).toBe(1);
    // on staging: a real server named by every flag a real server needs, from the environment
    expect(onStaging!.positionals).toEqual(['builtin:crash-retry,truncation,proxy-faults']);
    for (const flag of ['url', 'app-id', 'key', 'secret']) expect(text(onStaging!.values[flag])).toMatch(/^\$REVERB_/);
    const reporters = text(check!.values.reporter).split(',');
    expect(reporters).toEqual(expect.arrayContaining(['junit', 'html']));
    for (const r of reporters) expect(REPORTERS).toContain(r);
    const [watch] = of('watch');
    expect(parseDuration(text(watch!.values.for), 'for')).toBe(120_000);
    expect(watch!.values['fail-on']).toBeTruthy();
    expect(of('analyze')[0]!.values['fail-on']).toBeTruthy();
  });

  it('uploads the JUnit file check writes and its folder as an artifact, even when the check failed', () => {
    const out = text(of('check')[0]!.values.out);
    expect(out).not.toBe('');
    const written = `${out}/check-20261122T100000Z/junit.xml`; // docs/scenarios.md: a new folder per run
    const job = Object.values(workflows[0]!.jobs)[0]!;
    const junit = job.steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'))!;
    expect(globMatches(text(junit.with?.report_paths), written)).toBe(true);
    expect(job.permissions?.checks).toBe('write');
    const artifact = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(text(artifact.with?.path).replace(/\/$/, '')).toBe(out);
    // after a failing `check` step, the report steps still run
    const checkStep = job.steps.findIndex((s) => s.run?.includes('echoscope check'));
    for (const step of [junit, artifact]) {
      expect(job.steps.indexOf(step)).toBeGreaterThan(checkStep);
      expect(step.if).toMatch(/!cancelled\(\)|always\(\)/);
    }
  });

  it('is linked from the README', () => {
    expect(readFileSync(join(process.cwd(), 'README.md'), 'utf8')).toContain('docs/ci.md');
  });
});
