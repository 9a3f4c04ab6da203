import { Analyzer, type AnalyzerOptions } from '../../shared/analysis';
import { ProfileInputSchema, describeZodError, redactRedisUrl, type ConnectionStatus, type Profile, type TapSettings } from '../../shared/api';
import type { JournalRecord } from '../../shared/journal';
import { preciseNow } from '../core/clock';
import { CONTRACT_OPTION_HELP, resolveContract } from './contract-option';
import { FAIL_ON_HELP, failOnReport, parseFailOn, type FailOn } from './fail-on';
import { ConnectionHub, listenForWebhooks as listenForWebhooksOn, WEBHOOK_PATH, type WebhookListener } from '../core/hub';
import { formatVerdictTable } from './analyze';
import { EXIT, intOption, stringOption, UsageError, type CliCommand, type CliIo, type ParsedArgs } from './command';
import { parseDuration, THRESHOLD_HELP, thresholdOption } from './duration';
import { formatReconciliations, WatchFollow } from './watch-follow';
import { parseHeaders, parseServerUrl, profileFields, watchFollowOptions } from './watch-options';
import { ENV_OPTION, readEnvFile } from './env-option';
import { watchProfileFromEnv } from './watch-env';
import { IngestGuard } from '../core/ingest-guard';
import { LiveAnalyzerMetrics, metricsOptions, otlpOptions, startCliMetrics, type CliMetrics } from './metrics-option';
import { printable } from './terminal-text';
import { serverName } from './watch-diagnose';
import { WatchHealth } from './watch-health';
import { openWatchJournal, type WatchJournal } from './watch-journal';
import { WatchProgress } from './watch-progress';
import { TapWatch, tapFromArgs, watchTapOptions } from './watch-tap';

export const watchCommand: CliCommand = {
  name: 'watch',
  summary: 'headless monitor: record a journal of live channels and print verdicts',
  usage:
    'echoscope watch (--env FILE | --url ws://HOST:PORT --key KEY [--app-id ID --secret S | --auth-endpoint URL [--auth-header "Name: value"]…]) (--channel C… [--private] | --discover PREFIX [--api-key K] [--webhook-port N]) [--tap redis://HOST:PORT …] | --tap redis://HOST:PORT [--tap-format laravel|reverb] [--tap-prefix P | --tap-channel C [--tap-app-id ID]]) [--reconcile URL-TEMPLATE [--reconcile-header "N: v"]…] [--for DURATION] [--journal FILE|DIR] [--json] [--connect-timeout DURATION] [--quiet | --progress] [--metrics-port N] [--otlp-endpoint URL [--otlp-interval DURATION] [--otlp-header Name=value]…]',
  details: [
    'Connects like a browser would (laravel-echo + pusher-js; --kind socketio for laravel-echo-server),',
    'records every frame with its arrival time, and analyzes sessions live. It ends after --for, or on',
    'Ctrl-C, and then prints the verdicts (the table, or the verdict JSON with --json).',
    '',
    'Examples:',
    '  echoscope watch --url ws://127.0.0.1:8080 --key app-key --app-id 1 --secret s3cret --discover private-ai. --for 5m --journal run.ndjson',
    '  echoscope watch --url ws://localhost:6001 --kind socketio --key x --auth-endpoint http://localhost:8000/broadcasting/auth \\',
    '    --auth-header "Authorization: Bearer TOKEN" --channel private-ai.42 --json',
    '  echoscope watch --url ws://127.0.0.1:8080 --key app-key --secret s3cret --private --channel ai.42 \\',
    '    --reconcile "http://127.0.0.1:8000/api/generations/{sessionId}" --reconcile-header "Authorization: Bearer QA_TOKEN"',
    '  echoscope watch --url http://127.0.0.1:6001 --kind socketio --key x --app-id APP_ID --api-key API_KEY --discover private-ai.',
    '  echoscope watch --url http://127.0.0.1:6001 --kind socketio --key x --private --channel ai.42 --tap redis://127.0.0.1:6379',
    '  echoscope watch --tap redis://127.0.0.1:6379 --tap-format reverb --tap-app-id my-app-id --for 10m --journal published.ndjson',
    '  echoscope watch --env ../app/.env --otlp-endpoint http://127.0.0.1:4318/v1/metrics   # push the figures to a Collector',
    '',
    'Metrics (docs/metrics.md): --metrics-port serves them for Prometheus to scrape; --otlp-endpoint pushes the same',
    'figures to an OpenTelemetry Collector every --otlp-interval and once more when the watch ends. A collector that',
    'does not answer is said once on stderr (and counted in echoscope_otlp_export_failures_total); the watch goes on.',
    '',
    "With --tap, a server-side tap reads what the app publishes from its Redis (Laravel's redis broadcaster,",
    "or Reverb's scaling channel with --tap-format reverb): every event on every channel, none subscribed. It is",
    'a vantage of its own (connection "watch:tap" in the journal); each session a client saw too says what was',
    'published and not delivered (delivery_loss), what arrived that was never published, and the publish→arrival',
    'latency ("published" in --json). --tap alone, without --url, records and analyzes what was published only.',
    '',
    '  echoscope watch --env ../app/.env --for 5m --journal run.ndjson',
    '  echoscope watch --env ../app/.env --url http://127.0.0.1:6001 --auth-header "Authorization: Bearer QA_TOKEN" \\',
    '    --app-id APP_ID --api-key API_KEY --reconcile /api/generations/{sessionId}     # a redis-broadcaster app',
    '',
    "With --env (a Laravel app's .env, read as phpdotenv and config/broadcasting.php read it) it connects as the",
    "app's frontend Echo does: the connection of BROADCAST_CONNECTION (BROADCAST_DRIVER before Laravel 11), its",
    'VITE_REVERB_*/REVERB_* (or PUSHER_*) key and server, the app secret to sign private channels, or with',
    "--auth-header APP_URL's /broadcasting/auth. Flags given explicitly win over the file (--kind chooses which",
    'connection is read); --reconcile and --auth-endpoint may be paths read against APP_URL. Without --channel or',
    '--discover it follows private-ai.* channels. A redis-broadcaster app is relayed by laravel-echo-server, whose',
    'address is not in .env: give its --url. Each problem is named with its line; a file with errors is refused.',
    '',
    'Channel names: --channel ai.42 watches the public channel ai.42; Laravel broadcasts a PrivateChannel',
    "('ai.42') on private-ai.42: give --private (or the full name). A public channel that stays silent gets a",
    'warning naming the private one. Discovery leaves a channel once its session ended (after --leave-grace',
    "without events) or nobody else is on it, so the app's occupancy stays true; --keep-channels stays.",
    'With --reconcile, each ended session is compared with the app record, again after later terminals or',
    'events and once quiet (--reconcile-settle); a session that never ended is compared when it goes silent',
    '(orphaned) and when the watch stops. The results follow the verdicts ("reconciliation" in --json).',
    '',
    'While it runs it says on stderr (when stderr is a terminal, or with --progress; never with --quiet)',
    'when it connects, which channels it watches, and each session as it ends with its status.',
    '',
    'It stops with exit code 1 and says why when it cannot do its job: no connection within',
    '--connect-timeout (nothing listens, wrong port or --kind; Socket.IO and pusher-js would retry forever),',
    'a connection the server closed for good (e.g. 4001: the app key is not known there), discovery',
    "answered with an error (wrong --secret or --app-id: the server's answer is shown), or no channel",
    'given with --channel could be subscribed (including laravel-echo-server failing to reach its authHost).',
    '',
    'With --fail-on KIND,…|any it also exits 1 when a session showed one of those anomaly kinds or statuses',
    '(the verdicts are printed first), so a watch beside a load test can gate a pipeline.',
    '',
    'Exit codes: 0 watched and printed verdicts; 1 the connection or discovery failed for good, or a --fail-on kind or',
    'status occurred (reason on stderr); 2 bad options.',
  ].join('\n'),
  options: {
    url: { type: 'string', description: 'server WebSocket URL (ws:// or wss://; for socketio the server URL)', valueName: 'url' },
    key: { type: 'string', description: 'app key', valueName: 'key' },
    env: ENV_OPTION,
    kind: {
      type: 'string',
      description: "reverb (Reverb, soketi, the mock), pusher (Pusher Channels) or socketio (laravel-echo-server); default reverb, with --env the app's broadcaster",
      valueName: 'kind',
    },
    cluster: { type: 'string', description: 'Pusher Channels cluster (with --kind pusher)', valueName: 'cluster' },
    'app-id': { type: 'string', description: 'app id (needed by --discover)', valueName: 'id' },
    secret: { type: 'string', description: 'app secret: signs private/presence channels locally (and discovery requests)', valueName: 'secret' },
    'auth-endpoint': { type: 'string', description: "the app's auth endpoint (e.g. http://localhost:8000/broadcasting/auth)", valueName: 'url' },
    'auth-header': { type: 'string', multiple: true, description: 'header sent to the auth endpoint, "Name: value" (repeatable: bearer token, cookie, CSRF)', valueName: 'header' },
    channel: { type: 'string', multiple: true, description: 'channel to watch (repeatable)', valueName: 'name' },
    discover: { type: 'string', description: 'follow every channel with this prefix via the HTTP API (e.g. private-ai.)', valueName: 'prefix' },
    'poll-interval': { type: 'string', description: 'discovery poll interval in ms', valueName: 'ms', default: '2000' },
    for: { type: 'string', description: 'stop after this long (30s, 5m, 1h); default: until Ctrl-C', valueName: 'duration' },
    journal: {
      type: 'string',
      description: 'record everything to this NDJSON journal file (continued when it exists, no second header) or existing journal directory (segments, as serve keeps)',
      valueName: 'file|dir',
    },
    json: { type: 'boolean', description: 'print the verdict JSON instead of the table' },
    contract: { type: 'string', description: CONTRACT_OPTION_HELP, valueName: 'name|file' },
    'fail-on': { type: 'string', description: FAIL_ON_HELP, valueName: 'kind,…' },
    profile: { type: 'string', description: 'contract profile (YAML or JSON); the same as --contract FILE', valueName: 'file' },
    ...watchFollowOptions,
    ...watchTapOptions,
    'stall-after': { type: 'string', description: `silence before a session counts as stalled ${THRESHOLD_HELP}`, valueName: 'duration', default: '8s' },
    'orphan-after': { type: 'string', description: `silence before an unfinished session counts as orphaned ${THRESHOLD_HELP}`, valueName: 'duration', default: '5m' },
    'connect-timeout': { type: 'string', description: 'give up (exit 1) when the connection is not up this long after the start or a drop', valueName: 'duration', default: '10s' },
    quiet: { type: 'boolean', short: 'q', description: 'no progress on stderr (problems and the reason of a failure are still said)' },
    progress: { type: 'boolean', description: 'show progress on stderr even when it is not a terminal' },
    ...metricsOptions,
    ...otlpOptions,
    'webhook-port': {
      type: 'string',
      description: `receive the server's webhooks (soketi, Pusher: channel_occupied/vacated) at http://127.0.0.1:N${WEBHOOK_PATH}, so --discover follows a channel the moment it is occupied`,
      valueName: 'n',
    },
  },
  async run(args, io) {
    const envPath = stringOption(args, 'env');
    // What the .env gave is said like progress: not with --quiet, and with --json only on a terminal or with --progress.
    const chatty = args.values.quiet !== true && (args.values.json !== true || args.values.progress === true || io.interactive === true);
    const tap = tapFromArgs(args);
    const profile =
      envPath !== undefined
        ? withTap(
            watchProfileFromEnv(args, await readEnvFile(envPath), (line) => io.err(`echoscope watch: ${printable(line)}`), chatty),
            tap,
          )
        : tap !== undefined && tapOnly(args)
          ? undefined
          : profileFromArgs(args, tap);
    const analyzerOptions: AnalyzerOptions = {
      stallAfterMs: thresholdOption(args, 'stall-after', 8000),
      orphanAfterMs: thresholdOption(args, 'orphan-after', 300_000),
    };
    const contract = stringOption(args, 'contract') ?? stringOption(args, 'profile');
    if (contract) {
      try {
        analyzerOptions.profile = await resolveContract(contract);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const failOnValue = stringOption(args, 'fail-on');
    const failOn = failOnValue === undefined ? undefined : parseFailOn(failOnValue);
    const duration = stringOption(args, 'for');
    const forMs = duration === undefined ? undefined : parseDuration(duration, 'for');
    const journalFile = stringOption(args, 'journal');
    const connectTimeoutMs = parseDuration(stringOption(args, 'connect-timeout') ?? '10s', 'connect-timeout');
    if (connectTimeoutMs <= 0) throw new UsageError('--connect-timeout must be longer than 0');
    if (args.values.quiet === true && args.values.progress === true) throw new UsageError('use either --quiet or --progress, not both');
    const progress = args.values.quiet === true ? false : args.values.progress === true || io.interactive === true;
    const webhookPort = stringOption(args, 'webhook-port') === undefined ? undefined : intOption(args, 'webhook-port', 0, 1);
    if (webhookPort !== undefined && !profile?.discover) throw new UsageError('--webhook-port tells --discover which channels are occupied: give --discover PREFIX too');
    if (webhookPort !== undefined && profile?.auth.mode !== 'secret') throw new UsageError('--webhook-port checks each webhook with the app secret: give --secret too');
    const metrics = await startCliMetrics(args, (line) => io.err(`echoscope watch: ${line}`));
    return watch(
      profile,
      {
        tap,
        analyzerOptions,
        forMs,
        journalFile,
        json: args.values.json === true,
        connectTimeoutMs,
        progress,
        quiet: args.values.quiet === true,
        ...(failOn ? { failOn } : {}),
        ...(webhookPort !== undefined ? { webhookPort } : {}),
      },
      io,
      metrics,
    );
  },
};

/** A profile from a .env with the tap the command line gave. */
function withTap(profile: Profile, tap: TapSettings | undefined): Profile {
  return tap === undefined ? profile : { ...profile, tap };
}

/** `--tap` without a connection: no --url, --key or --cluster. Options that only a connection can use are refused. */
function tapOnly(args: ParsedArgs): boolean {
  if (['url', 'key', 'cluster'].some((name) => args.values[name] !== undefined)) return false;
  const needing = ['channel', 'discover', 'secret', 'auth-endpoint', 'app-id', 'reconcile'].filter((name) => args.values[name] !== undefined);
  if (needing.length > 0) {
    throw new UsageError(`--${needing[0]} needs a connection (--url and --key): a tap alone reads every channel without subscribing`);
  }
  return true;
}

function profileFromArgs(args: ParsedArgs, tap: TapSettings | undefined): Profile {
  const url = stringOption(args, 'url');
  const kind = stringOption(args, 'kind') ?? 'reverb';
  const key = stringOption(args, 'key');
  if (!key) throw new UsageError('--key is required');
  if (kind !== 'pusher' && !url) throw new UsageError('--url is required (ws://host:port)');
  const server = url ? parseServerUrl(url) : { host: '127.0.0.1', port: 443, tls: true };
  const secret = stringOption(args, 'secret');
  const endpoint = stringOption(args, 'auth-endpoint');
  if (secret && endpoint) throw new UsageError('use either --secret or --auth-endpoint, not both');
  if (args.values['auth-header'] !== undefined && !endpoint) {
    throw new UsageError(
      "--auth-header is sent only to an auth endpoint: give --auth-endpoint URL too (for --kind socketio, the app endpoint laravel-echo-server calls), or --env with the app's APP_URL",
    );
  }
  const headers = parseHeaders((args.values['auth-header'] as string[] | undefined) ?? [], 'auth-header');
  const channels = (args.values.channel as string[] | undefined) ?? [];
  const prefix = stringOption(args, 'discover');
  if (channels.length === 0 && !prefix) throw new UsageError('give --channel (repeatable) or --discover PREFIX');
  const follow = profileFields(args);
  const parsed = ProfileInputSchema.safeParse({
    id: WATCH_ID,
    name: 'watch',
    kind,
    ...server,
    key,
    ...(stringOption(args, 'cluster') ? { cluster: stringOption(args, 'cluster') } : {}),
    ...(stringOption(args, 'app-id') ? { appId: stringOption(args, 'app-id') } : {}),
    auth: secret ? { mode: 'secret', secret } : endpoint ? { mode: 'endpoint', url: endpoint, headers } : { mode: 'none' },
    channels,
    ...follow.fields,
    ...(prefix ? { discover: { prefix, intervalMs: intOption(args, 'poll-interval', 2000, 250), ...follow.discover } } : {}),
    ...(tap ? { tap } : {}),
  });
  if (!parsed.success) throw new UsageError(describeZodError(parsed.error).replace(/^discover:/, '--discover:'));
  return parsed.data;
}

interface WatchOptions {
  /** The server-side tap (with `profile`: the profile's; without: the tap alone). */
  tap: TapSettings | undefined;
  analyzerOptions: AnalyzerOptions;
  /** Exit 1 when one of these anomaly kinds or statuses occurred. */
  failOn?: FailOn;
  forMs: number | undefined;
  journalFile: string | undefined;
  json: boolean;
  connectTimeoutMs: number;
  /** Live progress on stderr. */
  progress: boolean;
  quiet: boolean;
  /** Receive the server's webhooks on 127.0.0.1 at this port (discovery). */
  webhookPort?: number;
}

/** The profile id `watch` gives its connection; its tap is `watch:tap` in the journal. */
const WATCH_ID = 'watch';

async function watch(profile: Profile | undefined, options: WatchOptions, io: CliIo, metrics?: CliMetrics): Promise<number> {
  const analyzer = new Analyzer(options.analyzerOptions);
  const live = metrics ? new LiveAnalyzerMetrics(analyzer, metrics) : undefined;
  const say = (line: string) => io.err(`echoscope watch: ${printable(line)}`);
  let failed: string | undefined;
  let resolveFailed: () => void = () => undefined;
  const failedSignal = new Promise<void>((resolve) => (resolveFailed = resolve));
  let journal: WatchJournal | undefined;
  const journalFile = options.journalFile;
  if (journalFile !== undefined) {
    // A journal that cannot be written is a run that records nothing: say so and stop.
    const cannot = (error: unknown) => `cannot write the journal ${journalFile}: ${error instanceof Error ? error.message : String(error)}`;
    try {
      journal = await openWatchJournal(journalFile, say);
    } catch (error) {
      io.err(`echoscope watch: ${printable(cannot(error))}`);
      await live?.finish([]);
      return EXIT.failed;
    }
    journal.onError((error) => {
      failed ??= cannot(error);
      resolveFailed();
    });
  }
  const fatal = (reason: string) => {
    failed ??= reason;
    resolveFailed();
  };
  const health = profile ? new WatchHealth({ profile, connectTimeoutMs: options.connectTimeoutMs, warn: say, fatal }) : undefined;
  const tapWatch = options.tap
    ? new TapWatch({ settings: options.tap, connectTimeoutMs: options.connectTimeoutMs, ...(options.progress ? { say } : {}), warn: say, fatal })
    : undefined;
  const watched = profile ? serverName(profile) : `Redis at ${redactRedisUrl(options.tap!.url)}`;
  const progress = options.progress ? new WatchProgress(watched, analyzer, say) : undefined;
  const warned = new Set<string>();
  let follow: WatchFollow | undefined;
  const guard = new IngestGuard((message) => say(message));
  const onRecord = (record: JournalRecord) => {
    const session = guard.feed((r) => analyzer.ingest(r), record);
    live?.ingested(session);
    if (follow) guard.feed((r) => follow?.ingest(r), record);
    // Batched and fdatasync'ed; one record, one line, no blank ones.
    journal?.add(record);
    health?.record(record);
    progress?.record(record, session);
  };
  const onStatus = (status: ConnectionStatus) => {
    tapWatch?.status(status.tap);
    // A tap alone has no connection for these to judge.
    if (!profile) return;
    health?.status(status);
    progress?.status(status);
    // A public channel that stays silent: the likely private name (channel-names.ts).
    for (const warning of status.channels.map((c) => c.warning)) {
      if (warning && !warned.has(warning)) {
        warned.add(warning);
        say(warning);
      }
    }
  };
  const hub = new ConnectionHub({ record: onRecord, status: onStatus });
  if (profile && WatchFollow.needed(profile)) follow = new WatchFollow(hub, profile, options.analyzerOptions);
  if (profile) hub.connect(profile);
  else hub.openTap(WATCH_ID, options.tap!);
  const webhooks = options.webhookPort === undefined ? undefined : await listenForWebhooks(hub, options.webhookPort);
  if (webhooks !== undefined && !options.quiet) say(`webhooks: POST ${webhooks.url} (soketi: SOKETI_DEFAULT_APP_WEBHOOKS; docs/connections.md)`);
  if (!options.json && !options.quiet)
    say(`watching ${watched}${profile && options.tap ? ` and its Redis (tap)` : ''}${options.forMs ? ` for ${options.forMs / 1000}s` : ''} (Ctrl-C to stop)`);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = options.forMs === undefined ? new Promise<void>(() => undefined) : new Promise<void>((resolve) => (timer = setTimeout(resolve, options.forMs)));
  await Promise.race([elapsed, io.stopSignal, failedSignal]);
  if (timer) clearTimeout(timer);
  health?.stop();
  tapWatch?.stop();
  progress?.stop();
  const reconciliation = (await follow?.finish()) ?? [];
  hub.closeAll();
  await webhooks?.close();
  try {
    await journal?.close();
  } catch (error) {
    failed ??= `cannot write the journal ${journalFile}: ${error instanceof Error ? error.message : String(error)}`;
  }

  // The journal ends with our own close record, so this is the same end `analyze` will use on it.
  const end = Number.isFinite(analyzer.lastAt) ? analyzer.lastAt : preciseNow();
  const verdict = analyzer.verdicts(end, { endOfJournal: true });
  await live?.finish(verdict.sessions);
  const reconciled = profile?.reconcile ? { reconciliation } : {};
  // A run that failed before any session has no table worth printing; --json always prints its document.
  if (options.json || !failed || verdict.sessions.length > 0) {
    io.out(options.json ? JSON.stringify({ ...verdict, ...reconciled }, null, 2) : formatVerdictTable(verdict) + formatReconciliations(reconciliation));
  }
  if (failed) {
    io.err(`echoscope watch: ${printable(failed)}`);
    return EXIT.failed;
  }
  const failure = options.failOn === undefined ? null : failOnReport(verdict, options.failOn);
  if (failure !== null) {
    io.err(`echoscope watch: ${failure}`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** `--webhook-port`: the receiver from core, its listen failure said as a usage error. */
async function listenForWebhooks(hub: ConnectionHub, port: number): Promise<WebhookListener> {
  try {
    return await listenForWebhooksOn(hub, port);
  } catch (error) {
    throw new UsageError(`--webhook-port ${port}: cannot listen on 127.0.0.1:${port} (${error instanceof Error ? error.message : String(error)})`);
  }
}
