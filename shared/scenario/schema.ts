import { z } from 'zod';
import { ANOMALY_KINDS } from '../analysis/verdict';
import { SessionStatusSchema } from '../contract/states';
import { DistributionSchema } from './distribution';
import { faultCombinationIssues, leastTokens } from './combinations';
import { FaultSchema, SERVER_FAULTS } from './faults';
import { contractFaultIssues, isStreamContract, ScenarioContractSchema, STREAM_CHECKS } from './contracts';
import { ProxyFaultsSchema } from '../proxy/faults';

/**
 * Scenario files (YAML or JSON): what the simulator plays and what `echoscope check` expects.
 * Parse with `parseScenario`, which reports errors with the path of the bad field.
 */

const SessionIdSchema = z.string().regex(/^[A-Za-z0-9_\-=@,.;]{1,150}$/, 'session ids may use A-Za-z0-9_-=@,.; (they become channel names)');

export const TimingSchema = z.strictObject({
  /** Time to first token, from the session's start (after a subscriber joined, when waiting). */
  ttftMs: DistributionSchema.default({ uniform: [20, 60] }),
  interTokenMs: DistributionSchema.default({ lognormal: { p50: 15, p95: 40 } }),
});
export type Timing = z.output<typeof TimingSchema>;

export const CheckpointSchema = z.strictObject({
  /** The generation record is saved every N tokens (DESIGN §1 recommends ~40). */
  everyTokens: z.number().int().min(1).default(40),
  /** Also save when this long has passed since the last save, so slow streams stay fresh. */
  adaptive: z.boolean().default(false),
  maxIntervalMs: z.number().min(1).default(1000),
});

export const SessionGroupSchema = z.strictObject({
  /** One session with this id … */
  id: SessionIdSchema.optional(),
  /** … or these ids … */
  ids: z.array(SessionIdSchema).min(1).optional(),
  /** … or `count` sessions named by a pattern where `{n}` is 1, 2, … (default `{scenario}-{n}`). */
  idPattern: z.string().includes('{n}', { message: 'idPattern needs {n}' }).optional(),
  count: z.number().int().min(1).max(100_000).optional(),
  /** Start offset from the run's start (ms), then `staggerMs` more for each next session of the group. */
  startMs: DistributionSchema.default(0),
  staggerMs: z.number().min(0).default(0),
  /** Queue workers: at most this many sessions of the group stream at once. */
  concurrency: z.number().int().min(1).optional(),
  /** Tokens the final attempt generates (a distribution for a varied fleet). */
  tokens: DistributionSchema.optional(),
  timing: TimingSchema.partial().optional(),
  /** Your own text instead of the built-in corpus; split into LLM-like tokens. */
  text: z.string().min(1).optional(),
  faults: z.array(FaultSchema).default([]),
});
export type SessionGroupInput = z.input<typeof SessionGroupSchema>;
export type SessionGroup = z.output<typeof SessionGroupSchema>;

/** `">0"`, `"<=3"`, `"==0"`, `"!=1"`, `"<5"`, `">=2"`, or a number (equality). */
export const ComparisonSchema = z.union([z.number(), z.string().regex(/^\s*(==|!=|<=|>=|<|>)\s*-?\d+(\.\d+)?\s*$/, 'a comparison looks like ">0", "<=3", "==0"')]);

export const COUNTED_FIELDS = [
  'events',
  'uniqueSequences',
  'maxSequence',
  'duplicates',
  'conflicts',
  'replays',
  'outOfOrder',
  'afterTerminal',
  'missing',
  'gaps',
  'stalls',
  'violations',
  'disconnects',
] as const;
export type CountedField = (typeof COUNTED_FIELDS)[number];

export const ExpectSchema = z.strictObject({
  /** Session id or a glob (`crash-*`); default every session. */
  session: z.string().default('*'),
  status: z.union([SessionStatusSchema, z.array(SessionStatusSchema).min(1)]).optional(),
  terminationCode: z.string().nullable().optional(),
  counts: z.partialRecord(z.enum(COUNTED_FIELDS), ComparisonSchema).optional(),
  anomalies: z
    .strictObject({
      present: z.array(z.enum(ANOMALY_KINDS)).default([]),
      absent: z.array(z.enum(ANOMALY_KINDS)).default([]),
    })
    .optional(),
  /** The text a correct client shows equals the generation record's final_text. */
  textEqualsFinal: z.boolean().optional(),
  /** Subscription (or first event) to the first terminal event, a comparison in ms (`"<2000"`). */
  timeToTerminalMs: ComparisonSchema.optional(),
});
export type ExpectInput = z.input<typeof ExpectSchema>;
export type Expect = z.output<typeof ExpectSchema>;

export const AnalyzerSettingsSchema = z.strictObject({
  stallAfterMs: z.number().int().min(1).optional(),
  orphanAfterMs: z.number().int().min(1).optional(),
  reorderWindowMs: z.number().int().min(0).optional(),
});

export const ScenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'name: lowercase letters, digits and dashes'),
    description: z.string().default(''),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    /** Mock app the scenario runs on (standalone `mock --scenario` uses the server's first app). */
    app: z.strictObject({ id: z.string().min(1), key: z.string().min(1), secret: z.string().min(1) }).optional(),
    /** Channel prefix; the contract's default is `private-ai.` (channel = prefix + session id). */
    channelPrefix: z.string().default('private-ai.'),
    /**
     * The broadcast the simulator speaks: the seed's `chunk.delivered` (`echoscope`), or the event
     * stream of the Laravel AI SDK (`laravel-ai`) or Prism (`prism`), or the Vercel AI SDK's UI
     * message stream relayed over Echo (`vercel-data-stream`), without sequence numbers.
     */
    contract: ScenarioContractSchema.default('echoscope'),
    /** The seed contract's event name (a stream contract names each event itself). */
    event: z.string().default('chunk.delivered'),
    timing: TimingSchema.default({ ttftMs: { uniform: [20, 60] }, interTokenMs: { lognormal: { p50: 15, p95: 40 } } }),
    tokens: DistributionSchema.default(60),
    checkpoint: CheckpointSchema.default({ everyTokens: 40, adaptive: false, maxIntervalMs: 1000 }),
    /** The orphan sweeper marks an active record `orphaned` after this much silence. */
    orphanAfterMs: z.number().int().min(1).default(300_000),
    /** Sessions wait for a subscriber on their channel before the first token (no tokens lost to nobody). */
    waitForSubscriber: z.boolean().default(true),
    /** Give up waiting after this long and stream anyway. */
    subscriberTimeoutMs: z.number().int().min(1).default(60_000),
    /** Settings for EchoScope's analyzer in `check` (short thresholds keep checks fast). */
    analyzer: AnalyzerSettingsSchema.default({}),
    sessions: z.array(SessionGroupSchema).min(1),
    expect: z.array(ExpectSchema).default([]),
    /**
     * `proxy`: in `check`, EchoScope watches through the fault proxy (docs/proxy.md) in front of
     * the mock, which applies `proxy`'s rules to what the mock sends; the ground truth joins both.
     */
    target: z.enum(['mock', 'proxy']).default('mock'),
    /** The proxy's rules (with `target: proxy`). */
    proxy: ProxyFaultsSchema.optional(),
    /**
     * The keep-alive of EchoScope's watcher connections in `check` (pusher-js's `activityTimeout`
     * and `pongTimeout`): short ones make a proxy's `ping-silence` cost the client its socket
     * within the scenario, as it does a browser's after its own timers.
     */
    keepAlive: z
      .strictObject({ activityTimeoutMs: z.number().int().min(50).max(3_600_000), pongTimeoutMs: z.number().int().min(50).max(600_000) })
      .partial()
      .optional(),
  })
  .superRefine((scenario, context) => {
    if (scenario.proxy !== undefined && scenario.target !== 'proxy') {
      context.addIssue({ code: 'custom', path: ['proxy'], message: 'proxy rules apply with target: proxy (add it, or remove the rules)' });
    }
    if (scenario.target === 'proxy') {
      // What `check` can score through the proxy today: one socket per session, a sequence to place each event by.
      if (scenario.contract !== 'echoscope') {
        context.addIssue({
          code: 'custom',
          path: ['target'],
          message: `target: proxy is scored with contract: echoscope for now (a ${scenario.contract} stream numbers its events by arrival, which the proxy changes)`,
        });
      }
      scenario.sessions.forEach((group, g) =>
        group.faults.forEach((fault, i) => {
          if (SERVER_FAULTS.includes(fault.kind)) {
            context.addIssue({
              code: 'custom',
              path: ['sessions', g, 'faults', i, 'kind'],
              message: `${fault.kind} cannot be scored through the proxy yet (the client comes back on a new socket): drop target: proxy for this scenario`,
            });
          }
        }),
      );
    }
    const seen = new Map<string, string>();
    const stream = isStreamContract(scenario.contract);
    // A stream's session is its channel's suffix after the last dot (the payload names no session).
    if (stream && !scenario.channelPrefix.endsWith('.')) {
      context.addIssue({
        code: 'custom',
        path: ['channelPrefix'],
        message: `a ${scenario.contract} stream's session is the channel's suffix after its last dot, so channelPrefix must end with a dot (e.g. "private-ai.")`,
      });
    }
    if (stream) {
      scenario.expect.forEach((expectation, e) => {
        for (const field of ['missing', 'gaps'] as const) {
          if (expectation.counts?.[field] === undefined) continue;
          context.addIssue({
            code: 'custom',
            path: ['expect', e, 'counts', field],
            message: `a ${scenario.contract} stream has no sequence numbers, so missing events cannot be known (the verdict says checks.gaps: false): expect ${field} only with contract: echoscope`,
          });
        }
        if (expectation.anomalies?.present.includes('gap')) {
          context.addIssue({ code: 'custom', path: ['expect', e, 'anomalies', 'present'], message: `a ${scenario.contract} stream cannot show a gap: it has no sequence numbers` });
        }
        if (isStreamContract(scenario.contract) && !STREAM_CHECKS[scenario.contract].order) {
          const why = `a ${scenario.contract} stream has no sequence numbers and random ids, so order cannot be known (checks.order: false)`;
          if (expectation.counts?.outOfOrder !== undefined)
            context.addIssue({ code: 'custom', path: ['expect', e, 'counts', 'outOfOrder'], message: `${why}: expect outOfOrder only with echoscope, laravel-ai or prism` });
          if (expectation.anomalies?.present.includes('out_of_order'))
            context.addIssue({ code: 'custom', path: ['expect', e, 'anomalies', 'present'], message: `${why}: out_of_order cannot be shown` });
        }
      });
    }
    scenario.sessions.forEach((group, g) => {
      const ways = [group.id, group.ids, group.idPattern].filter((v) => v !== undefined).length;
      if (ways > 1) context.addIssue({ code: 'custom', path: ['sessions', g, 'id'], message: 'use one of id, ids or idPattern' });
      if (group.count !== undefined && (group.id !== undefined || group.ids !== undefined)) {
        context.addIssue({ code: 'custom', path: ['sessions', g, 'count'], message: 'count goes with idPattern (or no id at all), not with id/ids' });
      }
      for (const id of sessionIdsOf(scenario.name, group, g)) {
        if (stream && id.includes('.')) {
          context.addIssue({
            code: 'custom',
            path: ['sessions', g, group.idPattern !== undefined ? 'idPattern' : group.ids !== undefined ? 'ids' : 'id'],
            message: `session id "${id}" has a dot: a ${scenario.contract} stream's session is the channel's suffix after its last dot, so its ids cannot contain one`,
          });
          break;
        }
        const previous = seen.get(id);
        if (previous !== undefined) context.addIssue({ code: 'custom', path: ['sessions', g], message: `session id "${id}" is already used by ${previous}` });
        else seen.set(id, `sessions[${g}]`);
      }
      // Every fault is played or refused here by path: none is silently skipped (combinations.ts).
      const tokens = leastTokens(group.tokens ?? scenario.tokens, group.text !== undefined && group.tokens === undefined);
      for (const issue of [...contractFaultIssues(scenario.contract, group.faults), ...faultCombinationIssues(group.faults, `sessions[${g}]`, tokens)]) {
        context.addIssue({ code: 'custom', path: ['sessions', g, 'faults', issue.index, ...(issue.field ?? [])], message: issue.message });
      }
      group.faults.forEach((fault, i) => {
        // A silence the sweeper would take for a dead worker makes the record's outcome a race.
        const silence = fault.kind === 'stall' ? fault.durationMs : fault.kind === 'crash' || fault.kind === 'error' ? (fault.retry?.backoffMs ?? 0) : 0;
        if (silence >= scenario.orphanAfterMs) {
          const field = fault.kind === 'stall' ? ['durationMs'] : ['retry', 'backoffMs'];
          context.addIssue({
            code: 'custom',
            path: ['sessions', g, 'faults', i, ...field],
            message: `must be shorter than orphanAfterMs (${scenario.orphanAfterMs}), or the sweeper marks the session orphaned mid-way`,
          });
        }
        if (fault.kind === 'crash' && fault.retry && fault.times > fault.retry.tries) {
          context.addIssue({ code: 'custom', path: ['sessions', g, 'faults', i, 'times'], message: `times (${fault.times}) cannot exceed retry.tries (${fault.retry.tries})` });
        }
      });
    });
  });
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type Scenario = z.output<typeof ScenarioSchema>;

/** The session ids a group defines, in order. */
export function sessionIdsOf(scenarioName: string, group: SessionGroup, index: number): string[] {
  if (group.id !== undefined) return [group.id];
  if (group.ids !== undefined) return [...group.ids];
  const pattern = group.idPattern ?? (index === 0 ? `${scenarioName}-{n}` : `${scenarioName}-g${index + 1}-{n}`);
  const count = group.count ?? 1;
  return Array.from({ length: count }, (_, i) => pattern.replaceAll('{n}', String(i + 1)));
}

/** A list of scenarios in one file: `{scenarios: [...]}` (a suite). */
export const ScenarioSuiteSchema = z.strictObject({
  name: z.string().optional(),
  scenarios: z.array(ScenarioSchema).min(1),
});
