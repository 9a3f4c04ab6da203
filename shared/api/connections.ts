import { z } from 'zod';
import { ApiErrorSchema } from './result';
import { TapStatusSchema } from './taps';

/** pusher-js connection states, as the hub reports them. */
export const HubStateSchema = z.enum(['initialized', 'connecting', 'connected', 'unavailable', 'disconnected', 'failed']);
export type HubState = z.infer<typeof HubStateSchema>;

export const ChannelStatusSchema = z.object({
  name: z.string(),
  status: z.enum(['pending', 'subscribed', 'failed', 'unsubscribed']),
  error: ApiErrorSchema.optional(),
  /** Something about the channel worth saying that is not an error (e.g. a public channel that stays silent). */
  warning: z.string().optional(),
});
export type ChannelStatus = z.infer<typeof ChannelStatusSchema>;

export const ConnectionStatusSchema = z.object({
  profileId: z.string(),
  state: HubStateSchema,
  socketId: z.string().optional(),
  /** The last error in words (auth failure, refused connection, close code), cleared on success. */
  lastError: ApiErrorSchema.optional(),
  channels: z.array(ChannelStatusSchema),
  since: z.number(),
  /** Channel discovery, when the profile has it: the last poll and its error in words (never silent). */
  discovery: z
    .object({
      prefix: z.string(),
      lastPollAt: z.number().nullable(),
      channels: z.number(),
      released: z.number().optional(),
      lastWebhookAt: z.number().optional(),
      error: z.string().optional(),
    })
    .optional(),
  /** The profile's server-side tap, when it has one (a tap of its own vantage, `{profileId}:tap`). */
  tap: TapStatusSchema.optional(),
});
export type ConnectionStatus = z.infer<typeof ConnectionStatusSchema>;
