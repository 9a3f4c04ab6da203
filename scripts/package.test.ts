import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ES module script without types
import { nodeTooOld } from './package.js';

const script = join(__dirname, 'package.js');

describe('npm run package: what packaging needs, said before anything runs', () => {
  it('Node below 22.12 is refused with the reason; 22.12 and later are not', () => {
    expect(nodeTooOld('20.20.2')).toMatch(/packaging needs Node >= 22\.12 .*this is Node 20\.20\.2/);
    expect(nodeTooOld('22.11.9')).toMatch(/needs Node >= 22\.12/);
    expect(nodeTooOld('22.12.0')).toBeUndefined();
    expect(nodeTooOld('24.1.0')).toBeUndefined();
  });

  // Only where this Node is too old: on a newer one the script would really build and package.
  it.skipIf(nodeTooOld() === undefined)('on this Node the script exits 1 with that sentence and builds nothing', () => {
    const result = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`npm run package: packaging needs Node >= 22.12`);
    expect(result.stdout).not.toContain('electron-vite');
  });
});
