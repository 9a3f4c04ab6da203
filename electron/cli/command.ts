import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

/** One `echoscope` subcommand. `run` returns the process exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Extra lines of help: examples, exit codes. */
  details?: string;
  options: Record<string, OptionSpec>;
  allowPositionals?: boolean;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); commands that run until stopped await it. */
  stopSignal: Promise<NodeJS.Signals>;
  /** stderr is a terminal: commands that run a while show live progress there. */
  interactive?: boolean;
}

/** Exit codes shared by the commands. */
export const EXIT = { ok: 0, failed: 1, unusable: 2 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function formatHelp(command: CliCommand): string {
  const lines = [`echoscope ${command.name} — ${command.summary}`, '', `Usage: ${command.usage}`, '', 'Options:'];
  const entries = Object.entries(command.options);
  const labels = entries.map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    const value = spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : '';
    return `${short}--${name}${value}`;
  });
  const width = Math.max(...labels.map((label) => label.length), 10);
  entries.forEach(([, spec], i) => {
    const dflt = spec.default !== undefined && spec.default !== false ? ` (default: ${String(spec.default)})` : '';
    lines.push(`  ${labels[i]!.padEnd(width)}  ${spec.description}${dflt}`);
  });
  if (command.details) lines.push('', command.details);
  return lines.join('\n');
}

/** Reads an integer option, failing with a usage error that names the option. */
export function intOption(args: ParsedArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = args.values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const raw = args.values[name];
  return typeof raw === 'string' ? raw : undefined;
}
