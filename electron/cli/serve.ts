import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adoptSingleFileJournal } from '../core/journal/journal-directory';
import { startHeadlessHost } from '../core/host';
import { METRICS_PATH, MetricsRecorder } from '../core/metrics';
import { otlpOptions, otlpSettingsFromArgs } from './metrics-option';
import { startRuntime } from '../core/runtime';
import { EXIT, intOption, stringOption, UsageError, type CliCommand } from './command';
import { readEnvFile } from './env-option';
import { serveProfileFromEnv } from './serve-env';

/** out/renderer, next to the built CLI (out/main/cli.js); overridable for tests. */
export function defaultRendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'renderer'), join(here, '..', '..', 'out', 'renderer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'headless monitor with the dashboard served to a browser',
  usage:
    'echoscope serve [--port N] [--host H] [--demo | --no-demo] [--env FILE [--url URL] [--auth-header "N: v"]…] [--scenario FILE]… [--no-metrics] [--otlp-endpoint URL [--otlp-interval DURATION] [--otlp-header Name=value]…] [--json]',
  details: [
    'Serves the dashboard on http://HOST:PORT/ (loopback by default) and the App API over a',
    'WebSocket bridge. With --demo (the default) it also starts the embedded mock provider',
    'with a demo mix of healthy and faulty AI sessions, and watches it. Prometheus metrics are at',
    'http://HOST:PORT/metrics (docs/metrics.md) unless --no-metrics; --otlp-endpoint pushes the same figures to an',
    'OpenTelemetry Collector (a collector that does not answer is said once, and the dashboard goes on). Settings → Metrics',
    'in the dashboard changes the OTLP endpoint and can serve /metrics on a port of its own while it runs.',
    '',
    "With --env (a Laravel app's .env) it adds a connection profile for the app, as `watch --env` reads it, and",
    'connects it: discovering private-ai.* channels when the file has the app id and secret. The demo then does not',
    'start unless --demo is given. --url gives the server instead of the file (for a redis-broadcaster app, its',
    "laravel-echo-server); --auth-header makes EchoScope ask APP_URL's /broadcasting/auth instead of signing.",
    '',
    'Examples:',
    '  echoscope serve                 # dashboard on a free port, demo running',
    '  echoscope serve --port 5173 --no-demo',
    "  echoscope serve --env ../app/.env   # the app's own Reverb or Pusher app, live in the dashboard",
  ].join('\n'),
  options: {
    port: { type: 'string', short: 'p', description: 'dashboard port, 0 = pick a free one', valueName: 'n', default: '0' },
    host: { type: 'string', description: 'interface to listen on', valueName: 'host', default: '127.0.0.1' },
    demo: { type: 'boolean', description: 'run the embedded mock provider with the demo mix (default: on; off with --env)' },
    'no-demo': { type: 'boolean', description: 'do not start the demo' },
    'mock-port': { type: 'string', description: 'port of the embedded mock provider, 0 = pick', valueName: 'n', default: '0' },
    'renderer-dir': { type: 'string', description: 'folder of the built dashboard', valueName: 'dir' },
    json: { type: 'boolean', description: 'print one JSON line {"event":"listening","url":…} when ready' },
    'data-dir': { type: 'string', description: 'folder for the journal (its segments in journal/); default $ECHOSCOPE_DATA_DIR or ~/.echoscope', valueName: 'dir' },
    'no-journal': { type: 'boolean', description: 'keep nothing on disk' },
    'no-metrics': { type: 'boolean', description: 'do not serve Prometheus metrics at /metrics' },
    ...otlpOptions,
    env: { type: 'string', description: "a Laravel app's .env: add and connect a profile for the app (docs/laravel.md)", valueName: 'file' },
    url: { type: 'string', description: "with --env: the server's URL instead of the file's (a redis-broadcaster app: its laravel-echo-server)", valueName: 'url' },
    'auth-header': { type: 'string', multiple: true, description: 'with --env: a header for APP_URL\'s /broadcasting/auth, "Name: value" (repeatable)', valueName: 'header' },
    scenario: { type: 'string', multiple: true, description: 'scenario file or folder to load at start (repeatable); the dashboard may reload it from disk', valueName: 'file' },
  },
  async run(args, io) {
    const envPath = stringOption(args, 'env');
    if (envPath === undefined && (args.values.url !== undefined || args.values['auth-header'] !== undefined)) throw new UsageError('--url and --auth-header go with --env FILE');
    const envProfile = envPath === undefined ? undefined : serveProfileFromEnv(args, await readEnvFile(envPath), (line) => io.err(`echoscope serve: ${line}`));
    const port = intOption(args, 'port', 0, 0, 65535);
    const mockPort = intOption(args, 'mock-port', 0, 0, 65535);
    const host = stringOption(args, 'host') ?? '127.0.0.1';
    const rendererDir = stringOption(args, 'renderer-dir') ?? defaultRendererDir();
    if (!existsSync(join(rendererDir, 'index.html'))) {
      throw new UsageError(`no built dashboard in ${rendererDir}: run "npm run build" first`);
    }
    const scenarioPaths = (args.values.scenario as string[] | undefined) ?? [];
    const dataDir = stringOption(args, 'data-dir') ?? process.env.ECHOSCOPE_DATA_DIR ?? join(homedir(), '.echoscope');
    const journalDirectory = join(dataDir, 'journal');
    if (args.values['no-journal'] !== true) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      // An older version's single journal file becomes the directory's first segment (moved, not copied).
      const single = join(dataDir, 'journal.ndjson');
      if (adoptSingleFileJournal(single, journalDirectory)) io.err(`echoscope serve: moved ${single} into ${journalDirectory} as its first segment`);
    }
    const otlp = otlpSettingsFromArgs(args);
    const served = args.values['no-metrics'] !== true;
    // One recorder for the dashboard's /metrics and OTLP: --no-metrics stops the first only.
    const metrics = served || otlp ? new MetricsRecorder() : undefined;
    const runtime = await startRuntime({
      transport: 'browser',
      version: process.env.npm_package_version ?? '0.1.0',
      demo: args.values['no-demo'] !== true && (args.values.demo === true || envProfile === undefined),
      mockPort,
      ...(args.values['no-journal'] === true ? {} : { journal: { directory: journalDirectory } }),
      onWarning: (message) => io.err(`echoscope serve: ${message}`),
      scenarioPaths,
      ...(metrics ? { metrics } : {}),
      // Settings may add /metrics on a port of its own and change the OTLP endpoint while it runs (not kept after).
      metricsOutputs: {
        dashboardPath: served ? METRICS_PATH : null,
        ...(otlp ? { initial: { otlpEndpoint: otlp.endpoint }, otlp: { intervalMs: otlp.intervalMs, headers: otlp.headers } } : {}),
      },
    });
    for (const path of scenarioPaths) {
      const loaded = await runtime.service.handle('scenarios.load', { path });
      if (!loaded.ok) {
        await runtime.close();
        throw new UsageError(`--scenario ${path}: ${loaded.error.message}`);
      }
    }
    if (envProfile !== undefined) {
      const saved = await runtime.service.handle('profiles.save', envProfile.profile);
      const connected = saved.ok ? await runtime.service.handle('connections.connect', { profileId: envProfile.profile.id }) : saved;
      if (!connected.ok) {
        await runtime.close();
        throw new UsageError(`--env ${envPath}: ${connected.error.message}`);
      }
    }
    let dashboard;
    try {
      dashboard = await startHeadlessHost({ service: runtime.service, rendererDir, host, port, ...(metrics && served ? { metrics } : {}) });
    } catch (error) {
      await runtime.close();
      io.err(`echoscope serve: cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.unusable;
    }
    if (args.values.json) {
      io.out(
        JSON.stringify({
          event: 'listening',
          url: dashboard.url,
          port: dashboard.port,
          mock: runtime.mock?.httpUrl ?? null,
          metrics: served ? `${dashboard.url}metrics` : null,
          otlp: otlp?.endpoint ?? null,
          ...(envProfile ? { profile: envProfile.profile.id } : {}),
        }),
      );
    } else {
      io.out(`EchoScope dashboard: ${dashboard.url}`);
      if (runtime.mock) io.out(`Embedded mock provider (demo): ${runtime.mock.httpUrl}`);
      if (envProfile) {
        io.out(`Watching ${envProfile.profile.name} (profile ${envProfile.profile.id}):`);
        for (const fact of envProfile.facts) io.out(`  ${fact}`);
      }
      if (runtime.journal) io.out(`Journal: ${journalDirectory}`);
      if (served) io.out(`Prometheus metrics: ${dashboard.url}metrics`);
      if (otlp) io.out(`OTLP: pushing to ${otlp.endpoint} every ${otlp.intervalMs / 1000}s`);
      io.out('Press Ctrl-C to stop.');
    }
    await io.stopSignal;
    await dashboard.close();
    await runtime.close();
    return EXIT.ok;
  },
};
