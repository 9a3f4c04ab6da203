import { describeZodError } from '../api/result';
import type { Journal } from './journal';
import { JournalWindowRequestSchema, type JournalWindowMessage, type ParsedJournalWindowRequest } from './window-protocol';

/** A journal the window (or the host's worker) serves: one that stores appends as a {@link RecordBatch}. */
export type ServedJournal = Journal & Required<Pick<Journal, 'appendBatch'>>;

/**
 * The journal window's side: answers one request with the journal. Kept here, free of
 * DOM types, so Vitest drives it over a Node MessageChannel exactly as Electron does.
 * It never rejects: a store that did not open, like any failure, is the request's error result.
 */
export async function answerJournalRequest(journal: ServedJournal | Promise<ServedJournal>, raw: unknown, send: (message: JournalWindowMessage) => void): Promise<void> {
  const parsed = JournalWindowRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && Number.isInteger((raw as { id?: unknown }).id) ? (raw as { id: number }).id : 0;
    send({ kind: 'result', id, result: { ok: false, error: { code: 'invalid_request', message: describeZodError(parsed.error) } } });
    return;
  }
  const request = parsed.data;
  try {
    send({ kind: 'result', id: request.id, result: { ok: true, value: await perform(await journal, request, send) } });
  } catch (error) {
    send({ kind: 'result', id: request.id, result: { ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } } });
  }
}

async function perform(journal: ServedJournal, request: ParsedJournalWindowRequest, send: (message: JournalWindowMessage) => void): Promise<unknown> {
  switch (request.op) {
    case 'append':
      await journal.appendBatch(request.batch);
      return null;
    case 'import':
      return journal.import(request.records);
    case 'query':
      return journal.query(request.query);
    case 'count':
      return journal.count();
    case 'stats':
      return journal.stats();
    case 'channels':
      return journal.channels();
    case 'sessions':
      return journal.sessions();
    case 'export': {
      let chunks = 0;
      for await (const text of journal.exportNdjson(request.createdAt)) {
        send({ kind: 'chunk', id: request.id, text });
        chunks++;
      }
      return chunks;
    }
    case 'prune':
      return journal.prune(request.policy, request.nowMs);
  }
}
