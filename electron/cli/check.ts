import {
  describeServer,
  formatList,
  formatScenario,
  formatSkipped,
  summaryLine,
  loadSuite,
  REPORTERS,
  runCheck,
  ScenarioLoadError,
  ServerTarget,
  writeReports,
  type ReporterName,
} from '../core/scenarios';
import { checkServerFromArgs, checkServerOptions } from './check-server';
import { EXIT, intOption, stringOption, UsageError, type CliCommand } from './command';
import { parseDuration } from './duration';
import { describeCliMetrics, metricsOptions, otlpOptions, startCliMetrics } from './metrics-option';

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'run scenarios on the embedded mock (or a real server) with EchoScope watching; compare verdicts with expect and the ground truth',
  usage:
    'echoscope check SUITE [--url ws://HOST:PORT --app-id ID --key KEY --secret S | --env FILE] [--reporter list,json,junit,html] [--out DIR] [--seed N] [--timeout MS] [--metrics-port N [--metrics-linger DURATION]] [--otlp-endpoint URL [--otlp-interval DURATION] [--otlp-header Name=value]…]',
  details: [
    'SUITE: builtin (the whole library), builtin:NAME[,NAME], a built-in name, a YAML/JSON scenario file, or a folder of them.',
    'Each run writes a new folder DIR/check-<UTC time>[-n] (never overwriting) with the chosen reports and ground-truth.json:',
    'report.txt (list), report.json, junit.xml (a testcase per session, timed by how long EchoScope watched it),',
    'report.html (self-contained: contents, and the timeline and latency charts of each failing or anomalous session).',
    'One summary line is printed whatever the reporters. See docs/scenarios.md; CI recipes: docs/ci.md.',
    '',
    'With --url (or --env, a Laravel .env) the scenarios play on that real Reverb, soketi or Pusher app instead of the',
    'embedded mock: published through its HTTP API (so the secret is needed), watched over its WebSocket, through the',
    'fault proxy in front of it for target: proxy. Scenarios with the session faults disconnect or ping-silence need the',
    'mock (a real server cannot be told to close its sockets) and are skipped, listed with the reason.',
    '',
    'Examples:',
    '  echoscope check builtin',
    '  echoscope check scenarios/ --reporter list,junit --out reports',
    '  echoscope check builtin --metrics-port 9464 --metrics-linger 30s   # Prometheus scrapes the run',
    '  echoscope check builtin --otlp-endpoint http://127.0.0.1:4318/v1/metrics   # pushed to a Collector, once more at the end',
    '  echoscope check builtin:proxy-faults,crash-retry --url ws://127.0.0.1:6001 --app-id app-id --key app-key --secret app-secret',
    '',
    'Exit codes: 0 all passed, 1 some failed, 2 unusable input (bad scenario, bad option, a real server that cannot be used).',
  ].join('\n'),
  allowPositionals: true,
  options: {
    reporter: { type: 'string', short: 'r', valueName: 'list,json,junit,html', description: 'reporters, comma-separated', default: 'list' },
    out: { type: 'string', short: 'o', valueName: 'DIR', description: 'folder for report folders', default: 'echoscope-reports' },
    seed: { type: 'string', valueName: 'N', description: "override every scenario's seed" },
    timeout: { type: 'string', valueName: 'MS', description: 'longest one scenario may run', default: '60000' },
    ...checkServerOptions,
    ...metricsOptions,
    ...otlpOptions,
    'metrics-linger': {
      type: 'string',
      valueName: 'duration',
      description: 'after the run, keep serving /metrics until it is scraped once more (at most this long), so the last figures reach Prometheus (default: 0s, stop at once)',
    },
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
    const server = await checkServerFromArgs(args, (line) => io.err(`echoscope check: ${line}`));
    if (server !== undefined) {
      try {
        await new ServerTarget(server).verify();
      } catch (error) {
        io.err(`echoscope check: cannot play on ${describeServer(server)}: ${(error as Error).message}`);
        return EXIT.unusable;
      }
    }
    const lingerMs = parseDuration(stringOption(args, 'metrics-linger') ?? '0s', 'metrics-linger');
    if (args.values['metrics-linger'] !== undefined && args.values['metrics-port'] === undefined) throw new UsageError('--metrics-linger needs --metrics-port N');
    const metrics = await startCliMetrics(args, (line) => io.err(`echoscope check: ${line}`));
    if (metrics) io.err(`echoscope check: ${describeCliMetrics(metrics)}`);
    try {
      return await runSuite();
    } finally {
      if (metrics) {
        // The collector gets the final figures (bounded) while Prometheus may still scrape them.
        const pushed = metrics.otlp?.close();
        const server = metrics.server;
        if (server && lingerMs > 0 && !(await server.nextScrape(lingerMs))) io.err(`echoscope check: /metrics was not scraped within ${lingerMs / 1000}s of the end`);
        await server?.close();
        await pushed;
      }
    }

    async function runSuite(): Promise<number> {
      const live = reporters.includes('list');
      if (live) io.out(`Running ${scenarios!.length} scenario${scenarios!.length === 1 ? '' : 's'} from ${suite} on ${server ? describeServer(server) : 'the embedded mock'}…`);
      const report = await runCheck(suite, scenarios!, {
        timeoutMs,
        ...(server ? { server } : {}),
        onScenario: (result) => live && formatScenario(result).forEach((line) => io.out(line)),
        ...(metrics ? { metrics: metrics.recorder } : {}),
      });
      if (live) io.out(formatList(report).split('\n').slice(report.scenarios.flatMap(formatScenario).length).join('\n'));
      else {
        // a pipeline's log says how it went whatever the reporters (junit alone prints nothing else)
        for (const skipped of report.skipped) io.out(formatSkipped(skipped));
        io.out(summaryLine(report));
      }
      const { folder } = await writeReports(report, reporters as ReporterName[], stringOption(args, 'out') ?? 'echoscope-reports');
      io.out(`Reports: ${folder}`);
      return report.passed ? EXIT.ok : EXIT.failed;
    }
  },
};
