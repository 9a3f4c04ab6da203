import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The repo's eslint config really runs the promise and hooks rules where they matter. Typed
 * linting only sees files of a tsc project, so the probes are written into electron/core and
 * renderer/src for the one lint run and deleted right after it.
 */

const root = process.cwd();
const tag = `${process.pid}`;

const core = `
async function later(): Promise<void> {}

export function floating(): void {
  later();
}

export function misused(): void {
  setTimeout(async () => {
    await later();
  }, 1);
}
`;

const coreClean = `
async function later(): Promise<void> {}

export async function awaited(): Promise<void> {
  await later();
}

export function handled(): void {
  later().catch((error: unknown) => console.error(error));
  setTimeout(() => {
    later().catch((error: unknown) => console.error(error));
  }, 1);
}
`;

const renderer = `
import { useEffect, useState } from 'react';

export function Probe({ on, count }: { on: boolean; count: number }) {
  if (on) useState(0);
  useEffect(() => {
    console.log(count);
  }, []);
  return <button type="button" onClick={async () => { await Promise.resolve(); }}>go</button>;
}
`;

const rendererClean = `
import { useEffect, useState } from 'react';

export function Probe({ count }: { count: number }) {
  const [seen, setSeen] = useState(0);
  useEffect(() => {
    console.log(count, seen);
  }, [count, seen]);
  return <button type="button" onClick={() => setSeen(count)}>go</button>;
}
`;

const probes = {
  core: join(root, 'electron', 'core', `__lint-probe-${tag}.ts`),
  coreClean: join(root, 'electron', 'core', `__lint-probe-clean-${tag}.ts`),
  renderer: join(root, 'renderer', 'src', `__lint-probe-${tag}.tsx`),
  rendererClean: join(root, 'renderer', 'src', `__lint-probe-clean-${tag}.tsx`),
};
const sources: Record<keyof typeof probes, string> = { core, coreClean, renderer, rendererClean };

let rules: Record<keyof typeof probes, string[]>;

beforeAll(async () => {
  const eslint = new ESLint({ cwd: root });
  try {
    for (const [name, file] of Object.entries(probes)) writeFileSync(file, sources[name as keyof typeof probes]);
    const results = await eslint.lintFiles(Object.values(probes));
    const byFile = new Map(results.map((result) => [result.filePath, result.messages.map((message) => message.ruleId ?? `fatal: ${message.message}`)]));
    rules = Object.fromEntries(Object.entries(probes).map(([name, file]) => [name, byFile.get(file) ?? ['not linted']])) as typeof rules;
  } finally {
    for (const file of Object.values(probes)) rmSync(file, { force: true });
  }
}, 120_000);

describe('eslint rules', () => {
  it('core: a floating promise and an async callback to setTimeout are errors', () => {
    expect(rules.core).toContain('@typescript-eslint/no-floating-promises');
    expect(rules.core).toContain('@typescript-eslint/no-misused-promises');
  });

  it('renderer: a conditional hook, a missing dependency and an async onClick are errors', () => {
    expect(rules.renderer).toContain('react-hooks/rules-of-hooks');
    expect(rules.renderer).toContain('react-hooks/exhaustive-deps');
    expect(rules.renderer).toContain('@typescript-eslint/no-misused-promises');
  });

  it('handled promises and complete dependencies pass', () => {
    expect(rules.coreClean).toEqual([]);
    expect(rules.rendererClean).toEqual([]);
  });
});
