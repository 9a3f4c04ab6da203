import { loadMockConfig } from '../mock/config-file';
import { DEFAULT_APP, DEFAULT_LIMITS, parseAuthPolicy, startMockServer, type MockServerOptions } from '../mock/index';
import { EXIT, intOption, stringOption, UsageError, type CliCommand, type ParsedArgs } from './command';

/** Port the standalone mock listens on when neither --port nor the config file says (soketi's default). */
export const DEFAULT_MOCK_PORT = 6001;

export const mockCommand: CliCommand = {
  name: 'mock',
  summary: 'standalone mock provider: a local Pusher-protocol server for Laravel apps and Echo',
  usage: 'echoscope mock [--port N] [--host H] [--app-id ID --key KEY --secret S] [--config F] [--json]',
  details: [
    'Speaks Pusher protocol 7 at ws://HOST:PORT/app/{key}, the Pusher HTTP API at /apps/{id}/…,',
    'Laravel-style POST /broadcasting/auth, GET /api/generations/{sessionId} and GET /metrics.',
    'Command-line options override the config file. See docs/mock-provider.md.',
    '',
    'Examples:',
    '  echoscope mock                                  # 127.0.0.1:6001, app echoscope / echoscope-key / echoscope-secret',
    '  echoscope mock --port 0 --json                  # pick a port, print {"event":"listening",…}',
    '  echoscope mock --config mock.json --auth-policy allow-list:private-ai.*',
    '',
    'Stops cleanly on SIGINT/SIGTERM. Exit codes: 0 stopped, 1 failed to start, 2 bad usage.',
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
    json: { type: 'boolean', description: 'print one JSON line {"event":"listening","host":…,"port":…} when ready, nothing else' },
  },
  async run(args, io) {
    const options = await resolveOptions(args);
    let server;
    try {
      server = await startMockServer(options);
    } catch (error) {
      io.err(`echoscope mock: could not start: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.failed;
    }
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
      io.out('Press Ctrl+C to stop.');
    }
    const signal = await io.stopSignal;
    await server.close();
    if (!args.values.json) io.out(`Stopped (${signal}).`);
    return EXIT.ok;
  },
};

/** Config file first, then command-line options on top. */
export async function resolveOptions(args: ParsedArgs): Promise<MockServerOptions> {
  const file = stringOption(args, 'config');
  let options: MockServerOptions = {};
  if (file) {
    try {
      options = await loadMockConfig(file);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
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
