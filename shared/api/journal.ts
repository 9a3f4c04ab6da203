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

/**
 * Largest `content` of `journal.import` (text sent whole, in one message): for small inputs from
 * code and tests. The app's Import sends a file in chunks instead (`journal.importBegin`), any size.
 */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

/**
 * Bytes of a file per `journal.importChunk`. Sent as base64 (4/3 as many characters, nothing to
 * escape), a chunk's message stays well under the bridge's 1 MiB limit whatever the file holds.
 */
export const IMPORT_CHUNK_BYTES = 512 * 1024;

/**
 * Largest HAR file the app imports. A HAR is one JSON document, read whole once it has all
 * arrived, unlike NDJSON, which is read line by line whatever its size.
 */
export const MAX_HAR_IMPORT_BYTES = 64 * 1024 * 1024;

export const ExportFormatSchema = z.enum(['ndjson', 'har']);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

export const JournalExportRequestSchema = z
  .object({
    sessionId: z.string().optional(),
    from: z.number().optional(),
    to: z.number().optional(),
    /** NDJSON v1 (the default), or HAR 1.2 with Chrome's `_webSocketMessages` (docs/journal.md, "HAR export"). */
    format: ExportFormatSchema.optional(),
  })
  .strict();
export type JournalExportRequest = z.infer<typeof JournalExportRequestSchema>;

export const ImportIssueSchema = z.object({ line: z.number().optional(), message: z.string() });

export const JournalImportResultSchema = z.object({
  format: z.enum(['ndjson', 'har']),
  records: z.number(),
  /** Sessions the imported records touched (at most the first 10,000; `sessionCount` counts them all). */
  sessions: z.array(z.string()),
  sessionCount: z.number().int().min(0).optional(),
  /** Broken lines (NDJSON, by line number) or entries (HAR), skipped: the first 100 (`issueCount` counts them all). Nothing else is lost. */
  issues: z.array(ImportIssueSchema),
  issueCount: z.number().int().min(0).optional(),
});
export type JournalImportResult = z.infer<typeof JournalImportResultSchema>;

/** How far a chunked import has got: every record of the lines read so far is journaled. */
export const JournalImportProgressSchema = z.object({
  importId: z.string(),
  /** Bytes of the file taken so far. */
  bytes: z.number().int().min(0),
  /** Records journaled so far. */
  records: z.number().int().min(0),
  /** Complete lines read so far (NDJSON; 0 for a HAR, which is read at the end). */
  lines: z.number().int().min(0),
});
export type JournalImportProgress = z.infer<typeof JournalImportProgressSchema>;

const ImportIdSchema = z.string().min(1).max(100);

export const journalCommands = {
  'journal.stats': { request: z.object({}).strict(), response: JournalStatsSchema },
  'journal.retention': { request: RetentionSchema.partial().strict(), response: RetentionSchema },
  /**
   * An export as one answer (the desktop app saves it as a file). The headless host streams the
   * same export as a download instead (JOURNAL_EXPORT_PATH), with no size limit.
   */
  'journal.export': {
    request: JournalExportRequestSchema,
    response: z.object({ fileName: z.string(), format: ExportFormatSchema, content: z.string(), records: z.number() }),
  },
  /**
   * The desktop app's export: the user picks a file in a save dialog and the journal streams into
   * it (no size limit, nothing held whole); `saved: false` when the dialog was cancelled. Refused
   * in the browser, which downloads from the host instead.
   */
  'journal.saveAs': {
    request: JournalExportRequestSchema,
    response: z.object({ saved: z.boolean(), path: z.string().nullable(), format: ExportFormatSchema, records: z.number(), bytes: z.number() }),
  },
  /** Text imported whole, in one message: small inputs (code, tests). Files go in chunks (`journal.importBegin`). */
  'journal.import': {
    request: z
      .object({
        fileName: z.string().min(1).max(300),
        content: z
          .string()
          .max(MAX_IMPORT_BYTES, `the text is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB: send it in chunks (journal.importBegin) or use "echoscope analyze"`),
      })
      .strict(),
    response: JournalImportResultSchema,
  },
  /**
   * A chunked import (issue 19, item 6): `importBegin` names the file, `importChunk` sends it in
   * order, at most IMPORT_CHUNK_BYTES a time as base64 — each answered once its records are
   * journaled, so the sender goes at the journal's pace — and `importEnd` reads the last line and
   * answers the import's result. `importAbort` stops one and says what was already journaled.
   * An import not continued for a minute is dropped the same way (and said in the log).
   */
  'journal.importBegin': {
    request: z.object({ fileName: z.string().min(1).max(300), bytes: z.number().int().min(0).optional() }).strict(),
    response: z.object({ importId: z.string() }),
  },
  'journal.importChunk': {
    request: z
      .object({
        importId: ImportIdSchema,
        /** Where this chunk starts in the file: it must be where the last one ended. */
        offset: z.number().int().min(0),
        data: z
          .string()
          .max(Math.ceil(IMPORT_CHUNK_BYTES / 3) * 4, `a chunk is at most ${IMPORT_CHUNK_BYTES} bytes`)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'data must be base64'),
      })
      .strict(),
    response: JournalImportProgressSchema,
  },
  'journal.importEnd': { request: z.object({ importId: ImportIdSchema }).strict(), response: JournalImportResultSchema },
  'journal.importAbort': { request: z.object({ importId: ImportIdSchema }).strict(), response: JournalImportProgressSchema },
} as const;
