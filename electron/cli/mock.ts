import { loadMockConfig } from '../mock/config-file';
import { DEFAULT_APP, DEFAULT_LIMITS, parseAuthPolicy, resolveScaling, startMockServer, type MockServerOptions } from '../mock/index';
import { writeFile } from 'node:fs/promises';
import { loadSuite, ScenarioLoadError } from '../core/scenarios/load';
import { startScenario } from '../mock/simulator';
import type { Scenario } from '../../shared/scenario';
import type { MockServer } from '../mock/index';
import { EXIT, intOption, stringOption, UsageError, type CliCommand, type CliIo, type ParsedArgs } from './command';
import { readEnvFile, type EnvFile } from './env-option';
import { linesToWrite, mockSettingsFromEnv, mockTarget, pointsAt, refuseBrokenEnv, RESTART_HINT, writeEnvForMock, type MockEnvSettings } from './mock-env';

/** Port the standalone mock listens on when neither --port nor the config file says (soketi's default). */
export const DEFAULT_MOCK_PORT = 6001;

export const mockCommand: CliCommand = {
  name: 'mock',
  summary: 'standalone mock provider: a local Pusher-protocol server for Laravel apps and Echo',
  usage:
    'echoscope mock [--port N] [--host H] [--app-id ID --key KEY --secret S] [--config F] [--env FILE [--write-env]] [--scenario SUITE [--truth F]] [--scaling redis://H:P [--scaling-channel C]] [--json]',
  details: [
    'Speaks Pusher protocol 7 at ws://HOST:PORT/app/{key}, the Pusher HTTP API at /apps/{id}/…,',
    'Laravel-style POST /broadcasting/auth, GET /api/generations/{sessionId} and GET /metrics.',
    'Command-line options override --env, which overrides the config file. See docs/mock-provider.md.',
    '',
    'Examples:',
    '  echoscope mock                                  # 127.0.0.1:6001, app echoscope / echoscope-key / echoscope-secret',
    '  echoscope mock --port 0 --json                  # pick a port, print {"event":"listening",…}',
    '  echoscope mock --config mock.json --auth-policy allow-list:private-ai.*',
    '  echoscope mock --scenario builtin:crash-retry --truth truth.json   # play a scenario for your own frontend',
    '',
    "With --env (a Laravel app's .env) it serves that app: the id, key and secret of its REVERB_* (or PUSHER_*) lines,",
    'on their port when their host is this machine, so the app publishes to the mock unchanged. --write-env also writes',
    'into the file the lines that point the app and its Vite frontend at this mock (BROADCAST_CONNECTION=reverb,',
    'REVERB_APP_ID/KEY/SECRET, REVERB_HOST/PORT/SCHEME, VITE_REVERB_* = "${REVERB_*}"), each where it is or appended',
    'under a comment; every other line stays as it was. Options given explicitly win over the file; the config file',
    'is read first. Restart the app and Vite afterwards (they read .env when they start).',
    '  echoscope mock --env ../app/.env --write-env --port 6001',
    '',
    'With --scenario, sessions wait for a subscriber on private-ai.{id} before their first token; scenarios run one',
    'after another on the first app, then the server keeps serving. See docs/scenarios.md.',
    '',
    'With --scaling, the node is one of several, as Reverb scales (REVERB_SCALING_ENABLED): it publishes every broadcast',
    '(HTTP API events and batches, scenario events, client events) on the Redis channel --scaling-channel (default reverb)',
    "in Reverb's format instead of delivering it, and delivers what that channel carries to its own subscribers (leaving",
    'out the socket_id), its own broadcasts included. Start N nodes on the same Redis and any client on any node gets',
    "every event; EchoScope's tap (watch --tap URL --tap-format reverb) sees the whole fleet. Redis unreachable at start:",
    'exit 1. Lost later: said on stderr, the HTTP API answers 503 and every broadcast not published is counted (on stderr',
    'when Redis is back, and on /metrics); the node reconnects by itself. Scenarios, generation records and presence stay',
    'each node\'s own. See docs/mock-provider.md ("Several nodes").',
    '  echoscope mock --port 6001 --scaling redis://127.0.0.1:6379 & echoscope mock --port 6002 --scaling redis://127.0.0.1:6379',
    '',
    'Stops cleanly on SIGINT/SIGTERM. Exit codes: 0 stopped, 1 failed to start (a Redis it cannot reach too), 2 bad usage.',
  ].join('\n'),
  options: {
    host: { type: 'string', description: 'interface to listen on (default: 127.0.0.1)', valueName: 'host' },
    port: { type: 'string', short: 'p', description: `port, 0 = pick a free one (default: ${DEFAULT_MOCK_PORT})`, valueName: 'n' },
    'app-id': { type: 'string', description: `app id (default: ${DEFAULT_APP.id})`, valueName: 'id' },
    key: { type: 'string', description: `app key (default: ${DEFAULT_APP.key})`, valueName: 'key' },
    secret: { type: 'string', description: `app secret (default: ${DEFAULT_APP.secret})`, valueName: 'secret' },
    config: { type: 'string', short: 'c', description: 'JSON config file: several apps, limits, timeouts', valueName: 'file' },
    'max-connections': { type: 'string', description: `connections per app (default: ${DEFAULT_LIMITS.maxConnections})`, valueName: 'n' },
    'max-message-size': { type: 'string', description: `largest WebSocket message / event data, bytes (default: ${DEFAULT_LIMITS.maxMessageSize})`, valueName: 'bytes' },
    'client-event-rate': { type: 'string', description: `client events per connection per second (default: ${DEFAULT_LIMITS.clientEventRate})`, valueName: 'n' },
    'activity-timeout': { type: 'string', description: 'seconds of silence before the server pings (default: 120)', valueName: 's' },
    'auth-policy': { type: 'string', description: 'POST /broadcasting/auth policy: allow-all | deny | allow-list:CH,PREFIX.* (default: allow-all)', valueName: 'policy' },
    scenario: { type: 'string', short: 's', description: 'play scenarios: builtin, builtin:NAME, a built-in name, a YAML/JSON file or a folder', valueName: 'suite' },
    truth: { type: 'string', description: 'with --scenario: write the ground truth (JSON) here when the scenarios are done', valueName: 'file' },
    env: { type: 'string', description: "a Laravel app's .env: serve its app (REVERB_* or PUSHER_* id, key, secret) on its port", valueName: 'file' },
    'write-env': { type: 'boolean', description: 'with --env: write the lines that point the app at this mock into it (BROADCAST_CONNECTION=reverb, REVERB_*, VITE_REVERB_*)' },
    scaling: {
      type: 'string',
      description: "share broadcasts with other nodes through this Redis, in Reverb's scaling format (redis://[user:password@]host[:port][/db])",
      valueName: 'url',
    },
    'scaling-channel': { type: 'string', description: 'with --scaling: the Redis channel (REVERB_SCALING_CHANNEL; default: reverb)', valueName: 'channel' },
    json: { type: 'boolean', description: 'print JSON lines ({"event":"listening",…}, env and scenario events) instead of text' },
  },
  async run(args, io) {
    const envPath = stringOption(args, 'env');
    if (args.values['write-env'] === true && envPath === undefined) throw new UsageError('--write-env writes into the file of --env: give --env path/to/app/.env');
    const envFile = envPath === undefined ? undefined : await readEnvFile(envPath);
    const fromEnv = envFile === undefined ? undefined : mockSettingsFromEnv(envFile);
    const options = await resolveOptions(args, fromEnv);
    const suite = stringOption(args, 'scenario');
    if (stringOption(args, 'truth') !== undefined && suite === undefined) throw new UsageError('--truth needs --scenario');
    let scenarios: Scenario[] = [];
    if (suite !== undefined) {
      try {
        scenarios = await loadSuite(suite);
      } catch (error) {
        if (error instanceof ScenarioLoadError) {
          io.err(`echoscope mock: ${error.message}`);
          return EXIT.unusable;
        }
        throw error;
      }
    }
    let server;
    try {
      server = await startMockServer(options);
    } catch (error) {
      io.err(`echoscope mock: could not start: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.failed;
    }
    const stopNotices = reportScaling(server, args.values.json === true, io);
    if (args.values.json) {
      io.out(JSON.stringify({ event: 'listening', host: server.host, port: server.port }));
    } else {
      io.out(`EchoScope mock provider listening on ${server.httpUrl}`);
      for (const app of server.apps) {
        io.out(`  app ${app.id}: key ${app.key}, secret ${app.secret}`);
        io.out(`    WebSocket  ${server.wsUrl}/app/${app.key}?protocol=7`);
        io.out(`    HTTP API   ${server.httpUrl}/apps/${app.id}/events`);
      }
      io.out(`  auth endpoint ${server.httpUrl}/broadcasting/auth, metrics ${server.httpUrl}/metrics`);
      const scaling = server.scaling();
      if (scaling) io.out(`  one node of a fleet: broadcasts go through ${scaling.url}, channel ${scaling.channel}`);
    }
    if (envFile !== undefined && fromEnv !== undefined) {
      const done = await pointEnvAtMock(envFile, fromEnv, server, args.values['write-env'] === true, args.values.json === true, io);
      if (!done) {
        stopNotices();
        await server.close();
        return EXIT.failed;
      }
    }
    if (!args.values.json) io.out('Press Ctrl+C to stop.');
    if (scenarios.length > 0) {
      playScenarios(server, scenarios, stringOption(args, 'truth'), args.values.json === true, io).catch((error: unknown) => {
        io.err(`echoscope mock: scenario failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    const signal = await io.stopSignal;
    stopNotices();
    await server.close();
    if (!args.values.json) io.out(`Stopped (${signal}).`);
    return EXIT.ok;
  },
};

/** Says what the .env gave, and writes the lines that point it at the mock (or shows them). False when the file could not be written. */
async function pointEnvAtMock(envFile: EnvFile, fromEnv: MockEnvSettings, server: MockServer, write: boolean, json: boolean, io: CliIo): Promise<boolean> {
  const target = mockTarget(server);
  if (!write) {
    const already = pointsAt(envFile, target);
    if (json) io.out(JSON.stringify({ event: 'env', file: envFile.path, pointsHere: already, notes: fromEnv.notes }));
    else {
      for (const note of fromEnv.notes) io.out(`  ${note}`);
      if (already) io.out(`  ${envFile.path} already points the app at this mock.`);
      else
        io.out(
          [`  To point the app at this mock, run again with --write-env, or set in ${envFile.path}:`, ...linesToWrite(envFile, target).map((line) => `    ${line}`)].join('\n'),
        );
    }
    return true;
  }
  try {
    // Read again: the file may have changed while the server started.
    const fresh = await readEnvFile(envFile.path);
    refuseBrokenEnv(fresh);
    const changes = await writeEnvForMock(fresh, target);
    if (json) io.out(JSON.stringify({ event: 'env-written', file: envFile.path, changes }));
    else {
      for (const note of fromEnv.notes) io.out(`  ${note}`);
      const changed = changes.filter((change) => change.action !== 'kept');
      io.out(
        changed.length === 0
          ? `  ${envFile.path} already pointed the app at this mock: not rewritten.`
          : `  Wrote ${envFile.path}: ${changed.map((change) => `${change.name} (${change.action}, line ${change.line})`).join(', ')}; every other line as it was.`,
      );
      if (changed.length > 0) io.out(`  ${RESTART_HINT}`);
    }
    return true;
  } catch (error) {
    io.err(`echoscope mock: cannot write ${envFile.path}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

/** Config file first, then the .env's app and port, then command-line options on top. */
export async function resolveOptions(args: ParsedArgs, fromEnv?: MockEnvSettings): Promise<MockServerOptions> {
  const file = stringOption(args, 'config');
  let options: MockServerOptions = {};
  if (file) {
    try {
      options = await loadMockConfig(file);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  if (fromEnv?.app !== undefined) options.apps = [fromEnv.app, ...(options.apps ?? []).slice(1)];
  if (fromEnv?.port !== undefined) options.port = fromEnv.port;
  const host = stringOption(args, 'host');
  if (host !== undefined) options.host = host;
  options.port = intOption(args, 'port', options.port ?? DEFAULT_MOCK_PORT, 0, 65535);
  const id = stringOption(args, 'app-id');
  const key = stringOption(args, 'key');
  const secret = stringOption(args, 'secret');
  if (id !== undefined || key !== undefined || secret !== undefined) {
    const [first = DEFAULT_APP, ...others] = options.apps ?? [];
    options.apps = [{ id: id ?? first.id, key: key ?? first.key, secret: secret ?? first.secret }, ...others];
  }
  const limits = { ...options.limits };
  limits.maxConnections = intOption(args, 'max-connections', limits.maxConnections ?? DEFAULT_LIMITS.maxConnections, 1);
  limits.maxMessageSize = intOption(args, 'max-message-size', limits.maxMessageSize ?? DEFAULT_LIMITS.maxMessageSize, 1);
  limits.clientEventRate = intOption(args, 'client-event-rate', limits.clientEventRate ?? DEFAULT_LIMITS.clientEventRate, 1);
  options.limits = limits;
  options.activityTimeoutSec = intOption(args, 'activity-timeout', options.activityTimeoutSec ?? 120, 1, 3600);
  const scalingUrl = stringOption(args, 'scaling');
  const scalingChannel = stringOption(args, 'scaling-channel');
  if (scalingChannel !== undefined && scalingUrl === undefined && options.scaling === undefined) throw new UsageError('--scaling-channel needs --scaling redis://host:port');
  if (scalingUrl !== undefined || scalingChannel !== undefined) {
    const url = scalingUrl ?? options.scaling!.url;
    const channel = scalingChannel ?? options.scaling?.channel;
    options.scaling = channel === undefined ? { url } : { url, channel };
  }
  if (options.scaling !== undefined) {
    try {
      options.scaling = resolveScaling(options.scaling);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  const policy = stringOption(args, 'auth-policy');
  if (policy !== undefined) {
    try {
      options.authPolicy = parseAuthPolicy(policy);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  return options;
}

/** Says on stderr (or as JSON lines) when the scaling Redis is lost, when broadcasts go unpublished, and when it is back. */
function reportScaling(server: MockServer, json: boolean, io: CliIo): () => void {
  return server.onScalingNotice((notice, status) => {
    if (json) {
      const { kind, ...details } = notice;
      io.out(JSON.stringify({ event: `scaling-${kind}`, ...details, status }));
      return;
    }
    switch (notice.kind) {
      case 'lost':
        io.err(`echoscope mock: lost the scaling Redis at ${status.url} (${notice.error}); reconnecting. Broadcasts meanwhile are not published (counted).`);
        return;
      case 'not-published':
        io.err(`echoscope mock: "${notice.event}" not published: ${notice.reason}. Further ones are counted until Redis is back.`);
        return;
      case 'restored':
        io.err(
          `echoscope mock: the scaling Redis is back after ${(notice.downMs / 1000).toFixed(1)} s; ${notice.notPublished} broadcast${notice.notPublished === 1 ? ' was' : 's were'} not published meanwhile (${status.notPublished} in all).`,
        );
        return;
    }
  });
}

/** Plays scenarios one after another on the standalone server, narrating each session's fate. */
async function playScenarios(server: MockServer, scenarios: Scenario[], truthFile: string | undefined, json: boolean, io: CliIo): Promise<void> {
  const truths = [];
  for (const scenario of scenarios) {
    const run = startScenario(server, scenario, { appId: server.apps[0]!.id });
    const channels = run.truth.sessions.map((s) => s.channel);
    if (json) io.out(JSON.stringify({ event: 'scenario-started', scenario: scenario.name, channels }));
    else {
      io.out(`Scenario ${scenario.name}: ${channels.length} session${channels.length === 1 ? '' : 's'}${scenario.waitForSubscriber ? ', each waiting for a subscriber' : ''}:`);
      for (const channel of channels.slice(0, 20)) io.out(`  ${channel}`);
      if (channels.length > 20) io.out(`  … and ${channels.length - 20} more`);
    }
    const progress = await run.done;
    truths.push(run.truth);
    if (json) io.out(JSON.stringify({ event: 'scenario-finished', scenario: scenario.name, published: progress.published, elapsedMs: Math.round(progress.elapsedMs) }));
    else io.out(`Scenario ${scenario.name} finished: ${progress.published} events in ${(progress.elapsedMs / 1000).toFixed(1)} s`);
  }
  if (truthFile !== undefined) {
    await writeFile(truthFile, `${JSON.stringify(truths.length === 1 ? truths[0] : truths, null, 2)}\n`);
    if (json) io.out(JSON.stringify({ event: 'truth-written', file: truthFile }));
    else io.out(`Ground truth written to ${truthFile}`);
  }
}
