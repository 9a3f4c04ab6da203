import { parseArgs } from 'node:util';
import { formatHelp, UsageError, EXIT, type CliCommand, type CliIo, type OptionSpec } from './command';
import { serveCommand } from './serve';
import { analyzeCommand } from './analyze';
import { mockCommand } from './mock';
import { checkCommand } from './check';
import { replayCommand } from './replay';
import { watchCommand } from './watch';
import { proxyCommand } from './proxy';

/** Every subcommand, in the order `--help` lists them. Later issues add theirs here. */
export const cliCommands: CliCommand[] = [serveCommand, watchCommand, analyzeCommand, mockCommand, checkCommand, replayCommand, proxyCommand];

const helpOption: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

export function topLevelHelp(): string {
  const width = Math.max(...cliCommands.map((c) => c.name.length));
  return [
    'echoscope — monitor and test AI token broadcasts over Laravel Echo',
    '',
    'Usage: echoscope <command> [options]      (echoscope <command> --help for its options)',
    '',
    'Commands:',
    ...cliCommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'With no command, `npm start` runs the desktop app (or `serve --demo` where Electron cannot start).',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(topLevelHelp());
    return name === undefined ? EXIT.unusable : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(process.env.npm_package_version ?? '0.1.0');
    return EXIT.ok;
  }
  const command = cliCommands.find((c) => c.name === name);
  if (!command) {
    io.err(`echoscope: unknown command "${name}". Run "echoscope --help" for the list.`);
    return EXIT.unusable;
  }
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: helpOption },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    if (parsed.values.help) {
      io.out(formatHelp(command));
      return EXIT.ok;
    }
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, io);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`echoscope ${name}: ${error.message}\nRun "echoscope ${name} --help" for usage.`);
      return EXIT.unusable;
    }
    throw error;
  }
}
