import { describeZodError } from '../api/result';
import { BatchOrder, type BatchTag } from './batch-order';
import { capturedRecordBatch, decodeCapture } from './captured';
import type { Journal } from './journal';
import type { JournalRecord } from './records';
import { EXPORT_WINDOW, JournalWindowRequestSchema, type JournalWindowMessage, type ParsedJournalWindowRequest } from './window-protocol';

/** A journal the window (or the host's worker) serves: one that stores appends as a {@link RecordBatch}. */
export type ServedJournal = Journal & Required<Pick<Journal, 'appendBatch'>>;

export interface ServeOptions {
  /**
   * What the journal takes, as records, in the order it takes them (an engine beside the journal
   * analyzes them): each append or import once it is written — an append whose batch id says it
   * was written already is not told again, and one whose write failed is told when it is retried
   * and written.
   */
  onRecords?: (records: readonly JournalRecord[], tag: BatchTag | undefined) => void;
}

/** An append the server refused (what is wrong with its batch): answered as `invalid_request`. */
class InvalidBatch extends Error {
  readonly code = 'invalid_request';
}

/**
 * The journal window's side: answers one request with the journal. Kept here, free of
 * DOM types, so Vitest drives it over a Node MessageChannel exactly as Electron does.
 * It never rejects: a store that did not open, like any failure, is the request's error result.
 */
export async function answerJournalRequest(
  journal: ServedJournal | Promise<ServedJournal>,
  raw: unknown,
  send: (message: JournalWindowMessage) => void,
  options: ServeOptions = {},
): Promise<void> {
  const parsed = JournalWindowRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && Number.isInteger((raw as { id?: unknown }).id) ? (raw as { id: number }).id : 0;
    send({ kind: 'result', id, result: { ok: false, error: { code: 'invalid_request', message: describeZodError(parsed.error) } } });
    return;
  }
  const request = parsed.data;
  try {
    send({ kind: 'result', id: request.id, result: { ok: true, value: await perform(await journal, request, send, options) } });
  } catch (error) {
    const code = error instanceof Error && 'code' in error && (error.code === 'conflict' || error.code === 'invalid_request') ? error.code : 'internal';
    send({ kind: 'result', id: request.id, result: { ok: false, error: { code, message: error instanceof Error ? error.message : String(error) } } });
  }
}

/** One running export's credit: chunks it may still send before the client pulls, or that it was cancelled. */
class ExportFlow {
  private credit = EXPORT_WINDOW;
  private cancelled = false;
  private wake: (() => void) | undefined;

  /** Resolves true when one more chunk may go, false once the client cancelled. */
  async admit(): Promise<boolean> {
    while (this.credit === 0 && !this.cancelled) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.cancelled) return false;
    this.credit--;
    return true;
  }

  pull(): void {
    this.credit++;
    this.release();
  }

  cancel(): void {
    this.cancelled = true;
    this.release();
  }

  private release(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Each served journal's running exports, by request id. */
const flows = new WeakMap<ServedJournal, Map<number, ExportFlow>>();

function flowsOf(journal: ServedJournal): Map<number, ExportFlow> {
  let running = flows.get(journal);
  if (running === undefined) flows.set(journal, (running = new Map()));
  return running;
}

/** Each served journal's batch order; appends are answered one after another, so this is all it takes. */
const orders = new WeakMap<ServedJournal, BatchOrder>();

/** An append's batch as the journal stores it, and its records when someone analyzes them (one decode either way). */
function decodeAppend(batch: unknown, withRecords: boolean) {
  if (withRecords) {
    const decoded = decodeCapture(batch);
    if (!decoded.ok) throw new InvalidBatch(`batch: ${decoded.message}`);
    return decoded.capture;
  }
  const parsed = capturedRecordBatch(batch);
  if (!parsed.ok) throw new InvalidBatch(`batch: ${parsed.message}`);
  return { batch: parsed.batch, records: undefined };
}

async function perform(journal: ServedJournal, request: ParsedJournalWindowRequest, send: (message: JournalWindowMessage) => void, options: ServeOptions): Promise<unknown> {
  const { onRecords } = options;
  switch (request.op) {
    case 'append': {
      const { tag } = request;
      const { batch, records } = decodeAppend(request.batch, onRecords !== undefined);
      if (tag === undefined) {
        await journal.appendBatch(batch);
        if (records) onRecords?.(records, undefined);
        return null;
      }
      let order = orders.get(journal);
      if (order === undefined) {
        orders.set(journal, (order = new BatchOrder()));
        // Started again after a crash: what the journal holds was written.
        if (journal.lastBatch !== undefined) order.wrote(journal.lastBatch);
      }
      if (order.admit(tag) === 'write') {
        await journal.appendBatch(batch, tag);
        order.wrote(tag);
        if (records) onRecords?.(records, tag);
      }
      return null;
    }
    case 'import': {
      const imported = await journal.import(request.records);
      onRecords?.(request.records, undefined);
      return imported;
    }
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
      const flow = new ExportFlow();
      const running = flowsOf(journal);
      running.set(request.id, flow);
      let chunks = 0;
      try {
        for await (const text of journal.exportNdjson(request.createdAt, request.query)) {
          if (!(await flow.admit())) break;
          send({ kind: 'chunk', id: request.id, text });
          chunks++;
        }
      } finally {
        running.delete(request.id);
      }
      return chunks;
    }
    case 'exportPull':
      flowsOf(journal).get(request.export)?.pull();
      return null;
    case 'exportCancel':
      flowsOf(journal).get(request.export)?.cancel();
      return null;
    case 'prune':
      return journal.prune(request.policy, request.nowMs);
  }
}

/** Requests that change the journal; they run one after another so batches commit in arrival order. */
const WRITES = new Set(['append', 'import', 'prune']);

/**
 * The whole serving side of the journal protocol (the journal window's port, the host's worker):
 * says `ready` once the store is open (or why it could not open), then returns the handler of
 * each request message. Reads are answered at once; writes queue behind each other.
 */
export function serveJournal(
  store: Promise<ServedJournal>,
  send: (message: JournalWindowMessage) => void,
  options: ServeOptions = {},
): ((raw: unknown) => void) & { written(): Promise<void> } {
  store.then(
    () => send({ kind: 'ready' }),
    (error: unknown) => send({ kind: 'ready', error: { code: 'internal', message: `journal did not open: ${error instanceof Error ? error.message : String(error)}` } }),
  );
  let writes: Promise<void> = Promise.resolve();
  const handle = (raw: unknown) => {
    const answer = () => answerJournalRequest(store, raw, send, options);
    const write = typeof raw === 'object' && raw !== null && WRITES.has(String((raw as { op?: unknown }).op));
    if (write) writes = writes.then(answer, answer);
    else void answer(); // answerJournalRequest never rejects: failures are error results
  };
  /** Resolves once every write asked so far is done (a read that must see them waits on it). */
  return Object.assign(handle, { written: () => writes });
}
