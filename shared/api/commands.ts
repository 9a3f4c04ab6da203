import { z } from 'zod';
import { FrameRecordSchema } from '../journal/records';
import { ConnectionStatusSchema, ChannelStatusSchema } from './connections';
import { ChannelNameSchema, ProfileIdSchema, ProfileInputSchema, ProfileViewSchema } from './profiles';
import { scenarioCommands } from './scenarios';
import { monitorCommands } from './monitor';
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

/**
 * Every command of the App API: request schema → response schema.
 * Both transports (Electron IPC, WebSocket bridge) validate requests with these
 * before any service sees them and answer with a `Result` envelope.
 */
export const commands = {
  'app.info': { request: Empty, response: AppInfoSchema },
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
  ...monitorCommands,
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
