import { z } from 'zod';
import { ANOMALY_KINDS } from '../analysis/verdict';
import { FAULT_KINDS } from '../scenario/faults';

/**
 * Scenario commands of the App API (the mock provider's scenario runner, for the UI). Spread
 * into `commands` / `pushes`; the Node side is `ScenarioRunner` (electron/core/scenarios).
 */

const ScenarioName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a scenario name: lowercase letters, digits and dashes');
const RunId = z.string().min(1).max(100);

export const ScenarioSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  /** `builtin` for the library, `loaded` for a scenario loaded in this run of the app. */
  origin: z.enum(['builtin', 'loaded']),
  seed: z.number().int(),
  sessions: z.number().int(),
  faults: z.array(z.enum(FAULT_KINDS as [string, ...string[]])),
  expectations: z.number().int(),
});
export type ScenarioSummary = z.infer<typeof ScenarioSummarySchema>;

export const ScenarioLoadRequestSchema = z.union([
  /** YAML or JSON text (a file the user picked); one scenario or `{scenarios: [...]}`. */
  z.object({ text: z.string().min(1).max(1_000_000), fileName: z.string().max(300).optional() }).strict(),
  /** A path on the machine running EchoScope (CLI-like use). */
  z.object({ path: z.string().min(1).max(4096) }).strict(),
]);

export const ScenarioStartRequestSchema = z
  .object({
    name: ScenarioName,
    /**
     * `simulate`: play it on the app's embedded mock provider (watch it with a connection to that mock);
     * `check`: run it like `echoscope check` (own mock, EchoScope watching, expect + ground truth).
     */
    mode: z.enum(['simulate', 'check']).default('simulate'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional(),
  })
  .strict();

export const ScenarioRunSchema = z.object({
  runId: RunId,
  scenario: z.string(),
  mode: z.enum(['simulate', 'check']),
  sessions: z.array(z.object({ sessionId: z.string(), channel: z.string() })),
});
export type ScenarioRunView = z.infer<typeof ScenarioRunSchema>;

const KindScoreSchema = z.object({
  kind: z.enum(ANOMALY_KINDS),
  expected: z.number().int(),
  detected: z.number().int(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
});

export const ScenarioProgressSchema = z.object({
  runId: RunId,
  scenario: z.string(),
  mode: z.enum(['simulate', 'check']),
  state: z.enum(['running', 'finished', 'stopped', 'failed']),
  sessions: z.number().int(),
  queued: z.number().int(),
  waiting: z.number().int(),
  active: z.number().int(),
  resolved: z.number().int(),
  published: z.number().int(),
  elapsedMs: z.number(),
  /** `check` mode, once finished. */
  result: z
    .object({
      passed: z.boolean(),
      sessionsFailed: z.number().int(),
      failures: z.array(z.object({ sessionId: z.string(), field: z.string(), reason: z.string() })),
      scores: z.array(KindScoreSchema),
    })
    .optional(),
  error: z.string().optional(),
});
export type ScenarioProgress = z.infer<typeof ScenarioProgressSchema>;

/** A run and its latest progress (`scenarios.runs`: the Scenarios view after a reload). */
export const ScenarioRunEntrySchema = z.object({ run: ScenarioRunSchema, progress: ScenarioProgressSchema });
export type ScenarioRunEntry = z.infer<typeof ScenarioRunEntrySchema>;

export const scenarioCommands = {
  /** The built-in library and the scenarios loaded so far. */
  'scenarios.list': { request: z.object({}).strict(), response: z.array(ScenarioSummarySchema) },
  /** Parses and keeps scenarios (replacing loaded ones of the same name); errors name the bad field's path. */
  'scenarios.load': { request: ScenarioLoadRequestSchema, response: z.array(ScenarioSummarySchema) },
  'scenarios.start': { request: ScenarioStartRequestSchema, response: ScenarioRunSchema },
  'scenarios.stop': { request: z.object({ runId: RunId }).strict(), response: z.object({ stopped: z.boolean() }) },
  /** The runs of this host's lifetime, newest first (at most the last 50), each with its latest progress and result. */
  'scenarios.runs': { request: z.object({}).strict(), response: z.array(ScenarioRunEntrySchema) },
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;

export const scenarioPushes = {
  /** Latest progress of each run that changed since the previous push (final states included). */
  'scenarios.progress': z.object({ items: z.array(ScenarioProgressSchema) }),
} as const satisfies Record<string, z.ZodType>;
