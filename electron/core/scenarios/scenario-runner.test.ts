import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioRunner } from './scenario-runner';

const scenario = (name: string) => JSON.stringify({ name, sessions: [{ id: `${name}-1` }] });

describe('ScenarioRunner.load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'echoscope-scenarios-'));
  const given = join(dir, 'given.json');
  const other = join(dir, 'other.json');
  writeFileSync(given, scenario('given'));
  writeFileSync(other, scenario('other'));

  it('reads a path only when it was given on the command line (however it is spelled)', async () => {
    const runner = new ScenarioRunner({ mock: () => null, commandLinePaths: [given] });
    expect((await runner.load({ path: given })).map((s) => s.name)).toEqual(['given']);
    expect((await runner.load({ path: relative(process.cwd(), given) })).map((s) => s.name)).toEqual(['given']);
    await expect(runner.load({ path: other })).rejects.toThrow(/only the scenario files given on the command line/);
    await expect(new ScenarioRunner({ mock: () => null }).load({ path: given })).rejects.toThrow(/only the scenario files/);
  });

  it('names unknown fields one by one, and refuses a document that is not a scenario without listing it', async () => {
    const runner = new ScenarioRunner({ mock: () => null });
    await expect(runner.load({ text: JSON.stringify({ name: 'typo', sessions: [{ id: 'a' }], sesions: 1 }) })).rejects.toThrow(/sesions: unknown field/);
    const secrets = Array.from({ length: 50 }, (_, i) => `user${i}: hash${i}`).join('\n');
    const refused = runner.load({ text: secrets });
    await expect(refused).rejects.toThrow(/not a scenario: the document is a mapping/);
    await expect(refused).rejects.not.toThrow(/user|hash/);
  });
});
