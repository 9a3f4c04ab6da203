import { z } from 'zod';
import { FrameRecordSchema } from '../journal/records';
import { ConnectionStatusSchema, ChannelStatusSchema } from './connections';
import { ChannelNameSchema, ProfileIdSchema, ProfileInputSchema, ProfileViewSchema } from './profiles';
import { scenarioCommands } from './scenarios';
import { contractCommands, sessionCommands } from './monitor';
import { journalCommands } from './journal';
import { proxyCommands } from './proxy';
import { metricsCommands } from './metrics';
import { subscriptionCommands } from './topics';

export const AppInfoSchema = z.object({
  name: z.literal('EchoScope'),
  version: z.string(),
  /** `electron` in the desktop app, `browser` when the headless host serves the dashboard. */
  transport: z.enum(['electron', 'browser']),
  /** Set when the host runs the embedded mock provider (the demo). */
  demo: z.object({ url: z.string(), appId: z.string(), key: z.string() }).nullable(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

const Empty = z.object({}).strict();
const ProfileRef = z.object({ profileId: ProfileIdSchema }).strict();
const ChannelRef = z.object({ profileId: ProfileIdSchema, channel: ChannelNameSchema }).strict();

/** What the host is (`app.info`). */
export const appCommands = {
  'app.info': { request: Empty, response: AppInfoSchema },
} as const;

/** Connection profiles, the hub's connections and channels, the raw tail, the embedded mock's counters (ConnectionsService on the host). */
export const connectionCommands = {
  'profiles.list': { request: Empty, response: z.array(ProfileViewSchema) },
  'profiles.save': { request: ProfileInputSchema, response: ProfileViewSchema },
  'profiles.delete': { request: ProfileRef, response: z.object({ deleted: z.boolean() }) },
  'connections.list': { request: Empty, response: z.array(ConnectionStatusSchema) },
  'connections.connect': { request: ProfileRef, response: ConnectionStatusSchema },
  'connections.disconnect': { request: ProfileRef, response: ConnectionStatusSchema },
  'channels.subscribe': { request: ChannelRef, response: ChannelStatusSchema },
  'channels.unsubscribe': { request: ChannelRef, response: ChannelStatusSchema },
  'tail.recent': {
    request: z.object({ limit: z.number().int().min(1).max(5000).default(200) }).strict(),
    response: z.array(FrameRecordSchema),
  },
  'mock.counters': {
    request: Empty,
    /** Counters of the embedded mock provider, per app; null when this host runs none. */
    response: z
      .array(
        z.looseObject({
          appId: z.string(),
          connections: z.number(),
          subscriptions: z.number(),
          channels: z.number(),
          messagesIn: z.number(),
          messagesOut: z.number(),
        }),
      )
      .nullable(),
  },
} as const;

/**
 * The App API's commands by domain: each group is answered by one service on the host
 * (electron/core/app/services), and every command is in exactly one group (checked below).
 */
export const commandDomains = {
  app: appCommands,
  connections: connectionCommands,
  sessions: sessionCommands,
  contracts: contractCommands,
  metrics: metricsCommands,
  journal: journalCommands,
  scenarios: scenarioCommands,
  proxy: proxyCommands,
  subscriptions: subscriptionCommands,
} as const;

/**
 * Every command of the App API: request schema → response schema.
 * Both transports (Electron IPC, WebSocket bridge) validate requests with these
 * before any service sees them and answer with a `Result` envelope.
 */
export const commands = {
  ...appCommands,
  ...connectionCommands,
  ...sessionCommands,
  ...contractCommands,
  ...metricsCommands,
  ...journalCommands,
  ...scenarioCommands,
  ...proxyCommands,
  ...subscriptionCommands,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandRequest<C extends CommandName> = z.input<Commands[C]['request']>;
export type ParsedRequest<C extends CommandName> = z.output<Commands[C]['request']>;
export type CommandResponse<C extends CommandName> = z.output<Commands[C]['response']>;

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}

export type CommandDomains = typeof commandDomains;
export type CommandDomain = keyof CommandDomains;
/** The names of one domain's commands. */
export type DomainCommandName<D extends CommandDomain> = { [K in D]: keyof CommandDomains[K] }[D] & CommandName;

/** Commands that two domains both list (a spread would keep one of them silently). */
type SharedCommands<G> = { [A in keyof G]: { [B in Exclude<keyof G, A>]: keyof G[A] & keyof G[B] }[Exclude<keyof G, A>] }[keyof G];
/** Compiles only when every command is in one domain and one only: the host's router can then hand each to one service. */
type OneDomainEach = [SharedCommands<CommandDomains>] extends [never]
  ? [Exclude<CommandName, DomainCommandName<CommandDomain>>] extends [never]
    ? true
    : ['commands in no domain:', Exclude<CommandName, DomainCommandName<CommandDomain>>]
  : ['commands in two domains:', SharedCommands<CommandDomains>];
export const COMMANDS_IN_ONE_DOMAIN_EACH: OneDomainEach = true;
