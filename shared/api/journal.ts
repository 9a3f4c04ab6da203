import { z } from 'zod';

/** The journal's part of the App API: size and retention, export and import (NDJSON v1, HAR). */

export const RetentionSchema = z
  .object({
    /** Records older than this are pruned (whole blocks); null keeps everything. */
    maxAgeMs: z.number().int().min(60_000).nullable(),
    /** The journal is pruned oldest-first above this size; null = no limit. */
    maxBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .nullable(),
  })
  .strict();
export type Retention = z.infer<typeof RetentionSchema>;

/** How the thread that writes the journal is doing (the headless host supervises its worker; docs/journal.md). */
export const JournalHealthSchema = z.object({
  state: z.enum(['ok', 'restarting']),
  /** Times the journal's thread was started again since the host started. */
  restarts: z.number().int().min(0),
  /** Why it is restarting, `null` when ok. */
  message: z.string().nullable(),
});
export type JournalHealth = z.infer<typeof JournalHealthSchema>;

export const JournalStatsSchema = z.object({
  records: z.number(),
  bytes: z.number(),
  oldestAt: z.number().nullable(),
  newestAt: z.number().nullable(),
  retention: RetentionSchema,
  /** Where the journal lives (file path in the headless host, IndexedDB in the desktop app). */
  location: z.string(),
  /** Records analyzed but not journaled since start: too many waited while the journal could not take them. */
  unjournaled: z.number().int().min(0).optional(),
  /** Present where the journal's thread is supervised (the headless host). */
  health: JournalHealthSchema.optional(),
});
export type JournalStats = z.infer<typeof JournalStatsSchema>;

/** Largest file accepted by `journal.import` over the bridge (the CLI's `analyze` has no such limit). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export const journalCommands = {
  'journal.stats': { request: z.object({}).strict(), response: JournalStatsSchema },
  'journal.retention': { request: RetentionSchema.partial().strict(), response: RetentionSchema },
  'journal.export': {
    request: z.object({ sessionId: z.string().optional(), from: z.number().optional(), to: z.number().optional() }).strict(),
    response: z.object({ fileName: z.string(), ndjson: z.string(), records: z.number() }),
  },
  'journal.import': {
    request: z
      .object({
        fileName: z.string().min(1).max(300),
        content: z.string().max(MAX_IMPORT_BYTES, `the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB: use "echoscope analyze" for it`),
      })
      .strict(),
    response: z.object({
      format: z.enum(['ndjson', 'har']),
      records: z.number(),
      sessions: z.array(z.string()),
      /** Broken lines or entries, skipped with their line number; nothing else is lost. */
      issues: z.array(z.object({ line: z.number().optional(), message: z.string() })),
    }),
  },
} as const;
