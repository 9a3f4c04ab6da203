import { describe, expect, it } from 'vitest';
import { cliCommands, runCli } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stopSignal: new Promise<NodeJS.Signals>(() => undefined) } };
}

describe('echoscope CLI', () => {
  it('lists every command in the top-level help', async () => {
    const { out, io } = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const command of cliCommands) expect(out.join('\n')).toContain(command.name);
  });

  it.each(cliCommands.map((c) => c.name))('%s --help describes its usage and every option', async (name) => {
    const { out, io } = capture();
    expect(await runCli([name, '--help'], io)).toBe(0);
    const help = out.join('\n');
    expect(help).toContain(`Usage: echoscope ${name}`);
    for (const option of Object.keys(cliCommands.find((c) => c.name === name)!.options)) expect(help).toContain(`--${option}`);
  });

  it('exits 2 with an actionable message on an unknown command or option', async () => {
    const a = capture();
    expect(await runCli(['frobnicate'], a.io)).toBe(2);
    expect(a.err.join('\n')).toMatch(/unknown command "frobnicate".*--help/);
    const b = capture();
    expect(await runCli(['serve', '--no-such-flag'], b.io)).toBe(2);
    expect(b.err.join('\n')).toMatch(/serve --help/);
    const c = capture();
    expect(await runCli(['serve', '--port', 'eighty'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/--port must be an integer/);
  });
});
