import { formatList, formatScenario, summaryLine, loadSuite, REPORTERS, runCheck, ScenarioLoadError, writeReports, type ReporterName } from '../core/scenarios';
import { EXIT, intOption, stringOption, UsageError, type CliCommand } from './command';

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'run scenarios against the embedded mock with EchoScope watching; compare verdicts with expect and the ground truth',
  usage: 'echoscope check SUITE [--reporter list,json,junit,html] [--out DIR] [--seed N] [--timeout MS]',
  details: [
    'SUITE: builtin (the whole library), builtin:NAME[,NAME], a built-in name, a YAML/JSON scenario file, or a folder of them.',
    'Each run writes a new folder DIR/check-<UTC time>[-n] (never overwriting) with the chosen reports and ground-truth.json.',
    'See docs/scenarios.md.',
    '',
    'Examples:',
    '  echoscope check builtin',
    '  echoscope check scenarios/ --reporter list,junit --out reports',
    '',
    'Exit codes: 0 all passed, 1 some failed, 2 unusable input (bad scenario, bad option).',
  ].join('\n'),
  allowPositionals: true,
  options: {
    reporter: { type: 'string', short: 'r', valueName: 'list,json,junit,html', description: 'reporters, comma-separated', default: 'list' },
    out: { type: 'string', short: 'o', valueName: 'DIR', description: 'folder for report folders', default: 'echoscope-reports' },
    seed: { type: 'string', valueName: 'N', description: "override every scenario's seed" },
    timeout: { type: 'string', valueName: 'MS', description: 'longest one scenario may run', default: '60000' },
  },
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('expected exactly one SUITE (try "builtin")');
    const suite = args.positionals[0]!;
    const reporters = (stringOption(args, 'reporter') ?? 'list')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    const unknown = reporters.filter((r) => !(REPORTERS as readonly string[]).includes(r));
    if (unknown.length > 0 || reporters.length === 0) throw new UsageError(`--reporter takes ${REPORTERS.join(', ')}; got ${unknown.join(', ') || 'nothing'}`);
    const timeoutMs = intOption(args, 'timeout', 60_000, 100);
    const seedRaw = stringOption(args, 'seed');
    const seed = seedRaw === undefined ? undefined : intOption(args, 'seed', 0, 0, 2 ** 32 - 1);
    let scenarios;
    try {
      scenarios = await loadSuite(suite);
    } catch (error) {
      if (error instanceof ScenarioLoadError) {
        io.err(`echoscope check: ${error.message}`);
        return EXIT.unusable;
      }
      throw error;
    }
    if (seed !== undefined) scenarios = scenarios.map((s) => ({ ...s, seed }));
    const live = reporters.includes('list');
    if (live) io.out(`Running ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} from ${suite}…`);
    const report = await runCheck(suite, scenarios, { timeoutMs, onScenario: (result) => live && formatScenario(result).forEach((line) => io.out(line)) });
    if (live) io.out(formatList(report).split('\n').slice(report.scenarios.flatMap(formatScenario).length).join('\n'));
    // a pipeline's log says how it went whatever the reporters (junit alone prints nothing else)
    else io.out(summaryLine(report));
    const { folder } = await writeReports(report, reporters as ReporterName[], stringOption(args, 'out') ?? 'echoscope-reports');
    io.out(`Reports: ${folder}`);
    return report.passed ? EXIT.ok : EXIT.failed;
  },
};
