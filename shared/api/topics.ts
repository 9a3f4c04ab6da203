import { z } from 'zod';
import { JournalRecordSchema } from '../journal/records';
import { monitorCommands, SessionDetailSchema, SessionRowSchema, SessionStatusSchema, AnomalySchema } from './monitor';
import { SessionQuerySchema } from './session-query';

/**
 * Topics of the App API's subscriptions (STYLE §14, VS Code's `IChannel.listen(event, arg)`): a
 * view subscribes to a topic with its parameters, gets a snapshot, then deltas of that topic only,
 * for it only, batched per push interval, until it unsubscribes or its window or socket goes.
 * The host does no work for a topic nobody subscribes to.
 *
 * Each topic: `params` (validated at the boundary like a command's request), `snapshot` (the
 * state the subscription starts from) and `delta` (what changes it; `shared/api/topic-state.ts`
 * applies one to the state, and the state after every delta equals a fresh snapshot).
 */

const RECORD_TYPES = ['frame', 'connection', 'subscription'] as const;

/** The raw record stream, as captured, optionally only one connection's, one channel's, or some record types. */
const tail = {
  params: z
    .object({
      connection: z.string().min(1).max(2000).optional(),
      channel: z.string().min(1).max(2000).optional(),
      types: z.array(z.enum(RECORD_TYPES)).min(1).optional(),
      /** Records the subscriber keeps (and the snapshot's size: the newest frames that match). */
      keep: z.number().int().min(1).max(5000).default(200),
    })
    .strict(),
  snapshot: z.object({ items: z.array(JournalRecordSchema), dropped: z.number().int().min(0) }),
  /** Records since the previous delta, in arrival order; past the batch bound the oldest are dropped and counted (the journal keeps them). */
  delta: z.object({ items: z.array(JournalRecordSchema), dropped: z.number().int().min(0) }),
};

/** A text changed from `at` on: keep the first `at` characters, then `text`. */
const TextSplice = z.object({ at: z.number().int().min(0), text: z.string() });

/** Keys of a session's detail a patch sets whole (texts and anomalies are spliced). */
export const SESSION_DETAIL_SET_KEYS = ['row', 'vantage', 'observations', 'comparison', 'gaps', 'reconcile', 'anomaliesDropped', 'textLength', 'naiveTextLength'] as const;
/** Keys of a session's detail that may be absent. */
export const SESSION_DETAIL_OPTIONAL_KEYS = ['anomaliesDropped', 'textLength', 'naiveTextLength'] as const;

export const SessionDetailPatchSchema = z.object({
  kind: z.literal('patch'),
  set: SessionDetailSchema.pick({
    row: true,
    vantage: true,
    observations: true,
    comparison: true,
    gaps: true,
    reconcile: true,
    anomaliesDropped: true,
    textLength: true,
    naiveTextLength: true,
  }).partial(),
  unset: z.array(z.enum(SESSION_DETAIL_OPTIONAL_KEYS)).optional(),
  text: TextSplice.optional(),
  naiveText: TextSplice.optional(),
  /** The anomalies changed from index `at` on: keep the first `at`, then `items`. */
  anomalies: z.object({ at: z.number().int().min(0), items: z.array(AnomalySchema) }).optional(),
});
export type SessionDetailPatch = z.infer<typeof SessionDetailPatchSchema>;

/** One session's detail (`sessions.get` with the same parameters): null until the session is seen. */
const session = {
  params: z.object({ sessionId: z.string().min(1), vantage: z.string().min(1).max(2000).optional(), maxTextChars: z.number().int().min(0).optional() }).strict(),
  snapshot: SessionDetailSchema.nullable(),
  delta: z.discriminatedUnion('kind', [z.object({ kind: z.literal('replace'), detail: SessionDetailSchema.nullable() }), SessionDetailPatchSchema]),
};

const StatusCounts = z.record(SessionStatusSchema, z.number().int().min(0));

/** The Live table's visible window: rows `offset … offset+limit` of the sessions that match `query`, in its order. */
const live = {
  params: z.object({ offset: z.number().int().min(0), limit: z.number().int().min(1).max(1000), query: SessionQuerySchema }).strict(),
  snapshot: z.object({
    /** Sessions that match the query. */
    total: z.number().int().min(0),
    /** Every session the monitor holds, and how many of each status. */
    sessions: z.number().int().min(0),
    counts: StatusCounts,
    offset: z.number().int().min(0),
    rows: z.array(SessionRowSchema),
  }),
  /** The window's session ids in order, and the rows among them that are new to the subscriber or changed. */
  delta: z.object({
    total: z.number().int().min(0),
    sessions: z.number().int().min(0),
    counts: StatusCounts,
    ids: z.array(z.string()),
    rows: z.array(SessionRowSchema),
  }),
};

/** The fleet overview (`fleet.summary` with the same parameters); a delta is the new summary. */
const fleet = {
  params: monitorCommands['fleet.summary'].request,
  snapshot: monitorCommands['fleet.summary'].response,
  delta: z.object({ fleet: monitorCommands['fleet.summary'].response }),
};

export const topics = { tail, session, live, fleet } as const;

export type Topics = typeof topics;
export type TopicName = keyof Topics;
export type TopicParams<T extends TopicName> = z.input<Topics[T]['params']>;
export type ParsedTopicParams<T extends TopicName> = z.output<Topics[T]['params']>;
/** What a subscription starts from, and what its deltas keep up to date. */
export type TopicState<T extends TopicName> = z.output<Topics[T]['snapshot']>;
export type TopicDelta<T extends TopicName> = z.output<Topics[T]['delta']>;

export const TOPIC_NAMES = Object.keys(topics) as TopicName[];

export function isTopicName(name: unknown): name is TopicName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(topics, name);
}

/** A subscription's id: chosen by the subscriber (unique among its own), so a delta that overtakes the answer finds its subscription. */
export const SubscriptionIdSchema = z.string().min(1).max(100);

const subscribeTo = <T extends TopicName, P extends Topics[T]['params']>(topic: T, params: P) => z.object({ id: SubscriptionIdSchema, topic: z.literal(topic), params }).strict();

export const subscriptionCommands = {
  /** Opens a subscription of this window or bridge client: answers its snapshot; deltas follow as `subscriptions.deltas` pushes. */
  'subscriptions.subscribe': {
    request: z.discriminatedUnion('topic', [
      subscribeTo('tail', tail.params),
      subscribeTo('session', session.params),
      subscribeTo('live', live.params),
      subscribeTo('fleet', fleet.params),
    ]),
    response: z.object({ id: SubscriptionIdSchema, snapshot: z.unknown() }),
  },
  /** Closes one: no delta of it follows. `unsubscribed: false` when it was not open. */
  'subscriptions.unsubscribe': { request: z.object({ id: SubscriptionIdSchema }).strict(), response: z.object({ unsubscribed: z.boolean() }) },
} as const;

export const subscriptionPushes = {
  /** The deltas of this receiver's subscriptions since the previous push, one entry per subscription that changed. */
  'subscriptions.deltas': z.object({ items: z.array(z.object({ id: SubscriptionIdSchema, delta: z.unknown() })) }),
  /** The transport lost the host's subscriptions (the browser bridge reconnected): subscribe again. Said by the transport itself. */
  'subscriptions.reset': z.object({}),
} as const;
