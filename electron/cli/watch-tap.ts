import { describeZodError, redactRedisUrl, TapSettingsSchema, type TapSettings, type TapStatus } from '../../shared/api';
import { stringOption, UsageError, type OptionSpec, type ParsedArgs } from './command';

/** `watch` options for a server-side tap (docs/taps.md). */
export const watchTapOptions: Record<string, OptionSpec> = {
  tap: {
    type: 'string',
    description: "also read what the server side publishes, from the app's Redis: redis://[user:password@]host[:port][/db] (alone, without --url: the tap only)",
    valueName: 'redis-url',
  },
  'tap-format': {
    type: 'string',
    description: "laravel: Laravel's redis broadcaster (what laravel-echo-server reads); reverb: Reverb's scaling channel (REVERB_SCALING_ENABLED)",
    valueName: 'format',
    default: 'laravel',
  },
  'tap-prefix': {
    type: 'string',
    description: "laravel: the app's Redis key prefix (REDIS_PREFIX; Laravel 13: laravel-database-; '' for none)",
    valueName: 'prefix',
    default: 'laravel_database_',
  },
  'tap-channel': { type: 'string', description: 'reverb: the scaling channel (REVERB_SCALING_CHANNEL)', valueName: 'channel', default: 'reverb' },
  'tap-app-id': { type: 'string', description: "reverb: only this Reverb app's messages (default: every app's)", valueName: 'id' },
};

/** The tap the options ask for; undefined without --tap (and then no --tap-… option may be given). */
export function tapFromArgs(args: ParsedArgs): TapSettings | undefined {
  const url = stringOption(args, 'tap');
  const given = (['tap-format', 'tap-prefix', 'tap-channel', 'tap-app-id'] as const).filter((name) => args.values[name] !== undefined);
  if (url === undefined) {
    // Defaults fill in values the user did not type; only the app id has none.
    if (args.values['tap-app-id'] !== undefined) throw new UsageError('--tap-app-id needs --tap redis://host:port');
    return undefined;
  }
  const format = stringOption(args, 'tap-format') ?? 'laravel';
  if (format !== 'laravel' && format !== 'reverb') throw new UsageError(`--tap-format must be laravel or reverb, got ${JSON.stringify(format)}`);
  if (format === 'laravel' && given.includes('tap-app-id')) throw new UsageError('--tap-app-id is for --tap-format reverb (a scaling channel carries every app)');
  const parsed = TapSettingsSchema.safeParse({
    url,
    format,
    prefix: stringOption(args, 'tap-prefix') ?? 'laravel_database_',
    channel: stringOption(args, 'tap-channel') ?? 'reverb',
    ...(stringOption(args, 'tap-app-id') ? { appId: stringOption(args, 'tap-app-id') } : {}),
  });
  if (!parsed.success) throw new UsageError(`--tap: ${describeZodError(parsed.error).replace(/^url: /, '')}`);
  return parsed.data;
}

export interface TapWatchOptions {
  settings: TapSettings;
  connectTimeoutMs: number;
  /** Progress (on a terminal, or --progress). */
  say?: (line: string) => void;
  /** Problems worth saying once, --quiet or not. */
  warn(message: string): void;
  /** The tap cannot do its job: `watch` stops and exits 1 with this reason. */
  fatal(reason: string): void;
}

/**
 * What `watch` says about its tap: that it reads, a drop, messages it could not read — and that
 * it failed for good when Redis did not answer within the connect timeout at the start (ioredis
 * retries forever).
 */
export class TapWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private connectedOnce = false;
  private state: TapStatus['state'] | undefined;
  private error: string | undefined;
  private ignoredSaid = false;
  private ended = false;

  constructor(private readonly options: TapWatchOptions) {
    const url = redactRedisUrl(options.settings.url);
    this.timer = setTimeout(() => {
      if (this.ended || this.connectedOnce) return;
      this.ended = true;
      options.fatal(
        `no connection to Redis at ${url} within ${options.connectTimeoutMs / 1000}s${this.error ? `: ${this.error}` : ''}. Is Redis running there? --tap takes the app's Redis (REDIS_HOST, REDIS_PORT)`,
      );
    }, options.connectTimeoutMs);
  }

  status(tap: TapStatus | undefined): void {
    if (this.ended || tap === undefined) return;
    if (tap.error) this.error = tap.error;
    if (tap.state !== this.state) {
      this.state = tap.state;
      if (tap.state === 'connected') {
        this.options.say?.(`tap ${this.connectedOnce ? 'reading again' : 'reading'}: ${tap.watching} on ${tap.url}`);
        this.connectedOnce = true;
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
      } else if (this.connectedOnce && tap.state === 'disconnected') {
        this.options.warn(`tap lost Redis at ${tap.url}${tap.error ? `: ${tap.error}` : ''}; reconnecting (what is published meanwhile is not seen)`);
      }
    }
    if (!this.ignoredSaid && tap.ignored > 0 && tap.firstIgnored !== undefined) {
      this.ignoredSaid = true;
      this.options.warn(`tap ignored a message that is not a broadcast: ${tap.firstIgnored}`);
    }
  }

  stop(): void {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
